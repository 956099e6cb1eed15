/**
 * django-ratelimit (B.4): `@ratelimit(key=, rate=, method=, block=, group=)` on function views, through
 * `method_decorator(..., name=...)` on class views, or wrapped around a view in urls.py. The package name
 * decides the `block` default (`django_ratelimit` 4.x: True; the old `ratelimit` ≤ 3.x: False); with
 * block=False nothing is rejected unless the view reads `request.limited`. `RATELIMIT_ENABLE = False` and a
 * DummyCache switch it off. Counting is in clock-aligned fixed windows (reference D.1); over-limit requests get
 * 403 unless RatelimitMiddleware hands them to RATELIMIT_VIEW.
 */
import type { CallExpr, Expr } from '../../python/ir';
import { argument, exprLine, kwarg, lineOf } from '../../python/ir';
import { Project, type Ctx, type FunctionRef } from '../../python/project';
import { reachedReturn, requestFacts } from '../../python/profile';
import type { Evidence, Limit, Principal } from '../../model';
import { parseDjangoRatelimitRate, singleRate } from '../../ratelimit/grammar';
import { appliedDecorator, decoratorName, functionCtx, httpMethods, sequenceItems, stringList, type Decorator } from '../common';
import { isForwardedHeader } from '../client-input';
import { contribution, type Decision } from '../protection';
import type { DjangoLibrary } from '.';
import { cacheBackend, type DjangoSettings } from './settings';
import { lastSegment, ViewResolver, type DjangoView } from './views';
import type { LibraryDescriptor } from '../library';
import { functionDefinedIn } from '../../python/module-index';

const DESCRIPTOR: LibraryDescriptor = {
  id: 'django-ratelimit',
  name: 'django-ratelimit',
  distribution: 'django-ratelimit',
  packages: ['django_ratelimit', 'ratelimit'], // `ratelimit` up to 3.x
  grammar: { parse: singleRate(parseDjangoRatelimitRate) },
  counting: 'clock-aligned-window',
  rejection: { status: 403, retryAfter: false }, // `Ratelimited` is a PermissionDenied
};

// The decorator's import path tells the version: true for `django_ratelimit` (4.x), false for the old `ratelimit`.
const DECORATORS = new Map([
  ['django_ratelimit.decorators.ratelimit', true],
  ['ratelimit.decorators.ratelimit', false],
]);
const MIDDLEWARE = ['django_ratelimit.middleware.RatelimitMiddleware', 'ratelimit.middleware.RatelimitMiddleware'];
const UNSAFE = ['DELETE', 'PATCH', 'POST', 'PUT'];
// Keys that count per client (address or user): a limit keyed on a submitted value is safe beside one of them.
const CLIENT_KEYS = ['ip', 'user', 'user_or_ip'];
// `key="accessor:name"` (django_ratelimit/core.py `_ACCESSOR_KEYS`): what the client sends under that name.
const ACCESSORS = new Map([
  ['get', 'query parameter'],
  ['post', 'form field'],
  ['header', 'header'],
]);

interface Applied {
  call: CallExpr;
  ctx: Ctx;
  v4: boolean; // django_ratelimit 4.x: blocks by default and honours RATELIMIT_IP_META_KEY
  somePaths?: string; // the project decorator that applies it on some paths only (see appliedDecorator)
}

const resolver: DjangoLibrary['resolver'] = (project, { settings }) => {
  const views = new ViewResolver(project);
  const enabled = settings?.flag('RATELIMIT_ENABLE', true) ?? { value: true };
  const cache = cacheBackend(project, settings, settings?.string('RATELIMIT_USE_CACHE') ?? 'default');
  const failOpen = settings?.flag('RATELIMIT_FAIL_OPEN', false);
  // What the settings do to every limit they govern: storage, fail-open, the over-limit answer.
  const settingConcerns = [
    cache.evidence,
    failOpen?.value && failOpen.at ? { ...failOpen.at, message: '`RATELIMIT_FAIL_OPEN = True`: whenever the cache returns no count (an outage its backend reports as a miss), django-ratelimit lets every request through', concern: 'fail-open' as const } : undefined,
    settings && missingRetrySignal(project, settings),
  ].filter((e): e is Evidence => e !== undefined);
  const ipHeader = settings && ipFromHeader(project, settings);

  const asRatelimit = (d: Decorator): Applied | undefined => {
    const applied = appliedDecorator(project, d.expr, d.ctx, (call, ctx) => DECORATORS.get(decoratorName(project, call, ctx) ?? ''));
    return applied && { call: applied.call, ctx: applied.ctx, v4: applied.found, somePaths: applied.somePaths };
  };

  /**
   * `method_decorator(dec_or_list, name=...)`: the decorators it applies when it names `handler` (on a class),
   * or directly on a method (no `name=`, `handler` undefined).
   */
  const throughMethodDecorator = (d: Decorator, handler: string | undefined): Decorator[] => {
    if (d.expr.k !== 'call' || decoratorName(project, d.expr, d.ctx) !== 'django.utils.decorators.method_decorator') return [];
    const name = argument(d.expr, 1, 'name');
    const target = name ? project.stringValue(name, d.ctx) : undefined;
    if ((name || handler) && target !== handler) return [];
    const inner = argument(d.expr, 0, 'decorator');
    if (!inner) return [];
    return (sequenceItems(project, inner, d.ctx) ?? [{ expr: inner, ctx: d.ctx }]).map((i) => ({ expr: i.expr, ctx: i.ctx }));
  };

  /** Every ratelimit decorator that runs for `method`, and broken direct uses on class methods. */
  const appliedTo = (view: DjangoView, method: string, evidence: Evidence[]): Applied[] => {
    const found: Decorator[] = [...view.wrappers];
    if (view.fn) {
      const ctx = functionCtx(view.fn.mod, view.fn.fn);
      found.push(...view.fn.fn.decorators.map((expr) => ({ expr, ctx })));
    } else if (view.cls) {
      const name = view.handlers.get(method);
      const chain = project.classChain(view.cls);
      chain.forEach((c, i) => {
        // `method_decorator(name=X)` wraps this class's X: a subclass that defines X again runs unwrapped.
        const ctx = functionCtx(c.mod, c.cls);
        const overridden = (target: string): boolean => chain.slice(0, i).some((sub) => sub.cls.methods.includes(target));
        for (const expr of c.cls.decorators) {
          for (const target of [name, 'dispatch']) {
            if (target && !overridden(target)) found.push(...throughMethodDecorator({ expr, ctx }, target));
          }
        }
      });
      // `@method_decorator(...)` on the first `dispatch` the class defines or inherits covers every method.
      const dispatch = project.methodOf(view.cls, 'dispatch');
      if (dispatch) {
        const ctx = functionCtx(dispatch.mod, dispatch.fn);
        for (const expr of dispatch.fn.decorators) found.push(...throughMethodDecorator({ expr, ctx }, undefined));
      }
      const handler = views.handlerFunction(view, method);
      if (handler) {
        const ctx = functionCtx(handler.mod, handler.fn);
        for (const expr of handler.fn.decorators) {
          found.push(...throughMethodDecorator({ expr, ctx }, undefined));
          const direct = asRatelimit({ expr, ctx });
          if (direct) {
            evidence.push({ file: ctx.mod.file, line: exprLine(expr, ctx.line), message: '`@ratelimit` directly on a class method receives `self` instead of the request (unsupported since django-ratelimit 3.0): wrap it in `method_decorator`', concern: 'decorator-order' });
          }
        }
      }
    }
    return found.map(asRatelimit).filter((a): a is Applied => a !== undefined);
  };

  /** The methods a `method=` argument counts; undefined when not static. */
  const countedMethods = (expr: Expr | undefined, ctx: Ctx): string[] | 'all' | undefined => {
    if (!expr || expr.k === 'none') return 'all';
    const external = project.resolve(expr, ctx).find((v) => v.kind === 'external');
    const constant = external?.kind === 'external' ? lastSegment(external.qname) : '';
    if (constant === 'UNSAFE') return UNSAFE;
    if (constant === 'ALL') return 'all';
    const single = project.stringValue(expr, ctx);
    if (single !== undefined) return [single.toUpperCase()];
    return httpMethods(project, expr, ctx);
  };

  const verdict = (applied: Applied, view: DjangoView, method: string, evidence: Evidence[]): Decision => {
    const { call, ctx } = applied;
    const at = { file: ctx.mod.file, line: lineOf(call.loc) };
    if (applied.somePaths) {
      evidence.push({ ...at, message: `${applied.somePaths} applies \`@ratelimit\` on some paths only` });
      return { limits: [], unknown: true };
    }
    const counted = countedMethods(argument(call, 3, 'method'), ctx);
    if (counted === undefined) {
      evidence.push({ ...at, message: '`method=` is not static' });
      return { limits: [], unknown: true };
    }
    if (counted !== 'all' && !counted.includes(method)) {
      evidence.push({ ...at, message: `\`@ratelimit(method=...)\` counts only ${counted.join(', ')}: ${method} requests are neither counted nor limited`, concern: 'methods-excluded' });
      return { limits: [] };
    }
    if (call.splat) {
      evidence.push({ ...at, message: '`@ratelimit(**...)` arguments are not static' });
      return { limits: [], unknown: true };
    }
    if (!argument(call, 1, 'key')) {
      evidence.push({ ...at, message: '`@ratelimit` without `key=` raises ImproperlyConfigured on every request' });
      return { limits: [], unknown: true };
    }
    const rateExpr = argument(call, 2, 'rate');
    const rateFunction = rateExpr && callableRate(project, rateExpr, ctx);
    const rates = rateFunction ? ratesPerClient(project, rateFunction, method, at, evidence) : [{ rate: rateOf(project, rateExpr, ctx, at, evidence) }];
    if (rates.some((r) => r.rate === 'unknown')) return { limits: [], unknown: true };
    if (rates.every((r) => r.rate === 'none')) return { limits: [] };
    const block = argument(call, 4, 'block');
    // 4.x blocks by default; the old package only marks the request.
    const blocks = block === undefined ? applied.v4 : block.k === 'bool' ? block.v : undefined;
    if (blocks === undefined) {
      evidence.push({ ...at, message: '`block=` is computed at run time' });
      return { limits: [], unknown: true };
    }
    const limits: Limit[] = rates.flatMap(({ rate, principals }) => (rate === 'none' ? [] : [{ rate, source: 'decorator', library: DESCRIPTOR.id, scope: kwarg(call, 'group') ? 'shared' : 'route', algorithm: 'fixed-window', ...at, ...(principals && { principals }) }]));
    if (!blocks) {
      const reader = view.fn ?? views.handlerFunction(view, method);
      const why = block === undefined ? 'the old `ratelimit` package defaults to block=False' : 'block=False';
      if (!reader?.fn.reads.includes('limited')) {
        evidence.push({ ...at, message: `${why}: over-limit requests are only marked (\`request.limited\`), and this view never checks it`, concern: 'does-not-block' });
        return { limits: [] };
      }
      // Whether the view turns `request.limited` into a rejection is control flow we do not follow.
      evidence.push({ ...at, message: `${why}: over-limit requests are only marked; the view reads \`request.limited\`, but whether it rejects them cannot be told statically` });
      return { limits: [], unknown: true };
    }
    return { limits };
  };

  /** Keys the client controls, among the limits that count one method: a forwarded address, a value it picks. */
  const keyConcerns = (counting: Applied[]): Evidence[] => {
    const keys = counting.map((a) => {
      const key = argument(a.call, 1, 'key');
      return { a, key: key && project.stringValue(key, a.ctx) };
    });
    const perClient = keys.some(({ key }) => key !== undefined && CLIENT_KEYS.includes(key));
    return keys.flatMap(({ a, key }): Evidence[] => {
      if (key === 'ip' || key === 'user_or_ip') return a.v4 && ipHeader ? [ipHeader] : [];
      const accessor = /^(\w+):(.*)$/.exec(key ?? '');
      const what = accessor && ACCESSORS.get(accessor[1]);
      if (!accessor || !what) return [];
      const name = accessor[2];
      const at = { file: a.ctx.mod.file, line: lineOf(a.call.loc) };
      if (what === 'header' && isForwardedHeader(name)) {
        return [{ ...at, message: `\`key="${key}"\` counts per \`${name}\` header value as the client sends it: a new value with each request gets a fresh counter`, concern: 'spoofable-key' }];
      }
      if (perClient) return [];
      return [{ ...at, message: `\`key="${key}"\` counts per \`${name}\` ${what} only, a value the client picks, and no IP- or user-keyed limit pairs it: one client can try unlimited \`${name}\` values (add a \`key="ip"\` limit)`, concern: 'attacker-chosen-key' }];
    });
  };

  return {
    protect(draft, method) {
      return contribution((evidence) => {
        const view = draft.context.view;
        if (!view) return undefined;
        const applied = appliedTo(view, method, evidence);
        if (!applied.length) return undefined;
        if (enabled.value === false || enabled.value === undefined) {
          const at = enabled.at ?? { file: draft.route.file, line: draft.route.line };
          evidence.push({ ...at, message: enabled.value === false ? '`RATELIMIT_ENABLE = False` switches django-ratelimit off' : '`RATELIMIT_ENABLE` is computed at run time', concern: enabled.value === false ? 'disabled' : undefined });
          return { limits: [], unknown: enabled.value === undefined };
        }
        if (cache.kind === 'dummy' && cache.evidence) {
          evidence.push({ ...cache.evidence, message: `${cache.evidence.message}: django-ratelimit never limits` });
          return { limits: [] };
        }
        const parts = applied.map((a) => verdict(a, view, method, evidence));
        const counting = applied.filter((_, i) => parts[i].limits.length);
        if (counting.length) evidence.push(...settingConcerns, ...keyConcerns(counting));
        return { limits: parts.flatMap((p) => p.limits), unknown: parts.some((p) => p.unknown) };
      });
    },
  };
};

/**
 * `RATELIMIT_IP_META_KEY` naming a request header (4.x, django_ratelimit/core.py `_get_ip`): `key="ip"` then
 * counts per the address the client writes there.
 */
function ipFromHeader(project: Project, settings: DjangoSettings): Evidence | undefined {
  const setting = settings.read('RATELIMIT_IP_META_KEY');
  const meta = setting.kind === 'value' ? project.stringValue(setting.expr, setting.ctx) : undefined;
  if (setting.kind !== 'value' || !meta?.startsWith('HTTP_')) return undefined;
  const header = meta.slice('HTTP_'.length).toLowerCase().split('_').map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join('-');
  return { ...setting.at, message: `\`RATELIMIT_IP_META_KEY = "${meta}"\`: client addresses (\`key="ip"\`, \`"user_or_ip"\`) come from the ${header} request header, which the client writes unless a proxy in front replaces it: a new address with each request gets a fresh counter`, concern: 'spoofable-key' };
}

/**
 * Over-limit requests raise `Ratelimited`, a PermissionDenied: 403 without Retry-After, unless
 * RatelimitMiddleware hands it to RATELIMIT_VIEW (django_ratelimit/middleware.py); undefined when the project
 * answers it itself (`handler403`, 4.x RATELIMIT_EXCEPTION_CLASS) or MIDDLEWARE is not static.
 */
function missingRetrySignal(project: Project, settings: DjangoSettings): Evidence | undefined {
  const urlconf = project.findModule(settings.string('ROOT_URLCONF') ?? '', settings.mod);
  if (urlconf?.bindings[0]?.some((b) => b.name === 'handler403') || settings.read('RATELIMIT_EXCEPTION_CLASS').kind !== 'absent') return undefined;
  const middleware = settings.read('MIDDLEWARE');
  const listed = middleware.kind === 'value' ? stringList(project, middleware.expr, middleware.ctx) : middleware.kind === 'absent' ? [] : undefined;
  if (!listed) return undefined;
  const installed = listed.some((m) => MIDDLEWARE.includes(m));
  const view = settings.read('RATELIMIT_VIEW');
  if (installed && view.kind !== 'absent') return undefined;
  if (installed && middleware.kind === 'value') {
    return { ...middleware.at, message: '`RatelimitMiddleware` is installed without `RATELIMIT_VIEW`: over-limit requests end in a 500 error, not 429', concern: 'no-retry-signal' };
  }
  const why = view.kind !== 'absent' ? '`RATELIMIT_VIEW` is set, but it only runs through `RatelimitMiddleware`, which MIDDLEWARE lacks' : 'neither `RatelimitMiddleware` nor `RATELIMIT_VIEW` is configured';
  const at = view.kind !== 'absent' ? view.at : middleware.kind === 'value' ? middleware.at : { file: settings.mod.file, line: 1 };
  return { ...at, message: `${why}: over-limit requests get 403 Forbidden (\`Ratelimited\` is a PermissionDenied), not 429, and no Retry-After`, concern: 'no-retry-signal' };
}

/** `rate=vote_rate` or `rate="app.rates.vote_rate"`: the project function django-ratelimit calls as `rate(group, request)`. */
function callableRate(project: Project, expr: Expr, ctx: Ctx): FunctionRef | undefined {
  const text = expr.k === 'str' ? expr.v : undefined;
  if (text?.includes('.')) {
    const dot = text.lastIndexOf('.');
    const mod = project.findModule(text.slice(0, dot), ctx.mod);
    const fn = mod && functionDefinedIn(mod, 0, text.slice(dot + 1));
    return mod && fn ? { mod, fn } : undefined;
  }
  const value = text === undefined ? project.resolve(expr, ctx) : [];
  return value.length === 1 && value[0].kind === 'function' ? value[0].ref : undefined;
}

/**
 * A rate function run once per kind of client, with `request.user.is_authenticated` (or `is_anonymous`) and
 * `request.method` known: one rate for both, or a rate that counts only one of them (`None` for the other:
 * no limit). A branch on anything else about the request leaves the rate unknown.
 */
function ratesPerClient(project: Project, ref: FunctionRef, method: string, at: { file: string; line: number }, evidence: Evidence[]): { rate: string | 'none' | 'unknown'; principals?: Principal[] }[] {
  const request = ref.fn.params[1]?.name ?? 'request';
  const rateAs = (principal: Principal): string | null | undefined => {
    const reached = reachedReturn(project, ref, requestFacts(project, request, method, principal));
    const value = reached?.value(reached.expr, exprLine(reached.expr, lineOf(ref.fn.loc)));
    return typeof value === 'string' || value === null ? value : undefined;
  };
  const where = { file: ref.mod.file, line: lineOf(ref.fn.loc) };
  const [anonymous, authenticated] = (['anonymous', 'authenticated'] as const).map(rateAs);
  if (anonymous === undefined || authenticated === undefined) {
    evidence.push({ ...where, message: `rate function \`${ref.fn.name}\` depends on more of the request than the client's kind and method` });
    return [{ rate: 'unknown' }];
  }
  const check = (text: string | null): string | 'none' | 'unknown' => (text === null ? 'none' : rateOf(project, { k: 'str', v: text, loc: ref.fn.loc }, project.moduleCtx(ref.mod), at, evidence));
  if (anonymous === authenticated) return [{ rate: check(anonymous) }];
  evidence.push({ ...where, message: `rate function \`${ref.fn.name}\` gives anonymous clients ${anonymous ?? 'no limit'} and signed-in users ${authenticated ?? 'no limit'}` });
  return [{ rate: check(anonymous), principals: ['anonymous'] }, { rate: check(authenticated), principals: ['authenticated'] }];
}

/** The rate as reported, `none` for a rate of None (no limit), `unknown` when it is computed or breaks every request. */
function rateOf(project: Project, expr: Expr | undefined, ctx: Ctx, at: { file: string; line: number }, evidence: Evidence[]): string | 'none' | 'unknown' {
  if (!expr || expr.k === 'none') {
    evidence.push({ ...at, message: '`@ratelimit` without a rate never limits', concern: 'invalid-rate' });
    return 'none';
  }
  if (expr.k === 'seq' && expr.items.length === 2 && expr.items.every((i) => i.k === 'num')) {
    const [count, seconds] = expr.items as { k: 'num'; v: number }[];
    return `${count.v}/${seconds.v}s`;
  }
  const text = project.stringValue(expr, ctx);
  if (text === undefined || text.includes('.')) {
    evidence.push({ ...at, message: `rate \`${Project.describe(expr)}\` is computed at run time` });
    return 'unknown';
  }
  const parsed = parseDjangoRatelimitRate(text);
  if (!parsed.ok) {
    evidence.push({ ...at, message: parsed.reason, concern: 'invalid-rate' });
    return 'unknown';
  }
  if (parsed.note) evidence.push({ ...at, message: parsed.note, concern: 'invalid-rate' });
  return text;
}

export const djangoRatelimit: DjangoLibrary = {
  descriptor: DESCRIPTOR,
  resolver,
};
