/** Helpers every framework extractor shares: walking registrations, loop expansion, literal lists. */
import type { Binding, CallExpr, CallStatement, ClassDef, Expr, FunctionDef, Loc, ModuleFacts } from '../python/ir';
import { columnOf, eachCall, exprLine, lineOf, someExpr } from '../python/ir';
import { bindTargets, comprehensionItems, Project, type Assumption, type Ctx, type FactoryMethod, type FrameworkCallback, type SettingsObject, type StoredKeyword, type Value, type FunctionRef, type ExternalNames } from '../python/project';
import type { AnalyzedRoute } from '../model';
import { namedLikeSite } from '../registration-names';
import { functionDefinedIn, functionOwning, methodCallsOn } from '../python/module-index';

/**
 * Resolves a route's protection, listing on it every assumption its path (taken when drafted) or its protection
 * rests on.
 */
export function protectNoting<C>(project: Project, draft: RouteDraft<C>, protect: (draft: RouteDraft<C>) => AnalyzedRoute): AnalyzedRoute {
  return project.noting(() => {
    const route = protect(draft);
    const assumptions = project.assumedHere(draft.route.assumptions);
    return assumptions.length ? { ...route, assumptions } : route;
  });
}

/** What a route drafted here rests on, for its `assumptions` (omitted when none). */
export function assumedFor(project: Project, earlier?: Assumption[]): { assumptions?: Assumption[] } {
  const assumptions = project.assumedHere(earlier);
  return assumptions.length ? { assumptions } : {};
}

/** A route before protection is resolved; `context` carries what the framework's limiter resolver needs. */
export interface RouteDraft<C> {
  route: Omit<AnalyzedRoute, 'status' | 'limits' | 'evidence'>;
  context: C;
}

export interface Analyzer {
  /** Top-level packages whose import makes a project this framework's (the parse shortcut seeds on them too). */
  packages: readonly string[];
  /** Finds the framework's routes and resolves their protection. */
  analyze(project: Project): AnalyzedRoute[];
  /** Functions the framework calls with its own objects (`lifespan=`): resolution binds their parameters. */
  callbacks?: readonly FrameworkCallback[];
  /** Library methods that make an object of a library class (see FactoryMethod). */
  factories?: readonly FactoryMethod[];
  /** Attributes the framework's classes keep as their construction gave them (see StoredKeyword). */
  storedKeywords?: readonly StoredKeyword[];
  /** Library classes whose attributes are the entries of the settings they are given (see SettingsObject). */
  settingsObjects?: readonly SettingsObject[];
  /** Texts library constants hold, by qualified name (see LibraryDescriptor.constants). */
  constants?: Readonly<Record<string, string>>;
  /** What library names mean when branches are decided (Django: `settings.X` of the one project's settings). */
  settingNames?(project: Project): ExternalNames | undefined;
}

/** An expression applied to a view (decorator, wrapper, dependency) with the context to resolve it in. */
export interface Decorator {
  expr: Expr;
  ctx: Ctx;
  conditional?: true; // held by only some of the values its list may have: it may not run
  unread?: true; // a list of them (`dependencies=`) that cannot be read: what it holds is not known
  fromCall?: true; // given by the call registering the route (`add_api_route(..., dependencies=)`), not written on the handler
}

export interface CallSite {
  call: CallExpr;
  ctx: Ctx;
}

const readSites = new WeakMap<Project, { statements: Map<CallStatement, CallSite[]>; partials: Map<ModuleFacts, CallSite[]> }>();

/**
 * The sites of the call statements `wanted` keeps, in the project's order, each once per iteration of statically
 * known enclosing loops and, in a helper that uses its parameters, once per call of the helper. `wanted` tests the
 * call as written (`at` the statement's place, no loop or caller read): a statement's sites are read the first time
 * one wants it, and kept. Reading the loops and callers of every statement cost Skyvern half of its scan for calls
 * no framework reads.
 */
export function callSites(project: Project, wanted: (call: CallExpr, at: Ctx) => boolean): CallSite[] {
  let read = readSites.get(project);
  if (!read) readSites.set(project, (read = { statements: new Map(), partials: new Map() }));
  const sites: CallSite[] = [];
  for (const mod of project.modules) {
    for (const stmt of mod.calls) {
      if (!wanted(stmt.call, { mod, scope: stmt.scope, line: lineOf(stmt.call.loc) - 1 })) continue;
      let own = read.statements.get(stmt);
      if (!own) read.statements.set(stmt, (own = project.noting(() => sitesOfStatement(project, mod, stmt))));
      sites.push(...own);
    }
    let partials = read.partials.get(mod);
    if (!partials) read.partials.set(mod, (partials = project.noting(() => partialRegistrations(project, mod))));
    sites.push(...partials.filter((site) => wanted(site.call, site.ctx)));
  }
  return sites;
}

/** A call of a method named one of `names` (`x.register_blueprint(...)`): a test for callSites. */
export function calling(call: CallExpr, names: readonly string[]): boolean {
  return call.fn.k === 'attr' && names.includes(call.fn.name);
}

/** `x.name = v`, recorded as the call `x.__setattr__("name", v)`. */
export function setsAttribute(call: CallExpr, name: string): boolean {
  return calling(call, ['__setattr__']) && call.args[0]?.k === 'str' && call.args[0].v === name;
}

/**
 * Every call statement `wanted` keeps, once, loops expanded but a helper's statements not read per caller: enough
 * where the project's calls are looked through for a setting (`os.environ.setdefault("DJANGO_SETTINGS_MODULE", ...)`)
 * before the project is read as the deployment runs it, without paying for every helper's callers twice. Only the
 * loops around the calls kept are read (a service has tens of thousands of calls).
 */
export function statementSites(project: Project, wanted: (call: CallExpr, at: Ctx) => boolean): CallSite[] {
  return project.modules.flatMap((mod) =>
    mod.calls.flatMap((stmt) => (wanted(stmt.call, { mod, scope: stmt.scope, line: lineOf(stmt.call.loc) - 1 }) ? statementContexts(project, mod, stmt).map((ctx) => ({ call: stmt.call, ctx })) : [])),
  );
}

/**
 * A call in a helper that uses the helper's parameters (or names it derives from them) is read once per call of the
 * helper. When what it registers comes from the call (`register_view(bp, routes=[...])`), it is declared at the call.
 */
function sitesOfStatement(project: Project, mod: ModuleFacts, stmt: CallStatement): CallSite[] {
  const helper = functionOwning(mod, stmt.scope);
  const names = helper && project.namesFromParameters(mod, helper);
  const fromCaller = names && (mentions(stmt.call.args[0] ?? { k: 'none' }, names) || stmt.loops.some((l) => mentions(l.iterable, names)));
  const callers = names && (fromCaller || mentions(stmt.call, names)) ? project.callerEnvs(mod, stmt.scope) : [];
  return (callers.length ? callers : [{}]).flatMap(({ env, via }) => statementContexts(project, mod, stmt, { env, ...(fromCaller && { via }) }).map((ctx) => ({ call: stmt.call, ctx })));
}

/**
 * `functools.partial(app.register_blueprint, api, url_prefix="/api")` kept to be called later (OctoPrint lists them
 * and calls each as it starts): the registration it stands for, read where the partial is made.
 */
function partialRegistrations(project: Project, mod: ModuleFacts): CallSite[] {
  const found = new Map<Loc, CallSite>();
  if (!Object.values(mod.bindings).some((list) => list.some((b) => b.kind === 'import' && b.module === 'functools'))) return [];
  const look = (expr: Expr, scope: number): void =>
    eachCall(expr, (call) => {
      const [callable, ...args] = call.args;
      const named = call.fn.k === 'attr' ? call.fn.name : call.fn.k === 'name' ? call.fn.id : '';
      if (named !== 'partial' || callable?.k !== 'attr' || found.has(call.loc)) return;
      const registration: CallExpr = { ...call, fn: callable, args };
      const ctx = { mod, scope, line: lineOf(call.loc) - 1 };
      if (namedLikeSite(registration, false) && project.resolve(call.fn, ctx).some((v) => v.kind === 'external' && v.qname === 'functools.partial')) {
        found.set(call.loc, { call: registration, ctx });
      }
    });
  for (const stmt of mod.calls) look(stmt.call, stmt.scope);
  for (const [scope, bindings] of Object.entries(mod.bindings)) for (const b of bindings) if (b.kind === 'assign') look(b.value, Number(scope));
  return [...found.values()];
}

/** True when the expression reads one of the names. */
function mentions(expr: Expr, names: Set<string>): boolean {
  return someExpr(expr, (e) => e.k === 'name' && names.has(e.id));
}

/**
 * Contexts for a call inside `for` loops over literal sequences, with the loop variables bound; none when a
 * loop's sequence is not static.
 */
export function statementContexts(project: Project, mod: ModuleFacts, stmt: CallStatement, caller: Pick<Ctx, 'env' | 'via'> = {}): Ctx[] {
  // A call sees the bindings made before its line, not the one it makes itself (`app = Wrapper(app)`).
  let contexts: Ctx[] = [{ mod, scope: stmt.scope, line: lineOf(stmt.call.loc) - 1, ...caller }];
  for (const loop of stmt.loops) {
    const next: Ctx[] = [];
    for (const ctx of contexts) {
      for (const item of sequenceItems(project, loop.iterable, ctx) ?? []) {
        const env = bindTargets(loop.targets, item, ctx.env);
        if (env) next.push({ ...ctx, env });
      }
    }
    contexts = next;
  }
  return contexts;
}

/**
 * The elements iterating what an expression resolves to gives: a list/tuple literal's (also `a + b` of literals), a dict
 * literal's keys, a dict view's (`d.items()` as `(key, value)` pairs), those of each iterable `itertools.chain` is given.
 */
export function sequenceItems(project: Project, expr: Expr, ctx: Ctx, depth = 0): { expr: Expr; ctx: Ctx }[] | undefined {
  if (depth > 8) return undefined;
  if (expr.k === 'seq') return expr.items.map((e) => ({ expr: e, ctx }));
  if (expr.k === 'dict') return dictView(expr, 'keys', ctx);
  const comp = expr.k === 'comp' ? expr : mappedByLambda(project, expr, ctx);
  if (comp) {
    // `[rule(url) for url in urls]`: the element once per item, the target bound to it.
    const items = sequenceItems(project, comp.iterable, ctx, depth + 1);
    return items && comprehensionItems(comp, ctx, items);
  }
  if (expr.k === 'concat') {
    const all: { expr: Expr; ctx: Ctx }[] = [];
    for (const part of expr.parts) {
      const items = sequenceItems(project, part, ctx, depth + 1);
      if (!items) return undefined;
      all.push(...items);
    }
    return all;
  }
  // Alternatives (a list rebound in one arm of an `if`) give every item any of them holds: what may be registered.
  const values = project.resolve(expr, ctx);
  if (!values.length) return undefined;
  const all: { expr: Expr; ctx: Ctx }[] = [];
  for (const v of values) {
    const items = v.kind === 'literal' ? v.expr !== expr && sequenceItems(project, v.expr, v.ctx, depth + 1) : iteratedResult(project, v, depth);
    if (!items) return undefined;
    // The same item reached twice counts once; a comprehension's element is a new item per binding.
    for (const item of items) if (!all.some((a) => a.expr === item.expr && a.ctx.env === item.ctx.env)) all.push(item);
  }
  return all;
}

/**
 * What `name.append(x)`, `.insert(i, x)` and `.extend(seq)` add to the list a plain name holds, in the scope it is read
 * in, after the name is last bound there to another list (`+=` extends the same) and before `before` (each call once per
 * item of static loops around it; a call in an arm that may not run too: what may be added). Where a class copies the
 * list it is given (Starlette's `Router(routes=...)`), what is added later is not its own.
 */
export function addedItems(project: Project, list: Expr, ctx: Ctx, before: number): { expr: Expr; ctx: Ctx }[] {
  if (list.k !== 'name') return [];
  const bound = (ctx.mod.bindings[ctx.scope] ?? []).filter((b) => b.name === list.id && b.line < before && !extendsList(b)).map((b) => b.line);
  if (!bound.length) return [];
  const from = Math.max(...bound);
  return methodCallsOn(ctx.mod, list.id).flatMap((stmt) => {
    const addition = listAddition(stmt.call);
    const line = lineOf(stmt.call.loc);
    if (!addition || stmt.scope !== ctx.scope || line <= from || line >= before) return [];
    const { added, several } = addition;
    return statementContexts(project, ctx.mod, stmt, { env: ctx.env }).flatMap((at) => (several ? (sequenceItems(project, added, at) ?? []) : [{ expr: added, ctx: at }]));
  });
}

/** An assignment that extends the list its name holds (`routes += more`, read as `routes + more`): what was added to it stays. */
export function extendsList(binding: Binding): boolean {
  return binding.kind === 'assign' && binding.value.k === 'concat' && binding.value.parts[0]?.k === 'name' && binding.value.parts[0].id === binding.name;
}

/** What a list method call adds: the item `append(x)` and `insert(i, x)` add, the items `extend(seq)` adds (`several`). */
export function listAddition(call: CallExpr): { added: Expr; several: boolean } | undefined {
  const method = call.fn.k === 'attr' ? call.fn.name : '';
  const added = method === 'insert' ? call.args[1] : method === 'append' || method === 'extend' ? call.args[0] : undefined;
  return added && { added, several: method === 'extend' };
}

/** A dict literal's keys, values or `(key, value)` pairs, as Python iterates them; undefined when `**other` adds entries. */
function dictView(dict: Extract<Expr, { k: 'dict' }>, view: string, ctx: Ctx): { expr: Expr; ctx: Ctx }[] | undefined {
  if (dict.spreads?.length) return undefined;
  // A key written again keeps its first place and takes its last value.
  const entries = new Map<Expr | string, [Expr, Expr]>();
  for (const [key, value] of dict.entries) {
    const id = key.k === 'str' ? key.v : key;
    entries.set(id, [entries.get(id)?.[0] ?? key, value]);
  }
  const pick = ([key, value]: [Expr, Expr]): Expr => (view === 'keys' ? key : view === 'values' ? value : { k: 'seq', items: [key, value] });
  return [...entries.values()].map((entry) => ({ expr: pick(entry), ctx }));
}

/** What iterating a call's result gives: a dict literal's view (`d.items()`), `itertools.chain(a, b)`'s items. */
function iteratedResult(project: Project, v: Value, depth: number): { expr: Expr; ctx: Ctx }[] | undefined {
  if (v.kind === 'instance' && v.types.length === 1 && v.types[0] === 'itertools.chain') {
    const { call, ctx } = v.site;
    if (call.splat || call.kwargs.length) return undefined;
    const parts = call.args.map((arg) => sequenceItems(project, arg, ctx, depth + 1));
    return parts.every((items) => items) ? (parts.flat() as { expr: Expr; ctx: Ctx }[]) : undefined;
  }
  if (v.kind !== 'result' || v.callee.kind !== 'member') return undefined;
  const { call, callee: { name, of } } = v;
  if (of.kind !== 'literal' || of.expr.k !== 'dict' || !['items', 'keys', 'values'].includes(name) || call.args.length || call.kwargs.length || call.splat) return undefined;
  return dictView(of.expr, name, of.ctx);
}

/**
 * `map(lambda u: url(r'^', include(u)), modules)`, also inside `list(...)` or `tuple(...)`: the comprehension it
 * writes, `[url(r'^', include(u)) for u in modules]` (Ralph's API URLconfs). The builtins only, not a project's own.
 */
export function mappedByLambda(project: Project, expr: Expr, ctx: Ctx): Extract<Expr, { k: 'comp' }> | undefined {
  if (expr.k !== 'call' || expr.fn.k !== 'name' || !['list', 'tuple', 'map'].includes(expr.fn.id) || expr.splat || expr.kwargs.length) return undefined;
  if (!project.resolve(expr.fn, ctx).every((v) => v.kind === 'unknown')) return undefined;
  const [fn, iterable, ...more] = expr.args;
  if ((expr.fn.id === 'list' || expr.fn.id === 'tuple') && fn && !iterable) return mappedByLambda(project, fn, ctx);
  if (expr.fn.id !== 'map' || fn?.k !== 'lambda' || fn.params.length !== 1 || !iterable || more.length) return undefined;
  return { k: 'comp', elt: fn.body, targets: fn.params, iterable };
}

/** The qualified name of what a decorator (or wrapper) expression calls: `x` in `@x` and `@x(...)`. */
export function decoratorName(project: Project, expr: Expr, ctx: Ctx): string | undefined {
  const target = expr.k === 'call' ? expr.fn : expr;
  for (const v of project.resolve(target, ctx)) {
    if (v.kind === 'external') return v.qname;
    if (v.kind === 'function') return `${v.ref.mod.module}.${v.ref.fn.qualname}`;
  }
  return undefined;
}

/** A list of string literals (e.g. `methods=["GET", "POST"]`), or undefined when not static. */
export function stringList(project: Project, expr: Expr, ctx: Ctx): string[] | undefined {
  const items = sequenceItems(project, expr, ctx);
  if (!items) return undefined;
  const out: string[] = [];
  for (const item of items) {
    const text = project.stringValue(item.expr, item.ctx);
    if (text === undefined) return undefined;
    out.push(text);
  }
  return out;
}

/** HTTP methods listed as strings (`methods=["get", "POST"]`), upper-cased; undefined when not static. */
export function httpMethods(project: Project, expr: Expr, ctx: Ctx): string[] | undefined {
  return stringList(project, expr, ctx)?.map((m) => m.toUpperCase());
}

export function functionCtx(mod: ModuleFacts, fn: FunctionDef | ClassDef): Ctx {
  return { mod, scope: fn.scope, line: lineOf(fn.loc) };
}

export function sortedUnique(values: Iterable<string>): string[] {
  return [...new Set(values)].sort();
}

export const UNRESOLVED_SEGMENT = '{?}';

/** Where a route registered by `at` is declared: there, or at the call of the helper it was read for. */
export function declaredAt(ctx: Ctx, at: { loc: Loc }): { file: string; line: number; column: number } {
  return ctx.via ?? { file: ctx.mod.file, line: lineOf(at.loc), column: columnOf(at.loc) };
}

const MAX_DECORATOR_CHAIN = 8; // decorators of the project's calling one another, names bound to names (see appliedDecorator)

/**
 * The decorator call a decorator stands for, read by `direct`: the call itself (`@limiter.limit(...)`); the call a
 * name is bound to (`login_limit = limiter.limit("5/minute")`, then `@login_limit`, as the libraries document), also
 * through names bound to names; the call a decorator of the project's own applies to the function it decorates or
 * to a wrapper it defines (`return limiter.limit("3/minute")(view)`, or `return strict(view)` through another such
 * decorator); and the one a factory of the project's returns (`@rate_limited("5/minute")` returning its `decorator`,
 * the factory's arguments bound), or the call such a factory returns (`return limiter.limit("5/minute")`, also as
 * `typing.cast(T, limiter.limit(...))`). When such a decorator returns the function without the call on another path,
 * `somePaths` names the decorator: the call applies on some paths only.
 */
export function appliedDecorator<T>(project: Project, expr: Expr, ctx: Ctx, direct: (call: CallExpr, at: Ctx) => T | undefined): { call: CallExpr; ctx: Ctx; found: T; somePaths?: string } | undefined {
  const read = (call: Expr, at: Ctx): { call: CallExpr; ctx: Ctx; found: T } | undefined => {
    const found = call.k === 'call' ? direct(call, at) : undefined;
    return found === undefined ? undefined : { call: call as CallExpr, ctx: at, found };
  };
  // A decorator function: what each of its returns applies to the function it got (`env`: a factory's arguments),
  // itself or through another decorator of the project's (`return strict(view)`), a few levels deep.
  const through = ({ mod, fn }: FunctionRef, env?: Ctx['env'], depth = 0): ReturnType<typeof read> & { somePaths?: string } | undefined => {
    const decorated = (arg: Expr | undefined): boolean =>
      arg?.k === 'name' && (arg.id === fn.params[0]?.name || functionDefinedIn(mod, fn.bodyScope, arg.id) !== undefined);
    const applying = (returned: Expr) => {
      if (returned.k !== 'call' || returned.args.length !== 1 || !decorated(returned.args[0])) return undefined;
      const at: Ctx = { mod, scope: fn.bodyScope, line: exprLine(returned, lineOf(fn.loc)), ...(env && { env }) };
      const chained = (): ReturnType<typeof through> =>
        depth < MAX_DECORATOR_CHAIN ? project.resolve(returned.fn, at).map((v) => (v.kind === 'function' ? through(v.ref, undefined, depth + 1) : undefined)).find((a) => a) : undefined;
      return read(returned.fn, at) ?? chained();
    };
    const applied = fn.returns.map(applying);
    const first = applied.find((a) => a);
    if (first) return applied.every((a) => a) ? first : { ...first, somePaths: `\`@${Project.describe(expr)}\` (${mod.file}:${lineOf(fn.loc)})` };
    return undefined;
  };
  if (expr.k === 'call') {
    const called = read(expr, ctx);
    if (called) return called;
    for (const value of project.resolve(expr.fn, ctx)) {
      if (value.kind !== 'function') continue;
      const { mod, fn } = value.ref;
      const { env } = project.callContext(fn, expr, ctx);
      // A factory returning the call itself (`return limiter.limit("5/minute")`, also through `typing.cast(T, ...)`).
      const returned = fn.returns.map((r) => {
        const at: Ctx = { mod, scope: fn.bodyScope, line: exprLine(r, lineOf(fn.loc)), ...(env && { env }) };
        const cast = r.k === 'call' && r.args.length === 2 && project.resolve(r.fn, at).some((v) => v.kind === 'external' && v.qname === 'typing.cast');
        return read(cast ? r.args[1] : r, at);
      });
      const first = returned.find((a) => a);
      if (first) return returned.every((a) => a) ? first : { ...first, somePaths: `\`@${Project.describe(expr)}\` (${mod.file}:${lineOf(fn.loc)})` };
      const made = mod.functions.filter((inner) => inner.scope === fn.bodyScope && fn.returns.some((r) => r.k === 'name' && r.id === inner.name));
      for (const inner of made) {
        const found = through({ mod, fn: inner }, env);
        if (found) return found;
      }
    }
    return undefined;
  }
  let defined = project.definition(expr, ctx);
  // `auth_limit = login_limit`: a name bound to another name is followed, as far as a chain of decorators.
  for (let hops = 0; defined && defined.expr.k !== 'call' && hops < MAX_DECORATOR_CHAIN; hops++) defined = project.definition(defined.expr, defined.ctx);
  const aliased = defined && read(defined.expr, defined.ctx);
  if (aliased) return aliased;
  for (const value of project.resolve(expr, ctx)) {
    const found = value.kind === 'function' ? through(value.ref) : undefined;
    if (found) return found;
  }
  return undefined;
}
