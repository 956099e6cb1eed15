/**
 * The expensive-endpoint model (reference part E): what makes a route costly or abuse-prone. Calls come from
 * the handler's body and from the project functions it calls, followed HELPER_DEPTH calls deep across
 * modules; hints come from words in the path and the handler's name. Knowledge of libraries lives in
 * src/cost-calls.ts; this module only resolves calls against it. Works from module facts alone, caching
 * each function's signals, so every function body is read at most once per depth.
 */
import type { AnalyzedRoute, CostSignal, SourceRef } from './model';
import { compareText, declaredMethods } from './model';
import type { BodyCall, Expr, FunctionDef, ModuleFacts } from './python/ir';
import { dottedName, exprLine, kwarg, lineOf } from './python/ir';
import type { ClassRef, Ctx, FunctionRef, Project, Value } from './python/project';
import { COST_CALLS, HINT_WORDS, type CostCall, type CostKind } from './cost-calls';

/** How many calls away from the handler project helpers are followed (the handler's own body is depth 0). */
export const HELPER_DEPTH = 3;

/**
 * Methods a class view runs for each HTTP method: Django and Flask handlers, DRF actions and the hooks
 * they call. `dispatch` and `__call__` run for every method.
 */
const CLASS_VIEW_METHODS = new Map([
  ['GET', ['get', 'list', 'retrieve', 'get_queryset', 'get_object', 'get_context_data']],
  ['POST', ['post', 'create', 'perform_create', 'form_valid']],
  ['PUT', ['put', 'update', 'perform_update', 'form_valid', 'get_queryset', 'get_object']],
  ['PATCH', ['patch', 'partial_update', 'perform_update', 'get_queryset', 'get_object']],
  ['DELETE', ['delete', 'destroy', 'perform_destroy', 'get_queryset', 'get_object']],
]);
const EVERY_METHOD = ['dispatch', '__call__'];
// What a WebSocket endpoint class runs per connection and message: Channels consumers, Starlette's WebSocketEndpoint.
const SOCKET_METHODS = ['connect', 'receive', 'receive_json', 'websocket_connect', 'websocket_receive', 'on_connect', 'on_receive'];

interface MethodPattern {
  chain: string[]; // attribute names, `.chat.completions.create` as ['chat', 'completions', 'create']
  call: CostCall;
}

/** The table, indexed once: qualified names expanded, method patterns by their last attribute. */
const BY_NAME = new Map<string, CostCall[]>();
const BY_METHOD = new Map<string, MethodPattern[]>();
const BY_KEYWORD: { suffix: string; call: CostCall }[] = [];
for (const call of COST_CALLS) {
  for (const name of (call.names ?? []).flatMap(expandBraces)) BY_NAME.set(name, [...(BY_NAME.get(name) ?? []), call]);
  for (const method of call.methods ?? []) {
    const chain = method.slice(1).split('.');
    const last = chain[chain.length - 1];
    BY_METHOD.set(last, [...(BY_METHOD.get(last) ?? []), { chain, call }]);
  }
  for (const suffix of call.keywordSuffixes ?? []) BY_KEYWORD.push({ suffix, call });
}
const HINT_CATEGORY = new Map(Object.entries(HINT_WORDS).flatMap(([category, words]) => words.map((w) => [w, category] as const)));

/** `a.{b,c}.d` → `a.b.d`, `a.c.d`; several groups multiply. */
function expandBraces(pattern: string): string[] {
  const group = /\{([^{}]*)\}/.exec(pattern);
  if (!group) return [pattern];
  const [before, after] = [pattern.slice(0, group.index), pattern.slice(group.index + group[0].length)];
  return group[1].split(',').flatMap((option) => expandBraces(before + option + after));
}

export class CostModel {
  // Handlers by file and dotted name, functions before classes; the first definition of a name wins.
  private readonly handlers = new Map<string, FunctionRef | ClassRef>();
  // Signals of a function's body, by the depth still allowed below it.
  private readonly cache = new Map<FunctionDef, CostSignal[][]>();
  private readonly entryCache = new Map<FunctionDef, CostSignal[]>();

  /** `custom`: calls the user declares in configuration; a declared name matches a resolved name's tail too. */
  constructor(
    private readonly project: Project,
    private readonly custom: { call: string; kind: CostKind }[] = [],
  ) {
    const add = (mod: ModuleFacts, qualname: string, ref: FunctionRef | ClassRef): void => {
      const key = `${mod.file}\0${mod.module}.${qualname}`;
      if (!this.handlers.has(key)) this.handlers.set(key, ref);
    };
    for (const mod of project.modules) for (const fn of mod.functions) add(mod, fn.qualname, { mod, fn });
    for (const mod of project.modules) for (const cls of mod.classes) add(mod, cls.qualname, { mod, cls });
  }

  private entriesNamed(qname: string): CostCall[] {
    const declared = this.custom.filter((c) => qname === c.call || qname.endsWith(`.${c.call}`)).map((c) => ({ kind: c.kind, names: [c.call] }));
    return [...(BY_NAME.get(qname) ?? []), ...declared];
  }

  /** Sorted, deduplicated: calls before hints (`call` sorts before `hint`), then by file, line, kind and detail. */
  signals(route: AnalyzedRoute): CostSignal[] {
    const unique = new Map<string, CostSignal>();
    for (const s of [...this.handlerSignals(route), ...hintSignals(route)]) unique.set(`${s.strength}\0${s.kind}\0${s.detail}\0${s.file}\0${s.line}`, s);
    return [...unique.values()].sort(
      (a, b) => compareText(a.strength, b.strength) || compareText(a.file, b.file) || a.line - b.line || compareText(a.kind, b.kind) || compareText(a.detail, b.detail),
    );
  }

  private handlerSignals(route: AnalyzedRoute): CostSignal[] {
    const handler = this.handlers.get(`${route.handlerFile}\0${route.handler}`);
    if (handler && 'fn' in handler) return this.entrySignals(handler);
    if (handler) return this.classSignals(route, handler);
    // A library view (`LoginView`, `obtain_auth_token`): its name is the evidence.
    return this.nameSignals([route.handler], { file: route.handlerFile, line: route.handlerLine });
  }

  /**
   * A class view: its library bases by name (a `LoginView` subclass checks passwords), then the methods that
   * serve the route. A DRF `@action` whose path is in the route's path serves it alone; otherwise the
   * handlers, actions and hooks of the route's methods (CLASS_VIEW_METHODS; a WebSocket endpoint's SOCKET_METHODS),
   * own or inherited from project bases.
   */
  private classSignals(route: AnalyzedRoute, ref: ClassRef): CostSignal[] {
    const servesRoute = (fn: FunctionDef): boolean => {
      const action = actionPath(fn);
      return action !== undefined && `${route.path}/`.includes(`/${action}/`);
    };
    const actions = this.project.classChain(ref).flatMap((c) => c.mod.functions.filter((f) => f.scope === c.cls.bodyScope && servesRoute(f)).map((fn) => ({ mod: c.mod, fn })));
    const served = route.kind === 'websocket' ? SOCKET_METHODS : declaredMethods(route).flatMap((m) => CLASS_VIEW_METHODS.get(m) ?? [m.toLowerCase()]);
    const names = new Set([...EVERY_METHOD, ...served]);
    const methods = actions.length ? actions : [...names].flatMap((name) => this.project.methodOf(ref, name) ?? []);
    const bases = this.nameSignals(this.project.externalBases(ref), { file: ref.mod.file, line: lineOf(ref.cls.loc) });
    return [...bases, ...methods.flatMap((m) => this.entrySignals(m))];
  }

  /**
   * A function serving the route: its body and helpers, its decorators (`@cache_page`) and parameter types
   * (`UploadFile`). Once per function: a handler with many route decorators serves many routes.
   */
  private entrySignals(ref: FunctionRef): CostSignal[] {
    let signals = this.entryCache.get(ref.fn);
    if (!signals) {
      signals = this.uncachedEntrySignals(ref);
      this.entryCache.set(ref.fn, signals);
    }
    return signals;
  }

  private uncachedEntrySignals(ref: FunctionRef): CostSignal[] {
    const ctx: Ctx = { mod: ref.mod, scope: ref.fn.scope, line: lineOf(ref.fn.loc) };
    const decorators = ref.fn.decorators.map((d): BodyCall => ({ fn: d.k === 'call' ? d.fn : d, line: exprLine(d, lineOf(ref.fn.loc)) }));
    const params = ref.fn.params.flatMap((p) => [...typeParts(p.annotation), ...(p.default?.k === 'call' ? [p.default.fn] : [])]);
    const declared = [...decorators, ...params.map((fn): BodyCall => ({ fn, line: lineOf(ref.fn.loc) }))];
    return [...declared.flatMap((call) => this.callSignals(call, ctx, ref, 0)), ...this.bodySignals(ref, HELPER_DEPTH)];
  }

  private bodySignals(ref: FunctionRef, depth: number): CostSignal[] {
    const byDepth = this.cache.get(ref.fn) ?? [];
    this.cache.set(ref.fn, byDepth);
    // Each followed call lowers the depth, so a cycle between helpers ends at depth 0.
    byDepth[depth] ??= ref.fn.calls.flatMap((call) => this.callSignals(call, { mod: ref.mod, scope: ref.fn.bodyScope, line: call.line }, ref, depth));
    return byDepth[depth];
  }

  /** What one call shows (one signal per kind), then what the project functions it runs show, while depth remains. */
  private callSignals(call: BodyCall, ctx: Ctx, owner: FunctionRef, depth: number): CostSignal[] {
    const values = this.callees(call.fn, ctx, owner);
    const followed: FunctionRef[] = [];
    const qnames: string[] = [];
    for (const v of values) {
      if (v.kind === 'function') followed.push(v.ref);
      else qnames.push(...this.qualifiedNames(v));
      const init = v.kind === 'class' ? this.project.methodOf(v.ref, '__init__') : undefined;
      if (init) followed.push(init);
    }
    const at: SourceRef = { file: ctx.mod.file, line: call.line };
    const signals: CostSignal[] = [];
    for (const { entry, detail } of this.matches(call, ctx, qnames, !followed.length)) {
      if (!signals.some((s) => s.kind === entry.kind)) signals.push({ kind: entry.kind, detail, strength: 'call', ...at });
    }
    // Deferred work runs elsewhere, but the request still causes it: follow the task.
    if (signals.some((s) => s.kind === 'deferred-work')) followed.push(...this.tasks(call, ctx, values));
    if (depth > 0) for (const ref of followed) signals.push(...this.bodySignals(ref, depth - 1));
    return signals;
  }

  /** The callee's values; `self.helper()` in a method is the class's (or a project base's) method. */
  private callees(fn: Expr, ctx: Ctx, owner: FunctionRef): Value[] {
    const method = this.project.ownMethod(owner, fn);
    return method ? [{ kind: 'function', ref: method }] : this.project.resolve(fn, ctx);
  }

  /** Library names a value stands for: `ctx.hash` on `ctx = CryptContext()` is `passlib.context.CryptContext.hash`. */
  private qualifiedNames(value: Value): string[] {
    switch (value.kind) {
      case 'external':
        return [value.qname];
      case 'instance':
        return value.types;
      case 'member':
        return this.qualifiedNames(value.of).map((q) => `${q}.${value.name}`);
      case 'result':
        return this.qualifiedNames(value.callee);
      case 'class':
        return [`${value.ref.mod.module}.${value.ref.cls.qualname}`, ...this.project.externalBases(value.ref)];
      default:
        return [];
    }
  }

  /** Table entries a call matches: by qualified name, by method chain (unless it runs project code), by keyword. */
  private matches(call: BodyCall, ctx: Ctx, qnames: string[], byMethod: boolean): { entry: CostCall; detail: string }[] {
    const found = qnames.flatMap((q) => this.entriesNamed(q).map((entry) => ({ entry, detail: q })));
    const last = call.fn.k === 'attr' ? call.fn.name : '';
    for (const { chain, call: entry } of byMethod ? BY_METHOD.get(last) ?? [] : []) {
      const receiver = receiverOf(call.fn, chain);
      const pattern = entry.receiver;
      if (!receiver) continue;
      // The receiver as written (`twilio_client`) or as resolved (`twilio.rest.Client`).
      const receiverNames = [calleeText(receiver), ...this.resolvedReceiver(receiver, ctx)];
      if (!pattern || receiverNames.some((r) => pattern.test(r))) found.push({ entry, detail: calleeText(call.fn) });
    }
    for (const keyword of call.keywords ?? []) {
      for (const { suffix, call: entry } of BY_KEYWORD) if (keyword.endsWith(suffix)) found.push({ entry, detail: `${keyword}=` });
    }
    return found.filter(({ entry }) => this.holds(entry, call, ctx));
  }

  private holds(entry: CostCall, call: BodyCall, ctx: Ctx): boolean {
    if (entry.keyword && !call.keywords?.includes(entry.keyword)) return false;
    if (entry.firstArgument !== undefined && !(call.arg0?.k === 'str' && call.arg0.v === entry.firstArgument)) return false;
    return !entry.dynamicFirstArgument || (!!call.arg0 && this.project.stringValue(call.arg0, ctx) === undefined);
  }

  /**
   * The library names a method's receiver stands for (an attribute's own name), unless it is data read off a project class or its instances
   * (`file.content.decode()` on a pydantic model, `Account.objects.get(...).password.encode()` on a Django one: the
   * `BaseModel` or `Model` they derive from says nothing of their fields).
   */
  private resolvedReceiver(receiver: Expr, ctx: Ctx): string[] {
    const projectData = (v: Value): boolean =>
      (v.kind === 'member' && (v.of.kind === 'class' || (v.of.kind === 'instance' && v.of.cls !== undefined) || projectData(v.of))) || (v.kind === 'result' && projectData(v.callee));
    // An attribute of something else is named by itself: `app.state.embedder`, not a field of a `Model` instance.
    return this.project.resolve(receiver, ctx).flatMap((v) => (projectData(v) ? [] : v.kind === 'member' ? [v.name] : this.qualifiedNames(v)));
  }

  /** The project functions a deferred-work call runs: the receiver of `task.delay()`, the first argument of `add_task(fn)`. */
  private tasks(call: BodyCall, ctx: Ctx, values: Value[]): FunctionRef[] {
    const receivers = values.flatMap((v) => (v.kind === 'member' && v.of.kind === 'function' ? [v.of.ref] : []));
    const argument = call.arg0 ? this.project.resolve(call.arg0, ctx).flatMap((v) => (v.kind === 'function' ? [v.ref] : [])) : [];
    return [...receivers, ...argument];
  }

  private nameSignals(qnames: string[], at: SourceRef): CostSignal[] {
    return qnames.flatMap((q) => this.entriesNamed(q).map((entry) => ({ kind: entry.kind, detail: q, strength: 'call' as const, ...at })));
  }
}

/** Words of the path (at the route) and of the handler's name (at the handler) that hint at a category. */
function hintSignals(route: AnalyzedRoute): CostSignal[] {
  const handlerName = route.handler.split('.').pop() ?? '';
  const seen = new Set<string>();
  const hints = (text: string, at: SourceRef): CostSignal[] =>
    words(text).flatMap((word) => {
      const category = HINT_CATEGORY.get(word);
      if (!category || seen.has(word)) return [];
      seen.add(word);
      return [{ kind: category, detail: word, strength: 'hint' as const, ...at }];
    });
  return [...hints(route.path, { file: route.file, line: route.line }), ...hints(handlerName, { file: route.handlerFile, line: route.handlerLine })];
}

/** Words split on separators and camelCase; hyphenated words count whole and by part. */
function words(text: string): string[] {
  const tokens = text.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase().split(/[^a-z0-9-]+|(?<=[a-z0-9])_|_(?=[a-z0-9])/).filter(Boolean);
  return [...tokens, ...tokens.flatMap((t) => t.split('-'))];
}

/** The receiver of a method chain as written: `client` in `client.chat.completions.create` for `chat.completions.create`. */
function receiverOf(fn: Expr, chain: string[]): Expr | undefined {
  let e = fn;
  for (const name of [...chain].reverse()) {
    if (e.k !== 'attr' || e.name !== name) return undefined;
    e = e.obj;
  }
  return e;
}

/** A callee as written, calls shown as `()`: `connection.cursor().execute`. */
function calleeText(e: Expr): string {
  if (e.k === 'call') return `${calleeText(e.fn)}()`;
  if (e.k === 'attr') return `${calleeText(e.obj)}.${e.name}`;
  return dottedName(e) ?? '…';
}

/** The names in a parameter annotation: `UploadFile` in `list[UploadFile]` or `Annotated[UploadFile, File()]`. */
function typeParts(annotation: Expr | undefined): Expr[] {
  if (!annotation) return [];
  if (annotation.k === 'subscript') return [annotation.obj, ...typeParts(annotation.index)];
  if (annotation.k === 'seq') return annotation.items.flatMap(typeParts);
  return [annotation.k === 'call' ? annotation.fn : annotation];
}

/** The path segment a DRF `@action` method serves: its `url_path`, else its name; undefined for other methods. */
function actionPath(fn: FunctionDef): string | undefined {
  for (const d of fn.decorators) {
    const callee = d.k === 'call' ? d.fn : d;
    if (dottedName(callee)?.split('.').pop() !== 'action') continue;
    const urlPath = d.k === 'call' ? kwarg(d, 'url_path') : undefined;
    return urlPath?.k === 'str' ? urlPath.v : fn.name;
  }
  return undefined;
}
