/**
 * Cross-module name resolution over `ModuleFacts`: follows imports (absolute, relative, aliased,
 * package re-exports), assignments, factory functions and parameters (through their call sites), and
 * gives every expression a set of abstract values. Objects are identified by the call that created
 * them (allocation site), so `app = Flask(__name__)` inside `create_app()` is one app wherever it is used.
 * Resolution is bounded in depth and fan-out; what cannot be followed becomes `unknown`, never a guess.
 */
import type { Binding, CallExpr, ClassDef, Expr, FunctionDef, ModuleFacts } from './ir';
import { argument, dottedName } from './ir';
import { NO_METADATA, type ProjectMetadata } from '../manifests';
import { moduleNames } from './module-names';
import { addTo } from '../collections';

export interface Ctx {
  mod: ModuleFacts;
  scope: number;
  line: number;
  env?: Env;
}

/** Values bound to names by an enclosing `for` loop or a call being followed (parameters). */
export type Env = ReadonlyMap<string, { expr: Expr; ctx: Ctx }>;

export interface FunctionRef {
  mod: ModuleFacts;
  fn: FunctionDef;
}
export interface ClassRef {
  mod: ModuleFacts;
  cls: ClassDef;
}
export interface Site {
  key: string; // file:line:column of the creating call
  call: CallExpr;
  ctx: Ctx;
}

export type Value =
  | { kind: 'module'; mod: ModuleFacts }
  | { kind: 'external'; qname: string }
  | { kind: 'instance'; types: string[]; site: Site; cls?: ClassRef }
  | { kind: 'function'; ref: FunctionRef }
  | { kind: 'class'; ref: ClassRef }
  | { kind: 'member'; of: Value; name: string }
  | { kind: 'result'; callee: Value; call: CallExpr; ctx: Ctx }
  | { kind: 'literal'; expr: Expr; ctx: Ctx }
  | { kind: 'unknown'; why: string };

const MAX_DEPTH = 24;
const MAX_VALUES = 64;
const MAX_CALL_SITES = 64;

// Top-level packages that are never project modules: a folder of that name above an import root
// (`examples/flask/app.py`) gives no alias `flask.app`.
const THIRD_PARTY = new Set([
  'flask', 'flask_limiter', 'flask_restful', 'flask_restx', 'werkzeug', 'fastapi', 'starlette', 'slowapi',
  'fastapi_limiter', 'django', 'rest_framework', 'django_ratelimit', 'ratelimit', 'limits', 'pydantic', 'os', 'sys',
]);

export class Project {
  readonly modules: ModuleFacts[];
  private readonly byName = new Map<string, ModuleFacts[]>();
  private readonly byAlias = new Map<string, ModuleFacts[]>();
  private readonly importRoots = new Map<ModuleFacts, string>();
  private callSitesByName?: Map<string, { call: CallExpr; ctx: Ctx }[]>;
  private readonly lookupCache = new Map<string, Value[]>();
  private readonly bindingsByName = new WeakMap<Binding[], Map<string, Binding[]>>();

  /** Declared package versions and `.env` settings of the scanned tree, see manifests.ts. */
  readonly metadata: ProjectMetadata;

  private externalValues?: (qname: string) => Value[] | undefined;

  /** `names` gives each module its Python name (module-names.ts); by default, from the modules' own files. */
  constructor(modules: ModuleFacts[], metadata: ProjectMetadata = NO_METADATA, names = moduleNames(modules.map((m) => m.file))) {
    this.metadata = metadata;
    this.modules = [...modules]
      .sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0))
      .map((mod) => {
        const name = names.get(mod.file);
        if (!name) return mod;
        const named = { ...mod, module: name.module };
        this.importRoots.set(named, name.importRoot);
        for (const alias of name.aliases) if (!THIRD_PARTY.has(alias.split('.')[0])) addTo(this.byAlias, alias, named);
        return named;
      });
    for (const mod of this.modules) addTo(this.byName, mod.module, mod);
  }

  /** True when the module imports any of these top-level packages (a cheap gate before resolving). */
  static imports(mod: ModuleFacts, packages: readonly string[]): boolean {
    return (mod.bindings[0] ?? []).some((b) => b.kind === 'import' && b.level === 0 && packages.includes(b.module.split('.')[0]));
  }

  moduleCtx(mod: ModuleFacts): Ctx {
    return { mod, scope: 0, line: Infinity };
  }

  /**
   * Finds a project module by dotted name, as `from` would import it. Several projects in one tree can
   * each have an `app` module: the one beside the importer (same import root, then nearest file) wins.
   */
  findModule(name: string, from?: ModuleFacts): ModuleFacts | undefined {
    const candidates = this.byName.get(name) ?? this.byAlias.get(name);
    if (!candidates || candidates.length === 1 || !from) return candidates?.[0];
    const root = this.importRoots.get(from);
    const closeness = (m: ModuleFacts): number => (this.importRoots.get(m) === root ? 1e6 : 0) + commonPrefixLength(m.file, from.file);
    return [...candidates].sort((a, b) => closeness(b) - closeness(a) || a.file.length - b.file.length)[0];
  }

  /**
   * Runs `work` with `values` answering for library attributes, e.g. `django.conf.settings.X` from the
   * settings module being analysed. Memoised lookups are dropped on entry and exit so answers do not leak.
   */
  withExternalValues<T>(values: (qname: string) => Value[] | undefined, work: () => T): T {
    this.externalValues = values;
    this.lookupCache.clear();
    try {
      return work();
    } finally {
      this.externalValues = undefined;
      this.lookupCache.clear();
    }
  }

  /** The bindings of `name` in one scope, indexed on first use: a scope with thousands of names is not read through per lookup. */
  private bindingsNamed(mod: ModuleFacts, scope: number, name: string): Binding[] {
    const bindings = mod.bindings[scope];
    if (!bindings) return [];
    let byName = this.bindingsByName.get(bindings);
    if (!byName) {
      byName = new Map();
      for (const b of bindings) addTo(byName, b.name, b);
      this.bindingsByName.set(bindings, byName);
    }
    return byName.get(name) ?? [];
  }

  /** The project modules a module star-imports (`from x import *`), with the line of each import. */
  starImports(mod: ModuleFacts): { mod: ModuleFacts; line: number }[] {
    const found: { mod: ModuleFacts; line: number }[] = [];
    for (const star of this.bindingsNamed(mod, 0, '*')) {
      const target = star.kind === 'import' && this.findModule(importTarget(mod, star), mod);
      if (target && target !== mod) found.push({ mod: target, line: star.line });
    }
    return found;
  }

  resolve(expr: Expr, ctx: Ctx, depth = 0): Value[] {
    if (depth > MAX_DEPTH) return [{ kind: 'unknown', why: 'resolution too deep' }];
    const values = this.resolveOnce(expr, ctx, depth);
    return values.length > MAX_VALUES ? values.slice(0, MAX_VALUES) : values;
  }

  private resolveOnce(expr: Expr, ctx: Ctx, depth: number): Value[] {
    switch (expr.k) {
      case 'name':
        return this.lookup(expr.id, ctx, depth);
      case 'attr':
        return this.resolve(expr.obj, ctx, depth + 1).flatMap((v) => this.attribute(v, expr.name, depth));
      case 'call':
        return this.resolve(expr.fn, ctx, depth + 1).flatMap((callee) => this.callResult(callee, expr, ctx, depth));
      case 'subscript':
        return this.resolve(expr.obj, ctx, depth + 1).flatMap((container) => this.item(container, expr.index, ctx, depth));
      case 'other':
        return [{ kind: 'unknown', why: `cannot evaluate \`${expr.text}\`` }];
      default:
        return [{ kind: 'literal', expr, ctx }];
    }
  }

  /** Resolves a name as seen from `ctx`: loop/parameter environment, then the scope chain, then `*` imports. */
  lookup(name: string, ctx: Ctx, depth: number): Value[] {
    const bound = ctx.env?.get(name);
    if (bound) return this.resolve(bound.expr, bound.ctx, depth + 1);
    if (ctx.env?.size) return this.lookupUncached(name, ctx, depth);
    // Names without a loop/parameter environment resolve the same way every time: memoise them.
    // A lookup already in progress (a cycle through imports or assignments) answers `unknown`.
    const key = `${ctx.mod.file}\0${ctx.scope}\0${ctx.line}\0${name}`;
    const cached = this.lookupCache.get(key);
    if (cached) return cached;
    this.lookupCache.set(key, [{ kind: 'unknown', why: `\`${name}\` is defined in terms of itself` }]);
    const values = this.lookupUncached(name, ctx, depth);
    this.lookupCache.set(key, values);
    return values;
  }

  private lookupUncached(name: string, ctx: Ctx, depth: number): Value[] {
    const { mod } = ctx;
    let scopeId: number | null = ctx.scope;
    let first = true;
    while (scopeId !== null) {
      const scope: { kind: string; parent: number | null } = mod.scopes[scopeId];
      if (first || scope.kind !== 'class') {
        const binding = pickBinding(this.bindingsNamed(mod, scopeId, name), first ? ctx.line : Infinity);
        if (binding) return this.fromBinding(binding, { ...ctx, scope: scopeId }, depth);
      }
      first = false;
      scopeId = scope.parent;
    }
    for (const star of this.starImports(mod)) {
      if (depth >= MAX_DEPTH) break;
      const found = this.lookup(name, this.moduleCtx(star.mod), depth + 1);
      if (!found.every((v) => v.kind === 'unknown')) return found;
    }
    return [{ kind: 'unknown', why: `\`${name}\` is not defined in ${mod.file}` }];
  }

  private fromBinding(binding: Binding, ctx: Ctx, depth: number): Value[] {
    const { mod } = ctx;
    switch (binding.kind) {
      case 'assign':
        // The right-hand side sees the bindings made before this line (`app = wrap(app)`).
        return this.resolve(binding.value, { mod, scope: ctx.scope, line: binding.line - 1, env: ctx.env }, depth + 1);
      case 'def':
        return [{ kind: 'function', ref: { mod, fn: mod.functions[binding.index] } }];
      case 'class':
        return [{ kind: 'class', ref: { mod, cls: mod.classes[binding.index] } }];
      case 'import':
        return this.importValue(mod, binding, depth);
      case 'param':
        return this.parameterValues(mod, binding, depth);
    }
  }

  private importValue(mod: ModuleFacts, binding: Extract<Binding, { kind: 'import' }>, depth: number): Value[] {
    const target = importTarget(mod, binding);
    const targetMod = this.findModule(target, mod);
    if (binding.attr === undefined) {
      return targetMod ? [{ kind: 'module', mod: targetMod }] : [{ kind: 'external', qname: target }];
    }
    if (targetMod) {
      if (targetMod !== mod) {
        const found = this.lookup(binding.attr, this.moduleCtx(targetMod), depth + 1);
        if (!found.every((v) => v.kind === 'unknown')) return found;
      }
      const submodule = this.findModule(`${targetMod.module}.${binding.attr}`, targetMod);
      if (submodule) return [{ kind: 'module', mod: submodule }];
      return [{ kind: 'unknown', why: `\`${binding.attr}\` not found in ${targetMod.file}` }];
    }
    const submodule = this.findModule(target ? `${target}.${binding.attr}` : binding.attr, mod);
    if (submodule) return [{ kind: 'module', mod: submodule }];
    return [{ kind: 'external', qname: target ? `${target}.${binding.attr}` : binding.attr }];
  }

  /** A parameter's values are the arguments at every call site of its function found in the project. */
  private parameterValues(mod: ModuleFacts, binding: Extract<Binding, { kind: 'param' }>, depth: number): Value[] {
    const fn = mod.functions[binding.index];
    const values: Value[] = [];
    // A name called from very many places (`get`, `run`) is not worth following.
    for (const site of this.callSites(fn.name).slice(0, MAX_CALL_SITES)) {
      const arg = site.call.kwargs.find(([k]) => k === binding.name)?.[1] ?? site.call.args[this.argIndex(fn, binding.position)];
      if (!arg) continue;
      const callees = this.resolve(site.call.fn, site.ctx, depth + 1);
      if (!callees.some((c) => c.kind === 'function' && c.ref.fn === fn)) continue;
      values.push(...this.resolve(arg, site.ctx, depth + 1));
    }
    if (values.length) return values;
    if (binding.default) return this.resolve(binding.default, { mod, scope: fn.scope, line: fn.loc.line }, depth + 1);
    return [{ kind: 'unknown', why: `parameter \`${binding.name}\` of \`${fn.qualname}\` has no call site in the project` }];
  }

  private argIndex(fn: FunctionDef, position: number): number {
    // Methods are called without `self`/`cls`.
    return fn.params[0] && (fn.params[0].name === 'self' || fn.params[0].name === 'cls') ? position - 1 : position;
  }

  private callSites(name: string): { call: CallExpr; ctx: Ctx }[] {
    if (!this.callSitesByName) {
      this.callSitesByName = new Map();
      for (const mod of this.modules) {
        for (const stmt of mod.calls) {
          const fnName = stmt.call.fn.k === 'name' ? stmt.call.fn.id : stmt.call.fn.k === 'attr' ? stmt.call.fn.name : '';
          if (!fnName) continue;
          const list = this.callSitesByName.get(fnName) ?? [];
          list.push({ call: stmt.call, ctx: { mod, scope: stmt.scope, line: stmt.call.loc.line } });
          this.callSitesByName.set(fnName, list);
        }
      }
    }
    return this.callSitesByName.get(name) ?? [];
  }

  private attribute(value: Value, name: string, depth: number): Value[] {
    switch (value.kind) {
      case 'module': {
        const found = this.lookup(name, this.moduleCtx(value.mod), depth + 1);
        if (!found.every((v) => v.kind === 'unknown')) return found;
        const submodule = this.findModule(`${value.mod.module}.${name}`, value.mod);
        return submodule ? [{ kind: 'module', mod: submodule }] : found;
      }
      case 'external': {
        const qname = `${value.qname}.${name}`;
        return this.externalValues?.(qname) ?? [{ kind: 'external', qname }];
      }
      case 'class': {
        const attr = this.classAttribute(value.ref, name, depth);
        return attr ?? [{ kind: 'member', of: value, name }];
      }
      case 'instance': {
        // `settings.API_V1_STR` on `settings = Settings()`: the class-level default.
        const attr = value.cls ? this.classAttribute(value.cls, name, depth) : undefined;
        return attr ?? [{ kind: 'member', of: value, name }];
      }
      case 'unknown':
        return [value];
      default:
        return [{ kind: 'member', of: value, name }];
    }
  }

  /** A class attribute (own or inherited from a project base), as the values assigned to it. */
  classAttribute(ref: ClassRef, name: string, depth = 0): Value[] | undefined {
    for (const cls of this.classChain(ref)) {
      const binding = pickBinding(this.bindingsNamed(cls.mod, cls.cls.bodyScope, name), Infinity);
      if (binding) return this.fromBinding(binding, { mod: cls.mod, scope: cls.cls.bodyScope, line: Infinity }, depth + 1);
    }
    return undefined;
  }

  /** The class followed by its project bases (depth-first, as Python's MRO does for simple hierarchies). */
  classChain(ref: ClassRef): ClassRef[] {
    const chain: ClassRef[] = [];
    const visit = (r: ClassRef, depth: number): void => {
      if (depth > 12 || chain.some((c) => c.cls === r.cls)) return;
      chain.push(r);
      // Bases are evaluated before the class name is bound (`class UpdateView(UpdateView)`).
      for (const base of r.cls.bases) {
        for (const v of this.resolve(base, { mod: r.mod, scope: r.cls.scope, line: r.cls.loc.line - 1 }, depth + 1)) {
          if (v.kind === 'class') visit(v.ref, depth + 1);
        }
      }
    };
    visit(ref, 0);
    return chain;
  }

  /** The method `name` as Python finds it: defined by the class or the nearest project base that has it. */
  methodOf(ref: ClassRef, name: string): FunctionRef | undefined {
    for (const c of this.classChain(ref)) {
      const fn = c.mod.functions.find((f) => f.scope === c.cls.bodyScope && f.name === name);
      if (fn) return { mod: c.mod, fn };
    }
    return undefined;
  }

  /** A class attribute (own or inherited) bound to one literal, e.g. `lookup_field = "slug"`. */
  literalAttribute(ref: ClassRef, name: string): { expr: Expr; ctx: Ctx } | undefined {
    const values = this.classAttribute(ref, name);
    return values?.length === 1 && values[0].kind === 'literal' ? values[0] : undefined;
  }

  /** External base classes (qualified names) of a project class, through its project bases. */
  externalBases(ref: ClassRef): string[] {
    const names: string[] = [];
    for (const r of this.classChain(ref)) {
      for (const base of r.cls.bases) {
        for (const v of this.resolve(base, { mod: r.mod, scope: r.cls.scope, line: r.cls.loc.line - 1 })) {
          if (v.kind === 'external') names.push(v.qname);
        }
      }
    }
    return names;
  }

  private callResult(callee: Value, call: CallExpr, ctx: Ctx, depth: number): Value[] {
    const site = (): Site => ({ key: `${ctx.mod.file}:${call.loc.line}:${call.loc.column}`, call, ctx });
    switch (callee.kind) {
      case 'external':
        return [{ kind: 'instance', types: [callee.qname], site: site() }];
      case 'class': {
        const own = `${callee.ref.mod.module}.${callee.ref.cls.qualname}`;
        return [{ kind: 'instance', types: [own, ...this.externalBases(callee.ref)], site: site(), cls: callee.ref }];
      }
      case 'function': {
        const { mod, fn } = callee.ref;
        if (!fn.returns.length) return [{ kind: 'unknown', why: `\`${fn.qualname}\` returns nothing visible` }];
        const env = new Map<string, { expr: Expr; ctx: Ctx }>();
        fn.params.forEach((p, i) => {
          const arg = call.kwargs.find(([k]) => k === p.name)?.[1] ?? call.args[this.argIndex(fn, i)];
          if (arg) env.set(p.name, { expr: arg, ctx });
        });
        const inner: Ctx = { mod, scope: fn.bodyScope, line: Infinity, env };
        return fn.returns.flatMap((r) => this.resolve(r, inner, depth + 1));
      }
      case 'unknown':
        return [callee];
      default:
        return [{ kind: 'result', callee, call, ctx }];
    }
  }

  private item(container: Value, index: Expr, ctx: Ctx, depth: number): Value[] {
    if (container.kind !== 'literal') return [{ kind: 'unknown', why: 'subscript of a non-literal value' }];
    const key = this.resolve(index, ctx, depth + 1)[0];
    const { expr } = container;
    if (!key || key.kind !== 'literal') {
      // `configs[name]` with a dynamic key may be any entry: callers decide whether candidates agree.
      if (expr.k === 'dict') return expr.entries.flatMap(([, v]) => this.resolve(v, container.ctx, depth + 1));
      return [{ kind: 'unknown', why: 'subscript with a dynamic key' }];
    }
    if (expr.k === 'dict' && key.expr.k === 'str') {
      const keyText = key.expr.v;
      const entry = expr.entries.find(([k]) => k.k === 'str' && k.v === keyText);
      if (entry) return this.resolve(entry[1], container.ctx, depth + 1);
    }
    if (expr.k === 'seq' && key.expr.k === 'num' && expr.items[key.expr.v]) {
      return this.resolve(expr.items[key.expr.v], container.ctx, depth + 1);
    }
    return [{ kind: 'unknown', why: 'subscript not found' }];
  }

  /** Resolves an expression to a string when every path gives the same literal text. */
  stringValue(expr: Expr, ctx: Ctx): string | undefined {
    const texts = new Set(this.strings(expr, ctx, 0));
    return texts.size === 1 && !texts.has(undefined) ? [...texts][0] : undefined;
  }

  private strings(expr: Expr, ctx: Ctx, depth: number): (string | undefined)[] {
    if (depth > MAX_DEPTH) return [undefined];
    if (expr.k === 'str') return [expr.v];
    if (expr.k === 'concat' || expr.k === 'fstr') {
      let results: (string | undefined)[] = [''];
      for (const part of expr.parts) {
        const options = this.strings(part, ctx, depth + 1);
        results = results.flatMap((r) => options.map((o) => (r === undefined || o === undefined ? undefined : r + o)));
        if (results.length > MAX_VALUES) return [undefined];
      }
      return results;
    }
    return this.resolve(expr, ctx, depth + 1).flatMap((v) => {
      if (v.kind === 'literal' && v.expr !== expr) return this.strings(v.expr, v.ctx, depth + 1);
      const fallback = v.kind === 'instance' ? defaultOf(v.types[0], v.site.call) : undefined;
      if (fallback && v.kind === 'instance') return this.strings(fallback, v.site.ctx, depth + 1);
      return [undefined];
    });
  }

  /** True when some value is an object created by one of `qnames` (directly or via a project subclass). */
  static isInstance(value: Value, qnames: readonly string[]): value is Extract<Value, { kind: 'instance' }> {
    return value.kind === 'instance' && value.types.some((t) => qnames.includes(t));
  }

  static describe(expr: Expr): string {
    return dottedName(expr) ?? (expr.k === 'call' ? `${dottedName(expr.fn) ?? '…'}(…)` : expr.k);
  }
}

/**
 * Settings read from the environment with a literal fallback (`os.getenv("API_PREFIX", "/api")`,
 * pydantic `Field("/api")`): in string contexts (paths, rates) the fallback is the value we report.
 */
const DEFAULTED_READS: Record<string, [position: number, keyword: string]> = {
  'os.getenv': [1, 'default'],
  'os.environ.get': [1, 'default'],
  'pydantic.Field': [0, 'default'],
  'decouple.config': [-1, 'default'],
};

function defaultOf(qname: string, call: CallExpr): Expr | undefined {
  const spec = DEFAULTED_READS[qname];
  return spec ? argument(call, spec[0], spec[1]) : undefined;
}

/** The binding of a name in effect at `line`: the last one made by then, else the last one of all. */
function pickBinding(bindings: Binding[], line: number): Binding | undefined {
  let best: Binding | undefined;
  let fallback: Binding | undefined;
  for (const b of bindings) {
    if (b.line <= line && (!best || b.line >= best.line)) best = b;
    if (!fallback || b.line >= fallback.line) fallback = b;
  }
  return best ?? fallback;
}

/** Absolute dotted module an import refers to, for relative imports computed from the importing module. */
function importTarget(mod: ModuleFacts, binding: Extract<Binding, { kind: 'import' }>): string {
  if (binding.level === 0) return binding.module;
  const parts = mod.module.split('.');
  const keep = parts.length - binding.level + (mod.isPackage ? 1 : 0);
  const base = parts.slice(0, Math.max(0, keep));
  return [...base, ...(binding.module ? [binding.module] : [])].join('.');
}

/** How many leading folders two file paths share. */
function commonPrefixLength(a: string, b: string): number {
  const pa = a.split('/');
  const pb = b.split('/');
  let i = 0;
  while (i < pa.length && i < pb.length && pa[i] === pb[i]) i++;
  return i;
}
