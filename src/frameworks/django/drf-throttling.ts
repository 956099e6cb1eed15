/**
 * Django REST framework throttling (B.5): the most specific source of throttle classes wins, with no merging:
 * `get_throttles()` override (unknown), `@action`/`as_view()` options, the view's `throttle_classes`,
 * `@throttle_classes` under `@api_view`, then `REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"]` (empty by default).
 * Rates come from a class's `rate` or `DEFAULT_THROTTLE_RATES[scope]` (its own `THROTTLE_RATES` first) in DRF's
 * grammar; AnonRateThrottle counts anonymous clients only; ScopedRateThrottle needs the view's `throttle_scope`. DRF
 * never covers plain Django views.
 * Throttles keep a sliding log in a Django cache (`default`, or the class's `cache`) and answer 429 with Retry-After.
 */
import type { Binding, Expr } from '../../python/ir';
import { exprLine, lineOf } from '../../python/ir';
import { Project, type ClassRef, type Ctx, type FunctionRef, type SettingsObject } from '../../python/project';
import { reachedReturn, requestFacts, type ReachedReturn } from '../../python/profile';
import { PRINCIPALS, type Evidence, type Limit, type Principal, type SourceRef } from '../../model';
import { parseDrfRate, singleRate } from '../../ratelimit/grammar';
import { decoratorName, functionCtx, sequenceItems, type RouteDraft } from '../common';
import type { DjangoRouteContext } from './urls';
import { contribution, type Decision } from '../protection';
import type { DjangoLibrary } from '.';
import { cacheBackend, entryOf, type CacheBackend, type DjangoSettings, type SettingValue } from './settings';
import { callsSuper, lastSegment, type DjangoView } from './views';
import { externalView } from './tables';
import { attributeOwner } from '../../python/mro';
import type { LibraryDescriptor } from '../library';

const DESCRIPTOR: LibraryDescriptor = {
  id: 'drf',
  name: 'DRF',
  distribution: 'djangorestframework',
  packages: ['rest_framework'],
  debian: 'python3-djangorestframework',
  grammar: { parse: singleRate(parseDrfRate) },
  counting: 'sliding-log',
  rejection: { status: 429, retryAfter: true },
};

/**
 * A settings object of the project's own, `APISettings(settings.OPENROSA_REST_FRAMEWORK, DEFAULTS, IMPORT_STRINGS)`
 * (kpi's OpenRosa views take their `throttle_classes` from one): DRF's defaults (rest_framework/settings.py) throttle
 * nothing.
 */
export const DRF_API_SETTINGS: SettingsObject = {
  owners: ['rest_framework.settings.APISettings'],
  libraryDefaults: 'rest_framework.settings.DEFAULTS',
  defaults: new Map(Object.entries({ DEFAULT_THROTTLE_CLASSES: [], DEFAULT_THROTTLE_RATES: { user: null, anon: null } })),
};

interface ThrottleList {
  items?: { expr: Expr; ctx: Ctx }[]; // undefined: not static
  source: Limit['source'];
  at: SourceRef;
  what: string; // for messages
  emptyWhy?: string; // why an empty list is empty, when not simply written so
  added?: { expr: Expr; ctx: Ctx }[]; // throttles the view's own `get_throttles()` adds to the list
  scope?: string; // the `throttle_scope` the view's own `get_throttles()` sets for this method
}

/** A rate DRF reads for a throttle, where it is set, and how many requests a second it lets through. */
interface RateRead {
  text: string;
  at: SourceRef;
  perSecond: number;
}

/** DRF's built-in throttles: the scope they read rates for and the clients they count. */
const BUILTIN = new Map<string, { scope?: string; principals?: Principal[] }>(Object.entries({
  AnonRateThrottle: { scope: 'anon', principals: ['anonymous'] },
  UserRateThrottle: { scope: 'user' },
  ScopedRateThrottle: {},
  SimpleRateThrottle: {}, // subclasses bring their own scope or rate
}));

const resolver: DjangoLibrary['resolver'] = (project, { settings, drafts }) => {
  const rates = settings ? settings.entry('REST_FRAMEWORK', 'DEFAULT_THROTTLE_RATES') : undefined;
  const forwardedIdent = settings && identFromForwardedFor(settings);
  const byRoute = new WeakMap<RouteDraft<DjangoRouteContext>, Map<string, Decision | undefined>>();
  const stores = new Map<string, CacheBackend>();
  let ratesUsed: boolean | undefined;

  /** The cache a throttle class counts in; unknown when its `cache` attribute is not `caches["alias"]`. */
  const storeOf = (ref: ClassRef | undefined): CacheBackend => {
    const alias = ref ? cacheAlias(project, ref) : 'default';
    if (alias === undefined) return { kind: 'unknown' };
    let store = stores.get(alias);
    if (!store) {
      store = cacheBackend(project, settings, alias);
      stores.set(alias, store);
    }
    return store;
  };

  /** True when some DRF view of this project lists throttle classes of its own (so the configured rates are in use). */
  const viewsListThrottles = (): boolean => {
    ratesUsed ??= drafts.some(({ route, context: { view } }) => {
      const list = view?.drf ? throttleList(view, { file: route.file, line: route.line }, [...view.handlers.keys()][0] ?? 'GET', []) : undefined;
      return list === 'dynamic' || (list !== undefined && ((list.source !== 'settings' && list.items?.length !== 0) || !!list.added?.length));
    });
    return ratesUsed;
  };

  /** A view option (`@action`/`as_view()` keyword) or class attribute; `value` is absent when it is not a literal. */
  const viewAttribute = (view: DjangoView, name: string): { value?: { expr: Expr; ctx: Ctx }; at: SourceRef } | undefined => {
    const option = view.options.find((o) => o.name === name);
    if (option) return { value: option, at: { file: option.ctx.mod.file, line: exprLine(option.expr, option.ctx.line) } };
    return view.cls ? classAttribute(project, view.cls, name, { file: view.handlerFile, line: view.handlerLine }) : undefined;
  };

  const throttleList = (view: DjangoView, here: SourceRef, method: string, evidence: Evidence[]): ThrottleList | 'dynamic' => {
    // The `get_throttles` Python finds: a project class's, DRF's own (APIView's, listed first), or one it cannot read.
    const owner = view.cls && project.methodOf(view.cls, 'get_throttles') ? drfAttributeOwner(project, view.cls, 'get_throttles') : undefined;
    if (owner && 'unread' in owner) {
      const first = owner.unread ? `\`${owner.unread}\`, which is not in the project, comes first in Python's order` : 'the order of its bases cannot be read';
      evidence.push({ file: view.handlerFile, line: view.handlerLine, message: `\`get_throttles()\` is overridden, but ${first}: the throttles may be chosen by code apiposture cannot read` });
      return 'dynamic';
    }
    const custom = owner && 'cls' in owner ? project.methodOf(owner, 'get_throttles') : undefined;
    const chosen = custom && chosenThrottles(project, custom, method, view.handlers.get(method));
    if (custom && !chosen) {
      evidence.push({ file: view.handlerFile, line: view.handlerLine, message: `\`get_throttles()\` is overridden and chooses ${method} requests' throttles on more than their method and action: they are chosen at run time` });
      return 'dynamic';
    }
    if (chosen && !chosen.listed) return { items: chosen.added, source: 'view', at: { file: custom!.mod.file, line: lineOf(custom!.fn.loc) }, what: '`get_throttles()`' };
    const list = listedThrottles(view, here, evidence);
    return chosen && list !== 'dynamic' ? { ...list, added: chosen.added, scope: chosen.scope } : list;
  };

  /** The throttle classes a view lists (its attribute, an option, a decorator) or the project's defaults. */
  const listedThrottles = (view: DjangoView, here: SourceRef, evidence: Evidence[]): ThrottleList | 'dynamic' => {
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
  const throttle = (item: { expr: Expr; ctx: Ctx }, view: DjangoView, source: Limit['source'], method: string, evidence: Evidence[], scopeInCode?: string): Decision => {
    const at = { file: item.ctx.mod.file, line: exprLine(item.expr, item.ctx.line) };
    const cls = throttleClass(project, item.expr, item.ctx);
    if (!cls) {
      evidence.push({ ...at, message: `throttle class \`${Project.describe(item.expr)}\` cannot be resolved statically` });
      return { limits: [], unknown: true };
    }
    const chain = cls.ref ? project.classChain(cls.ref) : [];
    const overrides = (name: string): boolean => chain.some((c) => c.cls.methods.includes(name));
    // Its own way to read or parse a rate: not a known limit.
    if (!cls.builtin || ['get_rate', 'parse_rate'].some(overrides)) return ownCode(cls.name, at, evidence);
    // An `allow_request` or `get_cache_key` of its own, read for this method and each kind of client: whether DRF
    // counts the request, and under which scopes. Its `super()` is DRF's own only when no other project class in
    // between overrides it too.
    const ownOnly = (name: string): FunctionRef | undefined => (chain.filter((c) => c.cls.methods.includes(name)).length === 1 ? project.methodOf(cls.ref!, name) : undefined);
    const keying = overrides('get_cache_key') ? ownOnly('get_cache_key') : undefined;
    if (overrides('get_cache_key') && !keying) return ownCode(cls.name, at, evidence);
    const methods = { allowing: overrides('allow_request') ? ownOnly('allow_request') ?? null : undefined, keying };
    const perClient = PRINCIPALS.map((principal) => clientTreatment(project, methods, method, principal));
    const deciding = (kind: 'pass' | 'undecided'): string => {
      const names = [...new Set(perClient.flatMap((t) => (t.outcome !== 'counted' && t.outcome === kind ? [t.by] : [])))];
      return names.length === 1 ? `${cls.name}.${names[0]}` : cls.name;
    };
    if (perClient.every((t) => t.outcome === 'pass')) {
      evidence.push({ ...at, message: `\`${deciding('pass')}\` lets every ${method} request through before DRF counts it` });
      return { limits: [] };
    }
    if (perClient.some((t) => t.outcome === 'undecided')) {
      evidence.push({ ...at, message: `\`${deciding('undecided')}\` decides ${method} requests on more than their method and the client's kind: whether it throttles is unknown` });
      return { limits: [], unknown: true };
    }
    const chosen = perClient.filter((t): t is Counted => t.outcome === 'counted');
    // An own `__init__` leaves DRF's reading of the rate out: only an `allow_request` that reads it anew makes up for it.
    if (chosen.some((t) => t.scopes === 'unread') || (overrides('__init__') && chosen.some((t) => !t.scopes))) return ownCode(cls.name, at, evidence);
    const counted = PRINCIPALS.filter((_, i) => perClient[i].outcome !== 'pass');
    if (counted.length < PRINCIPALS.length) evidence.push({ ...at, message: `\`${deciding('pass')}\` lets ${counted[0] === 'anonymous' ? 'signed-in users' : 'anonymous clients'} through before DRF counts them`, concern: 'anonymous-only' });
    const store = storeOf(cls.ref);
    if (store.kind === 'dummy' && store.evidence) {
      evidence.push({ ...store.evidence, message: `${store.evidence.message}: DRF never throttles` });
      return { limits: [] };
    }
    const builtin = BUILTIN.get(cls.builtin) ?? {};
    const own = (name: string): ReturnType<typeof classAttribute> => (cls.ref ? classAttribute(project, cls.ref, name, at) : undefined);
    // ScopedRateThrottle replaces `rate` with the view's scope rate in allow_request().
    const ownRate = cls.builtin === 'ScopedRateThrottle' ? undefined : own('rate');
    const scoped = cls.builtin === 'ScopedRateThrottle';
    const scopeSource = scoped ? viewAttribute(view, 'throttle_scope') : own('scope');
    const classScope = scoped && scopeInCode !== undefined ? scopeInCode : scopeSource ? scopeSource.value && project.stringValue(scopeSource.value.expr, scopeSource.value.ctx) : builtin.scope;
    // SimpleRateThrottle reads its `THROTTLE_RATES` attribute: a class of the project's may hold its own (edX credentials').
    const ownRates = own('THROTTLE_RATES');
    const scopeRates: { value: SettingValue | undefined; name: string } = ownRates
      ? { value: ownRates.value ? { kind: 'value', ...ownRates.value, at: ownRates.at } : { kind: 'dynamic', why: `\`${cls.name}.THROTTLE_RATES\` is computed at run time`, at: ownRates.at }, name: `\`${cls.name}.THROTTLE_RATES\`` }
      : { value: rates, name: 'DEFAULT_THROTTLE_RATES' };
    /** The rate DRF reads for one scope (the class's own when undefined): a limit, none, or unknown (with evidence). */
    const rateOfScope = (scope: string | undefined): RateRead | 'none' | 'unknown' => {
      let rate: SettingValue;
      if (ownRate && scope === undefined) {
        rate = ownRate.value ? { kind: 'value', ...ownRate.value, at: ownRate.at } : { kind: 'dynamic', why: `\`${cls.name}.rate\` is computed at run time`, at: ownRate.at };
      } else {
        const read = scope ?? classScope;
        if (read === undefined) {
          if (scoped && !scopeSource) {
            evidence.push({ ...at, message: '`ScopedRateThrottle` without a `throttle_scope` on the view lets every request through' });
            return 'none';
          }
          const message = scopeSource ? 'the throttle scope is not static' : `\`${cls.name}\` has neither \`rate\` nor \`scope\`: DRF raises ImproperlyConfigured on every request`;
          evidence.push({ ...(scopeSource?.at ?? at), message });
          return 'unknown';
        }
        rate = rateFor(project, scopeRates, read, at, evidence);
      }
      if (rate.kind === 'dynamic') {
        evidence.push({ ...rate.at, message: rate.why });
        return 'unknown';
      }
      if (rate.kind === 'absent' || rate.expr.k === 'none') return 'none';
      const text = project.stringValue(rate.expr, rate.ctx);
      const parsed = text === undefined ? undefined : parseDrfRate(text);
      if (text === undefined || !parsed?.ok) {
        evidence.push({ ...rate.at, message: parsed && !parsed.ok ? parsed.reason : `rate \`${Project.describe(rate.expr)}\` is computed at run time`, concern: parsed && !parsed.ok ? 'invalid-rate' : undefined });
        return 'unknown';
      }
      if (parsed.note) evidence.push({ ...rate.at, message: parsed.note, concern: 'invalid-rate' });
      return { text, at: rate.at, perSecond: parsed.item.count / parsed.item.seconds };
    };
    // Per kind of client DRF counts, the most lenient rate of the scopes it may be counted under.
    const known = new Map<string | undefined, ReturnType<typeof rateOfScope>>();
    const rateOf = (scope: string | undefined): ReturnType<typeof rateOfScope> => known.get(scope) ?? known.set(scope, rateOfScope(scope)).get(scope)!;
    const perCounted = chosen.map(({ scopes: set }) => {
      // A way through that sets no scope reads the class's; without one DRF's get_rate() raises: no request passes so.
      const scopes = set && set !== 'unread' ? [...set.scopes, ...(set.always || classScope === undefined ? [] : [classScope])] : [undefined];
      const rates = scopes.map(rateOf);
      if (rates.includes('unknown')) return 'unknown';
      if (rates.includes('none')) return 'none';
      return (rates as RateRead[]).reduce((a, b) => (b.perSecond > a.perSecond ? b : a));
    });
    if (perCounted.includes('unknown')) return { limits: [], unknown: true };
    if (chosen.some((t) => t.scopes)) evidence.push(scopesEvidence(cls.name, counted, chosen, perCounted, at));
    const limits: Limit[] = [];
    counted.forEach((principal, i) => {
      const rate = perCounted[i];
      if (rate === 'none' || rate === 'unknown') return;
      if (builtin.principals && !keying && !builtin.principals.includes(principal)) return;
      const same = limits.find((l) => l.rate === rate.text && l.file === rate.at.file && l.line === rate.at.line);
      if (same) same.principals?.push(principal);
      else limits.push({ rate: rate.text, source, library: DESCRIPTOR.id, scope: 'shared', algorithm: 'sliding-log', ...rate.at, principals: [principal] });
    });
    if (!limits.length) return { limits: [] };
    for (const limit of limits) if (limit.principals?.length === PRINCIPALS.length) delete limit.principals;
    if (builtin.principals && !keying) evidence.push({ ...at, message: `\`${cls.name}\` counts anonymous clients only: signed-in users are not limited by it`, concern: 'anonymous-only' });
    if (store.evidence) evidence.push(store.evidence);
    if (store.ignoresErrors) {
      evidence.push({ ...store.ignoresErrors, message: `${store.ignoresErrors.message}: while Redis is unreachable every throttle finds an empty request history, so DRF lets every request through`, concern: 'fail-open' });
    }
    // Every built-in counts anonymous clients by BaseThrottle.get_ident; an own cache key only when it calls it.
    const identified = !keying || keying.mod.calls.some(({ scope, call }) => scope === keying.fn.bodyScope && call.fn.k === 'attr' && call.fn.name === 'get_ident');
    if (forwardedIdent && identified && !overrides('get_ident')) evidence.push(forwardedIdent);
    return { limits };
  };

  const resolve = (draft: RouteDraft<DjangoRouteContext>, method: string, evidence: Evidence[]): Decision | undefined => {
    const view = draft.context.view;
    if (view?.unreadBases) {
      evidence.push({ file: view.handlerFile, line: view.handlerLine, message: `\`${view.handler}\` ${view.unreadBases}: whether DRF throttles it cannot be read` });
      return { limits: [], unknown: true };
    }
    if (!view?.drf) return undefined;
    const list = throttleList(view, { file: draft.route.file, line: draft.route.line }, method, evidence);
    if (list === 'dynamic') return { limits: [], unknown: true };
    if (!list.items) {
      evidence.push({ ...list.at, message: `${list.what} is not a static list` });
      return { limits: [], unknown: true };
    }
    if (!list.items.length && !list.added?.length) {
      // No default throttles is not an exemption of this view; rates configured for no class are a wiring mistake.
      const byDefault = list.source === 'settings';
      evidence.push({ ...list.at, message: list.emptyWhy ?? `${list.what} is empty: DRF throttles nothing here`, concern: byDefault ? undefined : 'exempt' });
      if (byDefault && rates?.kind === 'value' && !viewsListThrottles()) {
        evidence.push({ ...rates.at, message: 'DEFAULT_THROTTLE_RATES is set, but no throttle class uses it: REST_FRAMEWORK enables no DEFAULT_THROTTLE_CLASSES and no view lists throttle classes, so DRF throttles nothing', concern: 'limiter-not-wired' });
      }
      return { limits: [] };
    }
    const parts = [
      ...list.items.map((item) => throttle(item, view, list.source, method, evidence, list.scope)),
      ...(list.added ?? []).map((item) => throttle(item, view, 'view', method, evidence, list.scope)),
    ];
    return { limits: parts.flatMap((p) => p.limits), unknown: parts.some((p) => p.unknown) };
  };

  return {
    // Once per route and method (a throttle's own `allow_request` may treat methods apart); evidence goes to the route's list.
    protect(draft, method) {
      return contribution((evidence) => {
        const resolved = byRoute.get(draft) ?? new Map<string, Decision | undefined>();
        byRoute.set(draft, resolved);
        if (!resolved.has(method)) resolved.set(method, resolve(draft, method, evidence));
        return resolved.get(method);
      });
    },
  };
};

/** See chosenThrottles: the throttles `get_throttles()` adds, whether DRF's own list comes with them, and the scope it sets. */
interface ChosenThrottles {
  added: { expr: Expr; ctx: Ctx }[];
  listed: boolean;
  scope?: string;
}

/**
 * What a view's own `get_throttles(self)` gives requests of this method (and viewset action): a list of throttle
 * instances it returns (`[BurstRateThrottle()]`), DRF's own choice through `super().get_throttles()`, or both
 * (`[*super().get_throttles(), ScopedRateThrottle()]`), with the `throttle_scope` it sets on the way (`self.
 * throttle_scope = "list" if self.action == "list" else "detail"`); undefined when a branch on the way reads more
 * than the method and action, or it returns anything else.
 */
function chosenThrottles(project: Project, ref: FunctionRef, method: string, action: string | undefined): ChosenThrottles | undefined {
  const self = ref.fn.params[0]?.name;
  const isSelf = (e: Expr): boolean => e.k === 'name' && e.id === self;
  const reached = reachedReturn(project, ref, (e) => {
    if (e.k !== 'attr') return undefined;
    if (e.name === 'action' && isSelf(e.obj)) return action;
    return e.name === 'method' && e.obj.k === 'attr' && e.obj.name === 'request' && isSelf(e.obj.obj) ? method : undefined;
  });
  const returned = reached && (reached.expr.k === 'name' ? grownList(ref, reached.expr.id, reached) : reached.expr);
  if (!reached || !returned) return undefined;
  // `[BurstRateThrottle()]`, `super().get_throttles()`, or both joined (`[*super().get_throttles(), Scoped()]`, `+`).
  const parts = returned.k === 'concat' ? returned.parts : [returned];
  const listed = parts.filter((part) => callsSuper(part, 'get_throttles')).length;
  const instances = parts.flatMap((part) => (part.k === 'seq' ? part.items : []));
  if (listed > 1 || listed + parts.filter((part) => part.k === 'seq').length < parts.length) return undefined;
  const items = instances.map((i) => (i.k === 'call' && !i.args.length && !i.kwargs.length ? { expr: i.fn, ctx: reached.ctx } : undefined));
  if (!items.every((i) => i)) return undefined;
  const added = items as { expr: Expr; ctx: Ctx }[];
  if (!listed) return { added, listed: false };
  // `self.throttle_scope = ...` on the way to the return (recorded as `self.__setattr__("throttle_scope", ...)`).
  const returnLine = reached.ctx.line + 1;
  const set = ref.mod.calls.filter(({ scope, call }) => scope === ref.fn.bodyScope && lineOf(call.loc) < returnLine && call.fn.k === 'attr' && call.fn.name === '__setattr__' && isSelf(call.fn.obj) && !reached.armsAt(lineOf(call.loc)).includes(false));
  if (set.some(({ call }) => call.args[0]?.k !== 'str' || call.args[0].v !== 'throttle_scope')) return undefined;
  const last = set[set.length - 1]?.call;
  if (!last) return { added, listed: true };
  const scope = last.args[1] && reached.value(last.args[1], lineOf(last.loc) - 1);
  return typeof scope === 'string' ? { added, listed: true, scope } : undefined;
}

/**
 * A list the body names and grows on the way to the return (modoboa's `throttles = [UserRateThrottle()]`, then
 * `throttles.append(UserLesserDdosUser())` in the branch the action takes): its items and those appended in
 * branches that run. Undefined when it is assigned more than once or in a branch, grown otherwise, or grown in a
 * branch left undecided.
 */
function grownList({ mod, fn }: FunctionRef, name: string, reached: ReachedReturn): Expr | undefined {
  const returnLine = reached.ctx.line + 1;
  const assigned = (mod.bindings[fn.bodyScope] ?? []).filter((b) => b.name === name && b.line < returnLine);
  const [first] = assigned;
  if (assigned.length !== 1 || first.kind !== 'assign' || first.value.k !== 'seq' || reached.armsAt(first.line).length) return undefined;
  const items = [...first.value.items];
  for (const { scope, call } of mod.calls) {
    const line = lineOf(call.loc);
    if (scope !== fn.bodyScope || line >= returnLine || call.fn.k !== 'attr' || call.fn.obj.k !== 'name' || call.fn.obj.id !== name) continue;
    const arms = reached.armsAt(line);
    if (arms.includes(false)) continue;
    if (arms.includes(undefined) || call.fn.name !== 'append' || call.args.length !== 1) return undefined;
    items.push(call.args[0]);
  }
  return { k: 'seq', items };
}

/** How DRF treats one kind of client's requests under a throttle's own methods: see clientTreatment. */
type Treatment = { outcome: 'pass' | 'undecided'; by: string } | Counted;

/**
 * Counted by DRF; `scopes`: those an own `allow_request` may set for this kind of client before it reads the rate
 * anew (`always`: whichever way it goes it sets one), `unread` when it sets a scope or the rate otherwise, undefined
 * when it sets neither.
 */
interface Counted {
  outcome: 'counted';
  scopes?: { scopes: string[]; always: boolean } | 'unread';
}

/**
 * What a throttle's own `allow_request(self, request, view)` and `get_cache_key(self, request, view)` do with a
 * request of this method from this kind of client: `pass` when `allow_request` first reaches `return True` or
 * `get_cache_key` returns None (DRF lets the request through uncounted), counted when `allow_request` hands it to
 * the base class's and `get_cache_key` returns a key; `undecided` (naming the method) when a branch on the way
 * reads more of the request than its method and the client's kind, or either returns anything else. `allowing` is
 * null when another project class overrides `allow_request` too (its `super()` is not DRF's own).
 */
function clientTreatment(project: Project, own: { allowing?: FunctionRef | null; keying?: FunctionRef }, method: string, principal: Principal): Treatment {
  const reachedFor = (ref: FunctionRef): ReachedReturn | undefined => reachedReturn(project, ref, requestFacts(project, ref.fn.params[1]?.name ?? 'request', method, principal));
  let scopes: Counted['scopes'];
  if (own.allowing !== undefined) {
    const reached = own.allowing ? reachedFor(own.allowing) : undefined;
    if (reached?.expr.k === 'bool' && reached.expr.v) return { outcome: 'pass', by: 'allow_request' };
    if (!reached || !callsSuper(reached.expr, 'allow_request')) return { outcome: 'undecided', by: 'allow_request' };
    scopes = chosenScopes(own.allowing!, reached);
  }
  if (own.keying) {
    const reached = reachedFor(own.keying);
    if (reached?.expr.k === 'none') return { outcome: 'pass', by: 'get_cache_key' };
    if (!reached || !isKey(reached.expr)) return { outcome: 'undecided', by: 'get_cache_key' };
  }
  return { outcome: 'counted', scopes };
}

/**
 * The scopes an own `allow_request` sets (`self.scope = "user"`) on lines that may run on the way to its return,
 * when it then reads the rate anew (`self.rate = self.get_rate()`, on every way there) as JumpServer's throttle
 * does to count each kind of client at its own rate. See Counted.
 */
function chosenScopes(ref: FunctionRef, reached: ReachedReturn): Counted['scopes'] {
  const self = ref.fn.params[0]?.name ?? 'self';
  const assigned = (attribute: string): Extract<Binding, { kind: 'assign' }>[] =>
    (ref.mod.bindings[ref.fn.bodyScope] ?? []).filter((b): b is Extract<Binding, { kind: 'assign' }> => b.kind === 'assign' && b.name === `${self}.${attribute}`);
  const scopes = assigned('scope');
  const [rate, ...more] = assigned('rate');
  if (!scopes.length && !rate) return undefined;
  const surely = (line: number): boolean => reached.armsAt(line).every((taken) => taken === true);
  const rereads = rate?.value.k === 'call' && !rate.value.args.length && rate.value.fn.k === 'attr' && rate.value.fn.name === 'get_rate' && rate.value.fn.obj.k === 'name' && rate.value.fn.obj.id === self;
  if (!rereads || more.length || !surely(rate.line) || rate.line > reached.ctx.line + 1) return 'unread';
  const running = scopes.filter((b) => !reached.armsAt(b.line).includes(false));
  const literal = running.map((b) => (b.value.k === 'str' && b.line < rate.line ? b.value.v : undefined));
  if (literal.includes(undefined)) return 'unread';
  return { scopes: [...new Set(literal as string[])], always: running.some((b) => surely(b.line)) };
}

/** A cache key that is never None: a text built from literal parts (`self.cache_format % {...}`, an f-string, `a + b`). */
function isKey(expr: Expr): boolean {
  if (expr.k === 'str' || expr.k === 'fstr' || expr.k === 'concat') return true;
  return expr.k === 'call' && expr.fn.k === 'attr' && (expr.fn.name === '__mod__' || (expr.fn.name === 'format' && expr.fn.obj.k === 'str'));
}

/** A throttle whose own code decides per request in ways apiposture does not read. */
function ownCode(name: string, at: SourceRef, evidence: Evidence[]): Decision {
  evidence.push({ ...at, message: `\`${name}\` decides per request in its own code: whether it throttles is unknown` });
  return { limits: [], unknown: true };
}

/** What the evidence says of the scopes an own `allow_request` sets: each kind of client's, and the rate reported. */
function scopesEvidence(name: string, counted: readonly Principal[], chosen: Counted[], rates: (RateRead | 'none' | 'unknown')[], at: SourceRef): Evidence {
  const who = (p: Principal): string => (p === 'anonymous' ? 'anonymous clients' : 'signed-in users');
  const parts = counted.map((p, i) => {
    const scopes = chosen[i].scopes;
    const listed = scopes && scopes !== 'unread' ? scopes.scopes.map((s) => `\`${s}\``).join(' or ') : 'its own scope';
    const rate = rates[i];
    const reported = typeof rate === 'string' ? 'no limit' : scopes && scopes !== 'unread' && scopes.scopes.length > 1 ? `the most lenient, ${rate.text}` : rate.text;
    return `${who(p)} under ${listed} (${reported})`;
  });
  return { ...at, message: `\`${name}.allow_request\` picks the scope per request: ${parts.join(', ')}` };
}

/**
 * A class attribute (own or inherited) as an expression: a literal, or the call that computes it (so an
 * `os.getenv("RATE", "10/minute")` reads as its fallback); `value` is absent when it cannot be followed, or when a
 * class apiposture cannot read comes first in Python's order. Undefined when no project class sets it, or when a
 * DRF view class supplies its own first (`class Login(Base, Strict)` with `Base(APIView)`: APIView's
 * `throttle_classes`, the project's defaults, win over Strict's).
 */
function classAttribute(project: Project, ref: ClassRef, name: string, fallback: SourceRef): { value?: { expr: Expr; ctx: Ctx }; at: SourceRef } | undefined {
  if (!project.classAttribute(ref, name)) return undefined;
  const owner = drfAttributeOwner(project, ref, name);
  if ('library' in owner) return undefined;
  const values = !('unread' in owner) && project.classAttribute(owner, name);
  if (!values) return { at: fallback };
  const v = values.length === 1 ? values[0] : undefined;
  const value = v?.kind === 'literal' ? { expr: v.expr, ctx: v.ctx } : v?.kind === 'instance' ? { expr: v.site.call as Expr, ctx: v.site.ctx } : undefined;
  return { value, at: value ? { file: value.ctx.mod.file, line: exprLine(value.expr, value.ctx.line) } : fallback };
}

// What DRF's view classes set among the attributes read here (rest_framework/views.py APIView); the Django and DRF
// mixins and views apiposture knows (tables.ts) set none of them otherwise.
const DRF_VIEW_ATTRIBUTES = new Set(['throttle_classes', 'get_throttles']);

/** Where Python finds a DRF view's attribute or method `name` (see attributeOwner). */
function drfAttributeOwner(project: Project, ref: ClassRef, name: string): ReturnType<typeof attributeOwner> {
  return attributeOwner(project, ref, name, (qname) => (externalView(qname)?.drf && DRF_VIEW_ATTRIBUTES.has(name) ? 'sets' : externalView(qname) ? 'none' : 'unknown'));
}

/** The cache alias a throttle class counts in: `cache = caches["alias"]` on it or a project base, else DRF's `default`. */
function cacheAlias(project: Project, ref: ClassRef): string | undefined {
  for (const c of project.classChain(ref)) {
    const binding = (c.mod.bindings[c.cls.bodyScope] ?? []).filter((b) => b.name === 'cache').pop();
    if (!binding) continue;
    if (binding.kind !== 'assign' || binding.value.k !== 'subscript') return undefined;
    const { obj, index } = binding.value;
    const ctx = { mod: c.mod, scope: c.cls.bodyScope, line: binding.line };
    const fromCaches = project.resolve(obj, ctx).some((v) => v.kind === 'external' && v.qname === 'django.core.cache.caches');
    return fromCaches ? project.stringValue(index, ctx) : undefined;
  }
  return 'default';
}

/**
 * `BaseThrottle.get_ident` with NUM_PROXIES None (DRF's default) takes the whole X-Forwarded-For header as sent,
 * REMOTE_ADDR only when there is none (rest_framework/throttling.py, run on DRF 3.14); undefined when NUM_PROXIES is set.
 */
function identFromForwardedFor(settings: DjangoSettings): Evidence | undefined {
  const proxies = settings.entry('REST_FRAMEWORK', 'NUM_PROXIES');
  if (proxies.kind === 'dynamic' || (proxies.kind === 'value' && proxies.expr.k !== 'none')) return undefined;
  const config = settings.read('REST_FRAMEWORK');
  const at = proxies.kind === 'value' ? proxies.at : config.kind === 'absent' ? { file: settings.mod.file, line: 1 } : config.at;
  const what = proxies.kind === 'value' ? '`NUM_PROXIES` is None' : 'REST_FRAMEWORK sets no `NUM_PROXIES`';
  return {
    ...at,
    message: `${what}: DRF identifies anonymous clients by the X-Forwarded-For header as sent (REMOTE_ADDR only without one), so a new X-Forwarded-For value with each request gets a fresh throttle count; set NUM_PROXIES to the number of proxies in front of the app`,
    concern: 'spoofable-key',
  };
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

/** `DEFAULT_THROTTLE_RATES[scope]` (or the class's own table); DRF's own default is `{"user": None, "anon": None}`; a missing scope raises. */
function rateFor(project: Project, { value: rates, name }: { value: SettingValue | undefined; name: string }, scope: string, at: SourceRef, evidence: Evidence[]): SettingValue {
  if (!rates || rates.kind === 'absent') {
    if (scope === 'anon' || scope === 'user') return { kind: 'absent' };
    return { kind: 'dynamic', why: `no ${name} entry for scope \`${scope}\`: DRF raises ImproperlyConfigured on every request`, at };
  }
  const entry = entryOf(project, rates, scope);
  if (entry.kind === 'absent') {
    evidence.push({ ...(rates.kind === 'value' ? rates.at : at), message: `${name} has no \`${scope}\` scope: DRF raises ImproperlyConfigured on every request` });
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

export const drfThrottling: DjangoLibrary = {
  descriptor: DESCRIPTOR,
  resolver,
};
