/**
 * Django REST framework throttling (B.5): the most specific source of throttle classes wins, with no merging:
 * `get_throttles()` override (unknown), `@action`/`as_view()` options, the view's `throttle_classes`,
 * `@throttle_classes` under `@api_view`, then `REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"]` (empty by default).
 * Rates come from a class's `rate` or `DEFAULT_THROTTLE_RATES[scope]` in DRF's grammar; AnonRateThrottle counts
 * anonymous clients only; ScopedRateThrottle needs the view's `throttle_scope`. DRF never covers plain Django views.
 */
import type { Expr } from '../../python/ir';
import { exprLine } from '../../python/ir';
import { Project, type ClassRef, type Ctx } from '../../python/project';
import type { Evidence, Limit, Principal, SourceRef } from '../../model';
import { parseDrfRate } from '../../ratelimit/grammar';
import { functionCtx, sequenceItems, type RouteDraft } from '../common';
import type { DjangoRouteContext } from './urls';
import type { Contribution } from '../protection';
import type { DjangoLibraryFactory } from '.';
import { cacheBackend, entryOf, type DjangoSettings, type SettingValue } from './settings';
import { decoratorName, lastSegment, type DjangoView } from './views';

interface ThrottleList {
  items?: { expr: Expr; ctx: Ctx }[]; // undefined: not static
  source: Limit['source'];
  at: SourceRef;
  what: string; // for messages
  emptyWhy?: string; // why an empty list is empty, when not simply written so
}

/** DRF's built-in throttles: the scope they read rates for and the clients they count. */
const BUILTIN = new Map<string, { scope?: string; principals?: Principal[] }>(Object.entries({
  AnonRateThrottle: { scope: 'anon', principals: ['anonymous'] },
  UserRateThrottle: { scope: 'user' },
  ScopedRateThrottle: {},
  SimpleRateThrottle: {}, // subclasses bring their own scope or rate
}));

export const drfThrottling: DjangoLibraryFactory = (project, settings) => {
  const cache = cacheBackend(project, settings, 'default');
  const rates = settings ? settings.entry('REST_FRAMEWORK', 'DEFAULT_THROTTLE_RATES') : undefined;
  const byRoute = new WeakMap<RouteDraft<DjangoRouteContext>, Contribution | undefined>();

  /** A view option (`@action`/`as_view()` keyword) or class attribute; `value` is absent when it is not a literal. */
  const viewAttribute = (view: DjangoView, name: string): { value?: { expr: Expr; ctx: Ctx }; at: SourceRef } | undefined => {
    const option = view.options.find((o) => o.name === name);
    if (option) return { value: option, at: { file: option.ctx.mod.file, line: exprLine(option.expr, option.ctx.line) } };
    return view.cls ? classAttribute(project, view.cls, name, { file: view.handlerFile, line: view.handlerLine }) : undefined;
  };

  const throttleList = (view: DjangoView, here: SourceRef, evidence: Evidence[]): ThrottleList | 'dynamic' => {
    if (view.cls && project.classChain(view.cls).some((c) => c.cls.methods.includes('get_throttles'))) {
      evidence.push({ file: view.handlerFile, line: view.handlerLine, message: '`get_throttles()` is overridden: the throttles are chosen at run time' });
      return 'dynamic';
    }
    const attribute = viewAttribute(view, 'throttle_classes');
    if (attribute) {
      const items = attribute.value && sequenceItems(project, attribute.value.expr, attribute.value.ctx);
      return { items, source: 'view', at: attribute.at, what: '`throttle_classes`' };
    }
    if (view.noThrottles) {
      const emptyWhy = `\`${lastSegment(view.handler)}\` sets \`throttle_classes = ()\`: DRF's default throttles never apply to it`;
      return { items: [], source: 'view', at: { file: view.handlerFile, line: view.handlerLine }, what: 'the library view', emptyWhy };
    }
    const decorated = view.fn && throttleDecorator(project, view, evidence);
    if (decorated) return decorated;
    return defaults(project, settings, here, evidence);
  };

  /** What one throttle class contributes: a limit, nothing (with evidence), or unknown. */
  const throttle = (item: { expr: Expr; ctx: Ctx }, view: DjangoView, source: Limit['source'], evidence: Evidence[]): Contribution => {
    const at = { file: item.ctx.mod.file, line: exprLine(item.expr, item.ctx.line) };
    const cls = throttleClass(project, item.expr, item.ctx);
    if (!cls) {
      evidence.push({ ...at, message: `throttle class \`${Project.describe(item.expr)}\` cannot be resolved statically` });
      return { limits: [], unknown: true };
    }
    const chain = cls.ref ? project.classChain(cls.ref) : [];
    const overrides = (name: string): boolean => chain.some((c) => c.cls.methods.includes(name));
    // A custom cache key may return None (skip the request) or count clients differently: not a known limit.
    if (!cls.builtin || ['allow_request', 'get_rate', 'get_cache_key', 'parse_rate', '__init__'].some(overrides)) {
      evidence.push({ ...at, message: `\`${cls.name}\` decides per request in its own code: whether it throttles is unknown` });
      return { limits: [], unknown: true };
    }
    const own = (name: string): ReturnType<typeof classAttribute> => (cls.ref ? classAttribute(project, cls.ref, name, at) : undefined);
    const builtin = BUILTIN.get(cls.builtin) ?? {};
    let rate: SettingValue;
    // ScopedRateThrottle replaces `rate` with the view's scope rate in allow_request().
    const ownRate = cls.builtin === 'ScopedRateThrottle' ? undefined : own('rate');
    if (ownRate) {
      rate = ownRate.value ? { kind: 'value', ...ownRate.value, at: ownRate.at } : { kind: 'dynamic', why: `\`${cls.name}.rate\` is computed at run time`, at: ownRate.at };
    } else {
      const scoped = cls.builtin === 'ScopedRateThrottle';
      const scopeSource = scoped ? viewAttribute(view, 'throttle_scope') : own('scope');
      const scope = scopeSource ? scopeSource.value && project.stringValue(scopeSource.value.expr, scopeSource.value.ctx) : builtin.scope;
      if (scope === undefined) {
        if (scoped && !scopeSource) {
          evidence.push({ ...at, message: '`ScopedRateThrottle` without a `throttle_scope` on the view lets every request through' });
          return { limits: [] };
        }
        const message = scopeSource ? 'the throttle scope is not static' : `\`${cls.name}\` has neither \`rate\` nor \`scope\`: DRF raises ImproperlyConfigured on every request`;
        evidence.push({ ...(scopeSource?.at ?? at), message });
        return { limits: [], unknown: true };
      }
      rate = rateFor(project, rates, scope, at, evidence);
    }
    if (rate.kind === 'dynamic') {
      evidence.push({ ...rate.at, message: rate.why });
      return { limits: [], unknown: true };
    }
    if (rate.kind === 'absent' || rate.expr.k === 'none') return { limits: [] };
    const text = project.stringValue(rate.expr, rate.ctx);
    const parsed = text === undefined ? undefined : parseDrfRate(text);
    if (text === undefined || !parsed?.ok) {
      evidence.push({ ...rate.at, message: parsed && !parsed.ok ? parsed.reason : `rate \`${Project.describe(rate.expr)}\` is computed at run time`, concern: parsed && !parsed.ok ? 'invalid-rate' : undefined });
      return { limits: [], unknown: true };
    }
    if (parsed.note) evidence.push({ ...rate.at, message: parsed.note, concern: 'invalid-rate' });
    const limit: Limit = { rate: text, source, library: 'drf', scope: 'shared', ...rate.at };
    if (builtin.principals) {
      limit.principals = builtin.principals;
      evidence.push({ ...at, message: `\`${cls.name}\` counts anonymous clients only: signed-in users are not limited by it`, concern: 'anonymous-only' });
    }
    return { limits: [limit] };
  };

  const resolve = (draft: RouteDraft<DjangoRouteContext>, evidence: Evidence[]): Contribution | undefined => {
    const view = draft.context.view;
    if (!view?.drf) return undefined;
    const list = throttleList(view, { file: draft.route.file, line: draft.route.line }, evidence);
    if (list === 'dynamic') return { limits: [], unknown: true };
    if (!list.items) {
      evidence.push({ ...list.at, message: `${list.what} is not a static list` });
      return { limits: [], unknown: true };
    }
    if (!list.items.length) {
      // An empty list on the view opts out of the defaults; an empty default is just no throttling.
      const concern = list.source === 'settings' ? undefined : 'exempt';
      evidence.push({ ...list.at, message: list.emptyWhy ?? `${list.what} is empty: DRF throttles nothing here`, concern });
      return { limits: [] };
    }
    if (cache.kind === 'dummy' && cache.at) {
      evidence.push({ ...cache.at, message: `${cache.message}: DRF never throttles`, concern: cache.concern });
      return { limits: [] };
    }
    if (cache.message && cache.at) evidence.push({ ...cache.at, message: cache.message, concern: cache.concern });
    const parts = list.items.map((item) => throttle(item, view, list.source, evidence));
    return { limits: parts.flatMap((p) => p.limits), unknown: parts.some((p) => p.unknown) };
  };

  return {
    // DRF throttles every method of a view alike: resolve once per route (evidence goes to the route's list).
    protect(draft, _method, evidence) {
      if (!byRoute.has(draft)) byRoute.set(draft, resolve(draft, evidence));
      return byRoute.get(draft);
    },
  };
};

/**
 * A class attribute (own or inherited) as an expression: a literal, or the call that computes it (so an
 * `os.getenv("RATE", "10/minute")` reads as its fallback); `value` is absent when it cannot be followed.
 */
function classAttribute(project: Project, ref: ClassRef, name: string, fallback: SourceRef): { value?: { expr: Expr; ctx: Ctx }; at: SourceRef } | undefined {
  const values = project.classAttribute(ref, name);
  if (!values) return undefined;
  if (libraryMayWin(project, ref, name)) return { at: fallback };
  const v = values.length === 1 ? values[0] : undefined;
  const value = v?.kind === 'literal' ? { expr: v.expr, ctx: v.ctx } : v?.kind === 'instance' ? { expr: v.site.call as Expr, ctx: v.site.ctx } : undefined;
  return { value, at: value ? { file: value.ctx.mod.file, line: exprLine(value.expr, value.ctx.line) } : fallback };
}

/**
 * True when a library base listed before a project base could supply the attribute first in Python's MRO
 * (`class Login(APIView, StrictThrottles)`: APIView's own `throttle_classes` wins).
 */
function libraryMayWin(project: Project, ref: ClassRef, name: string): boolean {
  const chain = project.classChain(ref);
  const definer = chain.findIndex((c) => (c.mod.bindings[c.cls.bodyScope] ?? []).some((b) => b.name === name));
  return chain.slice(0, Math.max(0, definer)).some((c) => {
    const kinds = c.cls.bases.map((base) => project.resolve(base, { mod: c.mod, scope: c.cls.scope, line: c.cls.loc.line - 1 })[0]?.kind);
    const firstLibrary = kinds.indexOf('external');
    return firstLibrary >= 0 && kinds.indexOf('class', firstLibrary) > firstLibrary;
  });
}

/** `@throttle_classes([...])` on an `@api_view` function: honoured below `@api_view`, ignored above it (DRF < 3.17). */
function throttleDecorator(project: Project, view: DjangoView, evidence: Evidence[]): ThrottleList | undefined {
  if (!view.fn) return undefined;
  const ctx = functionCtx(view.fn.mod, view.fn.fn);
  const names = view.fn.fn.decorators.map((d) => decoratorName(project, d, ctx));
  const apiAt = names.indexOf('rest_framework.decorators.api_view');
  const index = names.indexOf('rest_framework.decorators.throttle_classes');
  if (index < 0) return undefined;
  const decorator = view.fn.fn.decorators[index];
  const at = { file: ctx.mod.file, line: exprLine(decorator, ctx.line) };
  if (index < apiAt) {
    evidence.push({ ...at, message: '`@throttle_classes` above `@api_view` is ignored (DRF < 3.17; an import error from 3.17): the default throttles apply', concern: 'decorator-order' });
    return undefined;
  }
  const arg = decorator.k === 'call' ? decorator.args[0] : undefined;
  return { items: arg ? sequenceItems(project, arg, ctx) : undefined, source: 'decorator', at, what: '`@throttle_classes`' };
}

function defaults(project: Project, settings: DjangoSettings | undefined, here: SourceRef, evidence: Evidence[]): ThrottleList | 'dynamic' {
  if (!settings) {
    evidence.push({ ...here, message: 'no Django settings module was found, so DRF\'s DEFAULT_THROTTLE_CLASSES are unknown' });
    return 'dynamic';
  }
  const classes = settings.entry('REST_FRAMEWORK', 'DEFAULT_THROTTLE_CLASSES');
  if (classes.kind === 'absent') {
    const emptyWhy = `\`${settings.mod.module}\` sets no REST_FRAMEWORK DEFAULT_THROTTLE_CLASSES: DRF throttles nothing by default`;
    return { items: [], source: 'settings', at: settings.origin, what: 'DEFAULT_THROTTLE_CLASSES', emptyWhy };
  }
  if (classes.kind === 'dynamic') {
    evidence.push({ ...classes.at, message: `DEFAULT_THROTTLE_CLASSES: ${classes.why}` });
    return 'dynamic';
  }
  return { items: sequenceItems(project, classes.expr, classes.ctx), source: 'settings', at: classes.at, what: 'DEFAULT_THROTTLE_CLASSES' };
}

/** `DEFAULT_THROTTLE_RATES[scope]`; DRF's own default is `{"user": None, "anon": None}`; a missing scope raises. */
function rateFor(project: Project, rates: SettingValue | undefined, scope: string, at: SourceRef, evidence: Evidence[]): SettingValue {
  if (!rates || rates.kind === 'absent') {
    if (scope === 'anon' || scope === 'user') return { kind: 'absent' };
    return { kind: 'dynamic', why: `no DEFAULT_THROTTLE_RATES entry for scope \`${scope}\`: DRF raises ImproperlyConfigured on every request`, at };
  }
  const entry = entryOf(project, rates, scope);
  if (entry.kind === 'absent') {
    evidence.push({ ...(rates.kind === 'value' ? rates.at : at), message: `DEFAULT_THROTTLE_RATES has no \`${scope}\` scope: DRF raises ImproperlyConfigured on every request` });
    return { kind: 'dynamic', why: `scope \`${scope}\` has no rate`, at };
  }
  return entry;
}

/** A throttle class from a class expression or a dotted string, with the DRF built-in it behaves as. */
function throttleClass(project: Project, expr: Expr, ctx: Ctx): { name: string; builtin?: string; ref?: ClassRef } | undefined {
  const dotted = expr.k === 'str' ? expr.v : undefined;
  let values = project.resolve(expr, ctx);
  if (dotted !== undefined) {
    const split = dotted.lastIndexOf('.');
    const mod = project.findModule(dotted.slice(0, split), ctx.mod);
    values = mod ? project.lookup(dotted.slice(split + 1), project.moduleCtx(mod), 0) : [{ kind: 'external', qname: dotted }];
  }
  for (const v of values) {
    if (v.kind === 'external' && v.qname.startsWith('rest_framework.')) {
      const name = lastSegment(v.qname);
      return { name, builtin: BUILTIN.has(name) ? name : undefined };
    }
    if (v.kind === 'class') {
      const bases = project.externalBases(v.ref).filter((q) => q.startsWith('rest_framework.'));
      const builtin = bases.map(lastSegment).find((b) => BUILTIN.has(b));
      return { name: v.ref.cls.name, builtin, ref: v.ref };
    }
  }
  return undefined;
}
