/**
 * The deployment profile: the values a running deployment gives the names branches test (`DEBUG`, `TESTING`,
 * `settings.ENV == "production"`, `os.environ.get("X")`), so that an `if` the profile decides keeps only the
 * arm that runs. By default the production profile: DEBUG and TESTING off, environment names `production`,
 * every other environment variable unset (so the code's own default applies). A branch whose test reads
 * anything else stays undecided, and both arms count, as before.
 */
import type { Arm, CallExpr, Expr, FunctionDef, ModuleFacts } from './ir';
import { argument, dottedName, eachCall, exprLine, lineOf, pythonText, someExpr } from './ir';
import { armGroupsOf, methodCallsOn, testedArmGroupsIn, testedArmsIn } from './module-index';
import { addTo, lookupTable } from '../collections';
import { ENUM_CLASSES, ENVIRONMENT_READS, STRING_METHODS, VALUED_ENUMS, castsDefault, readsEnvironmentObject, type Assumption, type ClassRef, type Ctx, type Env, type ExternalNames, type FunctionRef, type Project, type Value } from './project';
import type { Principal } from '../model';
import { comparison, isLiteral, literalValue, logicalValue, LOGICAL_OPERATORS, truthy, type PyValue } from './pyvalue';

export type { PyValue } from './pyvalue';

export interface Profile {
  name: string;
  defines: Record<string, PyValue>; // --define NAME=VALUE and the configuration's [profile] table
}

// Variables the operating system or the shell sets in every process: never unset, so their reads are not decided.
const SET_BY_THE_SYSTEM = new Set(['PATH', 'HOME', 'USER', 'LOGNAME', 'SHELL', 'PWD', 'LANG', 'TERM', 'TMPDIR', 'HOSTNAME']);

// Names deployments use for the environment's name.
const ENVIRONMENT_NAMES = ['ENV', 'ENVIRONMENT', 'APP_ENV', 'APP_ENVIRONMENT', 'FLASK_ENV', 'DJANGO_ENV', 'FASTAPI_ENV', 'ENVIRONMENT_NAME', 'DEPLOY_ENV', 'STAGE'];
const environment = (name: string): Record<string, PyValue> => Object.fromEntries(ENVIRONMENT_NAMES.map((n) => [n, name]));

export const PROFILES: Record<string, Record<string, PyValue>> = {
  production: { DEBUG: false, TESTING: false, ...environment('production') },
  development: { DEBUG: true, TESTING: false, ...environment('development') },
  testing: { DEBUG: false, TESTING: true, ...environment('testing') },
};

export const DEFAULT_PROFILE: Profile = { name: 'production', defines: {} };

const MAX_DEPTH = 12;
const MAX_STEPS = 500; // values looked at for one test: beyond it, the test stays undecided
// Evaluations begun inside one another through the resolver, each with a depth count of its own (the corpus needs
// 6): beyond it a call's value is undecided, so that the stack stays bounded.
const MAX_NESTING = 12;
/** `--define DEBUG=true`: booleans, None, numbers and text as Python would read them from configuration. */
export function defineValue(text: string): PyValue {
  if (/^(true|false)$/i.test(text)) return text.toLowerCase() === 'true';
  if (/^none$/i.test(text)) return null;
  if (/^-?\d+(\.\d+)?$/.test(text)) return Number(text);
  return text;
}

/** Items a list surely holds, in order when `complete` (nothing else may be in it). */
interface ListItems {
  known: PyValue[];
  complete: boolean;
}

// List methods that add items, and those that only read it.
const ADDING_LIST_METHODS = ['append', 'extend', 'insert'];
const READING_LIST_METHODS = ['copy', 'count', 'index'];

const CAST = 'typing.cast';
const INTEGER_TEXT = /^\s*[-+]?\d+(_\d+)*\s*$/;
const FLOAT_TEXT = /^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/;
const DECOUPLE_TRUE = new Set(['y', 'yes', 't', 'true', 'on', '1']);
const DECOUPLE_FALSE = new Set(['n', 'no', 'f', 'false', 'off', '0']);
const STARLETTE_BOOLS = new Map([['true', true], ['1', true], ['false', false], ['0', false]]);

/** The builtins settings convert or measure what they read with (`int(os.environ.get("LIMIT", "100"))`); undefined where Python raises. */
const CONVERSIONS = lookupTable<(v: PyValue) => PyValue | undefined>({
  int: (v) => (typeof v === 'number' ? Math.trunc(v) : typeof v === 'boolean' ? Number(v) : typeof v === 'string' && INTEGER_TEXT.test(v) ? Number(v.replace(/_/g, '')) : undefined),
  float: (v) => (typeof v === 'number' || typeof v === 'boolean' ? Number(v) : typeof v === 'string' && FLOAT_TEXT.test(v) ? Number(v) : undefined),
  bool: truthy,
  // Spoolman's `if len(path) == 0: return ""`: Python counts code points.
  len: (v) => (typeof v === 'string' ? [...v].length : Array.isArray(v) ? v.length : undefined),
});

/**
 * `isinstance(value, T)` of a builtin type, where the value tells: a number may be an `int` or a `float`, a list
 * a `list` or a `tuple`; a bool is an `int`.
 */
const INSTANCE_OF = lookupTable<(v: PyValue) => boolean | undefined>({
  str: (v) => typeof v === 'string',
  bool: (v) => typeof v === 'boolean',
  int: (v) => (typeof v === 'number' ? undefined : typeof v === 'boolean'),
  float: (v) => (typeof v === 'number' ? undefined : false),
  list: (v) => (Array.isArray(v) ? undefined : false),
  tuple: (v) => (Array.isArray(v) ? undefined : false),
  dict: () => false,
});

class Conditions {
  private readonly values: Map<string, PyValue>;
  private steps = 0;
  private nesting = 0; // calls of `evaluate` in progress
  private readonly running = new Set<FunctionDef>(); // functions whose return is being evaluated
  private readonly armsByCall = new WeakMap<Env, Map<FunctionDef, (line: number) => (boolean | undefined)[]>>(); // see runsInCall
  private readers?: Set<string>; // see deploymentReaders
  private settingsClasses?: Set<string>; // see settingsClassNames

  constructor(
    private readonly project: Project,
    profile: Profile,
    private readonly known: Known = () => undefined, // what else the caller knows (`request.method`)
  ) {
    this.values = new Map(Object.entries({ ...(PROFILES[profile.name] ?? {}), ...profile.defines }));
  }

  /** The profile's value for a name as code reads it: `DEBUG`, `settings.DEBUG`, `app.debug`, `config["DEBUG"]`. */
  private named(expr: Expr, ctx?: Ctx): PyValue | undefined {
    const given = ctx && this.known(expr, ctx);
    if (given !== undefined) return given;
    const key = expr.k === 'name' ? expr.id : expr.k === 'attr' ? expr.name : expr.k === 'subscript' && expr.index.k === 'str' ? expr.index.v : undefined;
    if (key === undefined) return undefined;
    const upper = key.toUpperCase();
    // Lower-case forms are attributes of an app object (`app.debug`, `app.testing`), never plain variables.
    return this.values.get(key) ?? (expr.k === 'attr' && key === key.toLowerCase() ? this.values.get(upper) : undefined);
  }

  value(expr: Expr, ctx: Ctx, depth = 0): PyValue | undefined {
    if (depth > MAX_DEPTH || ++this.steps > MAX_STEPS) return undefined;
    if (isLiteral(expr)) return literalValue(expr, (e) => this.value(e, ctx, depth + 1));
    switch (expr.k) {
      case 'call':
        return this.call(expr, ctx, depth);
      case 'concat': {
        // `"/<org>" + rule`: texts joined, lists concatenated.
        const parts = expr.parts.map((e) => this.value(e, ctx, depth + 1));
        if (parts.every((p) => typeof p === 'string')) return parts.join('');
        return parts.every(Array.isArray) ? parts.flat(1) : undefined;
      }
      case 'name':
      case 'attr':
      case 'subscript': {
        const part = expr.k === 'attr' ? this.urlPart(expr, ctx, depth) : undefined;
        if (part !== undefined) return part;
        // An enum member is its value only with a `str` or `int` mixin (`StrEnum`); `.value` gives it always.
        if (expr.k === 'attr' && expr.name === 'value' && this.enumKind(expr.obj, ctx)) return this.resolved(expr.obj, ctx, depth);
        if (this.enumKind(expr, ctx) === 'plain') return undefined;
        const named = this.named(expr, ctx);
        if (named !== undefined) return named;
        // `MULTI_ORG = parse_boolean(os.environ.get(...))`: the assigned expression, evaluated where it stands.
        const defined = this.project.definition(expr, ctx);
        const evaluated = defined && defined.expr !== expr ? this.assigned(defined, ctx, depth) : undefined;
        return evaluated !== undefined ? evaluated : this.resolved(expr, ctx, depth); // None (null) is a value
      }
      default:
        return undefined;
    }
  }

  /** The value of an assigned expression read at `reader`: a list as the calls made on it since have changed it. */
  private assigned(source: { expr: Expr; ctx: Ctx }, reader: Ctx, depth: number): PyValue | undefined {
    const value = this.value(source.expr, source.ctx, depth + 1);
    if (!Array.isArray(value)) return value;
    const list = this.changedInPlace({ known: value, complete: true }, source, reader, depth);
    return list?.complete ? list.known : undefined;
  }

  /**
   * The items of a list an expression gives, as far as they are known: a list the profile cannot read whole
   * (`APPS.append(plugin)` in a loop) may still surely hold an item (`"bugs" in settings.INSTALLED_APPS`).
   */
  private listItems(expr: Expr, ctx: Ctx, depth: number): ListItems | undefined {
    if (depth > MAX_DEPTH) return undefined;
    if (expr.k === 'seq') {
      const items = expr.items.map((e) => this.value(e, ctx, depth + 1));
      return { known: items.filter((v) => v !== undefined), complete: !items.includes(undefined) };
    }
    if (expr.k === 'concat') {
      const parts = expr.parts.map((e) => this.listItems(e, ctx, depth + 1));
      return parts.every((p) => p !== undefined) ? { known: parts.flatMap((p) => p.known), complete: parts.every((p) => p.complete) } : undefined;
    }
    if (expr.k !== 'name' && expr.k !== 'attr' && expr.k !== 'subscript') return undefined;
    const source = this.assignment(expr, ctx);
    const list = source && this.listItems(source.expr, source.ctx, depth + 1);
    return list && this.changedInPlace(list, source, ctx, depth);
  }

  /** What a name or attribute was assigned, where it stands: its definition, else the one literal resolution gives. */
  private assignment(expr: Expr, ctx: Ctx): { expr: Expr; ctx: Ctx } | undefined {
    const defined = this.project.definition(expr, ctx);
    if (defined && defined.expr !== expr) return defined;
    const found = this.project.resolve(expr, ctx);
    return found.length === 1 && found[0].kind === 'literal' && found[0].expr !== expr ? found[0] : undefined;
  }

  /**
   * A list assigned at `source` as the calls on its name change it before `reader` reads it (all of them when read
   * from another scope, which runs after): `append`, `extend` and `insert` add, in the arms that run (in one that
   * may, or in a loop, the list is no longer known whole); any other call (`remove`, `pop`, `lst[0] = x`) may take
   * an item out, and nothing is known of it.
   */
  private changedInPlace(list: ListItems, source: { expr: Expr; ctx: Ctx }, reader: Ctx, depth: number): ListItems | undefined {
    const { mod, scope } = source.ctx;
    const bindings = mod.bindings[scope] ?? [];
    const binding = bindings.find((b) => b.kind === 'assign' && b.value === source.expr);
    if (!binding) return list;
    const next = Math.min(...bindings.filter((b) => b.name === binding.name && b.line > binding.line).map((b) => b.line));
    const until = Math.min(next - 1, reader.mod === mod && reader.scope === scope ? reader.line : Infinity);
    const known = [...list.known];
    let complete = list.complete;
    for (const { call, loops, scope: at } of methodCallsOn(mod, binding.name)) {
      const fn = call.fn as Extract<Expr, { k: 'attr' }>;
      const line = lineOf(call.loc);
      if (at !== scope || line <= binding.line || line > until) continue;
      if (READING_LIST_METHODS.includes(fn.name)) continue;
      if (!ADDING_LIST_METHODS.includes(fn.name)) return undefined;
      const runs = loops.length ? undefined : this.runsAt(mod, line, depth);
      if (runs === false) continue;
      const arg = (i: number): PyValue | undefined => (call.args[i] ? this.value(call.args[i], { mod, scope, line: line - 1 }, depth + 1) : undefined);
      const added = fn.name === 'extend' ? arg(0) : [arg(fn.name === 'insert' ? 1 : 0)];
      const index = fn.name === 'insert' ? arg(0) : known.length;
      const items = Array.isArray(added) && added.every((v) => v !== undefined) ? (added as PyValue[]) : undefined;
      if (runs && items && typeof index === 'number' && index >= 0) known.splice(index, 0, ...items);
      else complete = false;
    }
    return { known, complete };
  }

  /**
   * Of several values resolution gives a name, those not assigned in an arm the profile rules out (ArchiveBox's
   * `DEBUG_TOOLBAR = DEBUG_TOOLBAR and DEBUG and ...`, rebound only under `if DEBUG_TOOLBAR:`): each was read just
   * before its binding's line.
   */
  private assignedInArmsThatRun(values: Value[], depth: number): Value[] {
    if (values.length < 2) return values;
    const readAt = (v: Value): Ctx | undefined => (v.kind === 'literal' || v.kind === 'result' ? v.ctx : v.kind === 'instance' ? v.site.ctx : undefined);
    return values.filter((v) => {
      const at = readAt(v);
      return !at || this.runsAt(at.mod, at.line + 1, depth) !== false;
    });
  }

  /** Whether the arms around a line of a module run (see armVerdicts): undefined when one of them may. */
  private runsAt(mod: ModuleFacts, line: number, depth: number): boolean | undefined {
    let runs: boolean | undefined = true;
    for (const group of armGroupsOf(mod)) {
      const i = group.findIndex((arm) => arm.from <= line && line <= arm.to);
      if (i < 0) continue;
      const verdict = armVerdicts(group, (arm) => this.holds(arm, mod, depth + 1))[i];
      if (verdict === false) return false;
      if (verdict === undefined) runs = undefined;
    }
    return runs;
  }

  /** Whether an arm's test holds, when the profile decides it (see decide), within the evaluation under way. */
  private holds(arm: Arm, mod: ModuleFacts, depth: number): boolean | undefined {
    const ctx = { mod, scope: arm.scope ?? 0, line: arm.from - 1 };
    if (!arm.test || !this.mayDecide(arm.test, ctx)) return undefined;
    return this.truth(arm.test, ctx, depth);
  }

  /** The value of the one value resolution gives a name or attribute, evaluated where it stands. */
  private resolved(expr: Expr, ctx: Ctx, depth: number): PyValue | undefined {
    const found = this.assignedInArmsThatRun(this.project.resolve(expr, ctx), depth);
    if (found.length !== 1) return undefined;
    const [v] = found;
    if (v.kind === 'literal' && v.expr !== expr) return this.assigned(v, ctx, depth);
    // A call's result (`os.getenv(...).removesuffix("/")`): evaluated where it was made.
    if (v.kind === 'result') return this.value(v.call, v.ctx, depth + 1);
    if (v.kind === 'instance') return this.value(v.site.call, v.site.ctx, depth + 1);
    return undefined;
  }

  /**
   * What `Stage.production` is when its class is an enum: `plain` (an `Enum` member, equal to no literal) or `valued`
   * (with a `str` or `int` mixin, `StrEnum`, `IntEnum`: equal to its value).
   */
  private enumKind(expr: Expr, ctx: Ctx): 'plain' | 'valued' | undefined {
    if (expr.k !== 'attr') return undefined;
    const [owner, ...others] = this.project.resolve(expr.obj, ctx);
    return others.length || owner?.kind !== 'class' ? undefined : this.enumClassKind(owner.ref);
  }

  private enumClassKind(cls: ClassRef): 'plain' | 'valued' | undefined {
    const bases = this.project.externalBases(cls);
    if (!bases.some((q) => ENUM_CLASSES.includes(q))) return undefined;
    const mixin = (b: Expr): boolean => b.k === 'name' && (b.id === 'str' || b.id === 'int');
    const valued = bases.some((q) => VALUED_ENUMS.includes(q)) || this.project.classChain(cls).some((c) => c.cls.bases.some(mixin));
    return valued ? 'valued' : 'plain';
  }

  private call(call: CallExpr, ctx: Ctx, depth: number): PyValue | undefined {
    const operand = (i: number): PyValue | undefined => (call.args[i] ? this.value(call.args[i], ctx, depth + 1) : undefined);
    const operator = call.fn.k === 'name' ? call.fn.id : '';
    if (LOGICAL_OPERATORS.has(operator)) return logicalValue(operator, operand);
    if (operator === '__cmp__') return this.compare(call, ctx, depth);
    if (call.fn.k === 'attr' && STRING_METHODS[call.fn.name]) {
      const text = this.value(call.fn.obj, ctx, depth + 1);
      const args = call.args.map((a) => this.value(a, ctx, depth + 1));
      if (typeof text === 'string' && args.every((a) => typeof a === 'string')) return STRING_METHODS[call.fn.name](text, args as string[]);
    }
    const callee = call.fn.k === 'name' || call.fn.k === 'attr' ? this.project.resolve(call.fn, ctx) : [];
    if (callee.length === 1 && callee[0].kind === 'function') return this.returned(callee[0].ref, call, ctx, depth);
    // `Backend(os.environ.get("BACKEND", Backend.REDIS))` of a `str` enum: the member, equal to its value.
    if (callee.length === 1 && callee[0].kind === 'class' && call.args.length === 1 && this.enumClassKind(callee[0].ref) === 'valued') return operand(0);
    // `lambda: settings.RATE` called: its body (parameters it reads are unknown).
    const lambda = call.fn.k === 'lambda' ? { expr: call.fn, ctx } : callee.length === 1 && callee[0].kind === 'literal' ? callee[0] : undefined;
    if (lambda?.expr.k === 'lambda') return this.value(lambda.expr.body, lambda.ctx, depth + 1);
    const reader = callee.length === 1 && callee[0].kind === 'external' && ENVIRONMENT_READS[callee[0].qname] ? callee[0].qname : undefined;
    if (reader) return this.environmentRead(reader, call, ctx, depth);
    // One Env object, or several that read alike (keep's `Config(BASE_DIR / ".env")`, or `Config()` where the file is missing).
    if (callee.length && callee.every(readsEnvironmentObject)) return agreed(callee.map((c) => this.environmentObjectRead(c, call, ctx, depth)));
    if (callee.length === 1 && callee[0].kind === 'external' && callee[0].qname === CAST) return operand(1);
    const convert = call.args.length === 1 && !call.kwargs.length && callee.every((v) => v.kind === 'unknown') ? CONVERSIONS[operator] : undefined; // not the project's own `int`
    if (convert) {
      const v = operand(0);
      return v === undefined ? undefined : convert(v);
    }
    if (operator === 'isinstance' && call.args.length === 2 && callee.every((v) => v.kind === 'unknown')) return this.isInstance(call, ctx, depth);
    if (operator === 'getattr' && call.args[1]?.k === 'str') {
      // `getattr(request, "user", None)` is `request.user` where that is known; of an opaque parameter nothing else is.
      const read: Expr = { k: 'attr', obj: call.args[0], name: call.args[1].v, loc: call.loc };
      const given = this.known(read, ctx);
      if (given !== undefined || opaque(call.args[0], ctx)) return given;
      // `getattr(settings, "X", False)` of a setting the project defines: its value, not the default.
      const defined = this.project.definition(read, ctx);
      const value = defined && this.assigned(defined, ctx, depth);
      if (value !== undefined) return value;
    }
    // `options.get("prefix")` of a dict literal (a `**kwargs` a call filled): the entry, else the default.
    if (call.fn.k === 'attr' && call.fn.name === 'get' && callee.length === 1 && callee[0].kind === 'member') {
      const key = operand(0);
      const entry = typeof key === 'string' ? this.project.dictEntry(call.fn.obj, key, ctx) : 'unread';
      if (entry !== 'unread') return entry ? this.value(entry.expr, entry.ctx, depth + 1) : call.args[1] ? operand(1) : null;
    }
    // `getattr(configuration, "BASE_PATH", "")`: what resolution reads for it (here the default, taken as an assumption).
    return operator === 'getattr' ? this.resolved(call, ctx, depth) : undefined;
  }

  /** `isinstance(API_RATE_LIMITS, str)` (also of a tuple of types) where the value and the builtin types tell. */
  private isInstance(call: CallExpr, ctx: Ctx, depth: number): boolean | undefined {
    const value = this.value(call.args[0], ctx, depth + 1);
    if (value === undefined) return undefined;
    const [, written] = call.args;
    const types = written.k === 'seq' ? written.items : [written];
    const builtin = (t: Expr): t is Extract<Expr, { k: 'name' }> => t.k === 'name' && this.project.resolve(t, ctx).every((v) => v.kind === 'unknown');
    const verdicts = types.map((t) => (builtin(t) ? INSTANCE_OF[t.id]?.(value) : undefined));
    return verdicts.includes(true) ? true : verdicts.every((v) => v === false) ? false : undefined;
  }

  /** What a project function returns for this call: the first `return` its branches reach, evaluated. */
  private returned(ref: FunctionRef, call: CallExpr, ctx: Ctx, depth: number): PyValue | undefined {
    // A function reached again through its own return (directly or through the resolver) is recursion: left
    // undecided, as each pass through the resolver starts a depth count of its own (indico's settings proxies
    // overflowed the stack).
    if (this.running.has(ref.fn)) return undefined;
    this.running.add(ref.fn);
    try {
      const reached = this.reachedReturn(ref, this.project.callEnv(ref.fn, call, ctx), depth);
      return reached && this.value(reached.expr, reached.ctx, depth + 1);
    } finally {
      this.running.delete(ref.fn);
    }
  }

  /** The first `return` the function's branches reach with its parameters bound by `env`; undefined when one is undecided. */
  reachedReturn(ref: FunctionRef, env: Env, depth: number, verdictsAt = this.armsTaken(ref, env, depth)): { expr: Expr; ctx: Ctx } | undefined {
    const { mod, fn } = ref;
    for (const expr of [...fn.returns].sort((a, b) => exprLine(a, lineOf(fn.loc)) - exprLine(b, lineOf(fn.loc)))) {
      const line = exprLine(expr, lineOf(fn.loc));
      const verdicts = verdictsAt(line);
      if (verdicts.includes(undefined)) return undefined;
      if (verdicts.every(Boolean)) return { expr, ctx: { mod, scope: fn.bodyScope, line: line - 1, env } };
    }
    return undefined;
  }

  /** Whether each branch of the function's body around a line is taken (undefined: undecided), each read once when asked. */
  armsTaken({ mod, fn }: FunctionRef, env: Env, depth: number): (line: number) => (boolean | undefined)[] {
    const own = testedArmGroupsIn(mod, fn.bodyScope);
    const taken = new Map<Arm[], (boolean | undefined)[]>();
    const verdictsOf = (group: Arm[]): (boolean | undefined)[] =>
      taken.get(group) ?? taken.set(group, armVerdicts(group, (arm) => this.truth(arm.test, { mod, scope: fn.bodyScope, line: arm.from - 1, env }, depth))).get(group) ?? [];
    // A statement's arms follow each other down the lines: one whose arms end before the line holds none of them.
    return (line) => {
      const verdicts: (boolean | undefined)[] = [];
      for (const group of own) {
        if (line < group[0].from || line > group[group.length - 1].to) continue;
        group.forEach((arm, i) => {
          if (arm.from <= line && line <= arm.to) verdicts.push(verdictsOf(group)[i]);
        });
      }
      return verdicts;
    };
  }

  private truth(test: Expr | undefined, ctx: Ctx, depth: number): boolean | undefined {
    const v = test && this.value(test, ctx, depth + 1);
    if (v !== undefined) return truthy(v);
    // Whatever an unknown left operand is, `x and <false>` is false and `x or <true>` true.
    const operator = test?.k === 'call' && test.fn.k === 'name' ? test.fn.id : '';
    if (test?.k !== 'call' || (operator !== '__and__' && operator !== '__or__') || !test.args[1]) return undefined;
    const right = this.truth(test.args[1], ctx, depth + 1);
    return right === (operator === '__or__') ? right : undefined;
  }

  /** `urlparse(url).path` (also `urlsplit`, and `.netloc`, `.scheme`, `.hostname`) of a URL the profile knows. */
  private urlPart(expr: Extract<Expr, { k: 'attr' }>, ctx: Ctx, depth: number): PyValue | undefined {
    const { obj, name } = expr;
    if (obj.k !== 'call' || !obj.args[0] || !['path', 'netloc', 'scheme', 'hostname'].includes(name)) return undefined;
    const parser = this.project.resolve(obj.fn, ctx)[0];
    if (parser?.kind !== 'external' || !['urllib.parse.urlparse', 'urllib.parse.urlsplit'].includes(parser.qname)) return undefined;
    const url = this.value(obj.args[0], ctx, depth + 1);
    if (typeof url !== 'string') return undefined;
    try {
      const parsed = new URL(url);
      return name === 'path' ? parsed.pathname.replace(/^\/$/, url.endsWith('/') ? '/' : '') : name === 'netloc' ? parsed.host : name === 'scheme' ? parsed.protocol.replace(/:$/, '') : parsed.hostname;
    } catch {
      return undefined;
    }
  }

  /** The environment variable a read names (its first argument); undefined when not static or one the system sets. */
  private variableName(call: CallExpr, ctx: Ctx, depth: number): string | undefined {
    const name = call.args[0] && this.value(call.args[0], ctx, depth + 1);
    return typeof name === 'string' && !SET_BY_THE_SYSTEM.has(name) ? name : undefined;
  }

  /**
   * django-environ's and environs' `env("ENABLE_X", default=False)`, `env.bool("X", default=False)`: the profile's
   * value for X, else the code's default (see Project.environmentDefault).
   */
  private environmentObjectRead(callee: Value, call: CallExpr, ctx: Ctx, depth: number): PyValue | undefined {
    const name = this.variableName(call, ctx, depth);
    if (name === undefined) return undefined;
    const cast = castsDefault(callee) ? argument(call, 1, 'cast') : undefined;
    const read = (v: PyValue | undefined): PyValue | undefined => (v === undefined || !cast ? v : starletteCast(cast, v));
    if (this.values.has(name)) return read(this.values.get(name));
    const fallback = this.project.environmentDefault({ kind: 'result', callee, call, ctx });
    return fallback && read(this.value(fallback.expr, fallback.ctx, depth + 1));
  }

  /**
   * `os.environ.get("NAME", default)`: the profile's value for NAME, else the default (None without one); python-decouple's
   * `config("NAME", default, cast=bool)` casts whichever it reads.
   */
  private environmentRead(reader: string, call: CallExpr, ctx: Ctx, depth: number): PyValue | undefined {
    const read = this.uncastEnvironmentRead(reader, call, ctx, depth);
    const cast = reader === 'decouple.config' ? argument(call, 2, 'cast') : undefined;
    return read === undefined || !cast ? read : decoupleCast(cast, read);
  }

  private uncastEnvironmentRead(reader: string, call: CallExpr, ctx: Ctx, depth: number): PyValue | undefined {
    const name = this.variableName(call, ctx, depth);
    if (name === undefined) return undefined;
    if (this.values.has(name)) return this.values.get(name);
    const fromDotenv = this.project.dotenvValue(call, ctx, reader === 'decouple.config');
    if (fromDotenv !== undefined) return fromDotenv;
    const [position, keyword] = ENVIRONMENT_READS[reader];
    const fallback = argument(call, position, keyword);
    const value = fallback ? this.value(fallback, ctx, depth + 1) : null;
    if (value !== undefined) this.project.assumeDefault(name, value, call, ctx);
    return value;
  }

  private compare(call: CallExpr, ctx: Ctx, depth: number): PyValue | undefined {
    let left = this.value(call.args[0], ctx, depth + 1);
    for (let i = 1; i + 1 < call.args.length; i += 2) {
      const written = call.args[i];
      const op = written.k === 'str' ? written.v : '';
      const right = this.value(call.args[i + 1], ctx, depth + 1);
      if (left === undefined) return undefined;
      // `"bugs" in APPS` holds when APPS surely has the item, though it may have others the profile cannot read.
      const member = right === undefined && (op === 'in' || op === 'not in') ? this.listItems(call.args[i + 1], ctx, depth + 1) : undefined;
      if (member?.known.some((item) => JSON.stringify(item) === JSON.stringify(left))) {
        if (op === 'not in') return false;
        left = undefined;
        continue;
      }
      if (right === undefined) return undefined;
      const holds = comparison(op, left, right);
      if (holds === undefined) return undefined;
      if (!holds) return false;
      left = right;
    }
    return true;
  }

  /**
   * Whether a test reads something the profile knows: one of its names, `settings.X`, or the environment, also
   * through a name assigned from them. Other tests (`if user.is_staff:`) are not resolved at all: following a helper's parameters through every
   * call site is costly and cannot decide them anyway.
   */
  private mayDecide(test: Expr, ctx: Ctx): boolean {
    const deployment = (e: Expr): boolean => this.readsDeployment(e);
    // Also a name the code computes from one (`DEV = os.environ.get("DJANGO_DEV", "False") != "False"`, then `if DEV:`),
    // or a project function that reads one (AI-Horde's `if _is_ratelimit_disabled():`, which returns
    // `os.getenv("HORDE_TEST_RATELIMIT_DISABLED", "0").strip().lower() in ...`; Spoolman's `base_path =
    // env.get_base_path()`, then `if base_path != "":`). Only calls named like such a function are resolved: a
    // project's tests call its functions tens of thousands of times.
    const helper = (e: Expr, at: Ctx): boolean => {
      if (e.k !== 'call' || (e.fn.k !== 'name' && e.fn.k !== 'attr') || !this.deploymentReaders().has(e.fn.k === 'name' ? e.fn.id : e.fn.name)) return false;
      const [callee, ...others] = this.project.resolve(e.fn, at);
      return !others.length && callee?.kind === 'function' && this.readsInBody(callee.ref.fn);
    };
    const derived = (e: Expr): boolean => {
      const defined = e.k === 'name' ? this.project.definition(e, ctx) : undefined;
      return defined !== undefined && defined.expr !== e && someExpr(defined.expr, (d) => deployment(d) || helper(d, defined.ctx));
    };
    return someExpr(test, (e) => deployment(e) || derived(e) || helper(e, ctx));
  }

  /** An expression that reads a deployment value: a name the profile sets, `settings.X`, or an environment read. */
  private readsDeployment(e: Expr): boolean {
    // `getattr(settings, "DEBUG_TOOLBAR", False)` reads what `settings.DEBUG_TOOLBAR` does.
    if (e.k === 'call' && e.fn.k === 'name' && e.fn.id === 'getattr' && e.args[0] && e.args[1]?.k === 'str') return this.readsDeployment({ k: 'attr', obj: e.args[0], name: e.args[1].v, loc: e.loc });
    if (this.named(e) !== undefined) return true;
    const dotted = dottedName(e.k === 'call' ? e.fn : e) ?? '';
    return dotted.startsWith('settings.') || ['os.environ.get', 'os.getenv', 'getenv', 'environ.get', 'config'].includes(dotted);
  }

  /**
   * A function that returns or calls such a read, or returns a settings object that reads the environment
   * (kfchess-cc's `get_settings()`: `return Settings()`, a pydantic `BaseSettings`).
   */
  private readsInBody(fn: FunctionDef): boolean {
    const settingsObject = (e: Expr): boolean => e.k === 'call' && e.fn.k === 'name' && this.settingsClassNames().has(e.fn.id);
    return fn.returns.some((r) => settingsObject(r) || someExpr(r, (e) => this.readsDeployment(e))) || fn.calls.some((c) => this.readsDeployment(c.fn));
  }

  /** The names of the project's functions that read a deployment value in their body, found once. */
  private deploymentReaders(): Set<string> {
    this.readers ??= new Set(this.project.modules.flatMap((m) => m.functions.filter((fn) => this.readsInBody(fn)).map((fn) => fn.name)));
    return this.readers;
  }

  /**
   * The names of the project's classes derived from one named `BaseSettings` (pydantic's), by the names their bases
   * are written with, found once: a test that reads one is then evaluated, which resolves it.
   */
  private settingsClassNames(): Set<string> {
    if (this.settingsClasses) return this.settingsClasses;
    const names = new Set(['BaseSettings']);
    const classes = this.project.modules.flatMap((mod) => mod.classes);
    for (let size = 0; size !== names.size; ) {
      size = names.size;
      for (const cls of classes) if (cls.bases.some((b) => names.has(dottedName(b)?.split('.').at(-1) ?? ''))) names.add(cls.name);
    }
    names.delete('BaseSettings');
    this.settingsClasses = names;
    return names;
  }

  /** A call's value as the profile runs it, for the resolver (see Project.evaluateCall); one step budget per outermost call. */
  evaluate(call: CallExpr, ctx: Ctx): PyValue | undefined {
    return this.nested(() => this.value(call, ctx));
  }

  /**
   * The `return`s a call of a project function may reach as the profile runs it, and its value when the first one
   * it reaches is known (see Project.returnsReached): those in branches it does not take are dropped, and those after
   * one it surely reaches, but for a return in an `except` handler (run when the `try` raises).
   */
  returnsReached(ref: FunctionRef, call: CallExpr, ctx: Ctx): { returns: { expr: Expr; ctx: Ctx }[]; value?: PyValue } | undefined {
    if (this.running.has(ref.fn)) return undefined;
    this.running.add(ref.fn);
    try {
      return this.nested(() => this.possibleReturns(ref, call, ctx));
    } finally {
      this.running.delete(ref.fn);
    }
  }

  private possibleReturns(ref: FunctionRef, call: CallExpr, ctx: Ctx): { returns: { expr: Expr; ctx: Ctx }[]; value?: PyValue } {
    const { mod, fn } = ref;
    const env = this.project.callEnv(fn, call, ctx);
    const verdictsAt = this.armsTaken(ref, env, 0);
    const handlers = testedArmsIn(mod, fn.bodyScope).filter((a) => a.test?.k === 'other');
    // A `try` body runs from its statement's line to its first handler: a return there may not be reached.
    const tried = (line: number): boolean => handlers.some((a) => a.arm === 0 && a.of < line && line < a.from);
    const returns: { expr: Expr; ctx: Ctx }[] = [];
    let surely = false;
    for (const expr of [...fn.returns].sort((a, b) => exprLine(a, lineOf(fn.loc)) - exprLine(b, lineOf(fn.loc)))) {
      const line = exprLine(expr, lineOf(fn.loc));
      const handled = handlers.some((a) => a.from <= line && line <= a.to);
      const verdicts = verdictsAt(line);
      if ((surely && !handled) || verdicts.includes(false)) continue;
      returns.push({ expr, ctx: { mod, scope: fn.bodyScope, line: line - 1, env } });
      surely ||= !handled && !tried(line) && verdicts.every(Boolean);
    }
    const first = this.reachedReturn(ref, env, 0, verdictsAt);
    return { returns, ...(first && { value: this.value(first.expr, first.ctx, 1) }) };
  }

  /**
   * Whether the code at `line` of a function's body runs for a call that binds `env`: false when an arm it is in is
   * ruled out, true when every arm it is in is taken, undefined when that is not known (see Project.runsAt).
   */
  runsInCall(ref: FunctionRef, env: Env, line: number): boolean | undefined {
    let byFunction = this.armsByCall.get(env);
    if (!byFunction) this.armsByCall.set(env, (byFunction = new Map()));
    let armsAt = byFunction.get(ref.fn);
    if (!armsAt) byFunction.set(ref.fn, (armsAt = this.armsTaken(ref, env, 0)));
    return this.nested(() => {
      const verdicts = armsAt(line);
      return verdicts.includes(false) ? false : verdicts.includes(undefined) ? undefined : true;
    });
  }

  private nested<T>(run: () => T | undefined): T | undefined {
    if (this.nesting === 0) this.steps = 0;
    if (this.nesting >= MAX_NESTING) return undefined;
    this.nesting++;
    try {
      return run();
    } finally {
      this.nesting--;
    }
  }

  decide(arm: Arm, mod: ModuleFacts): boolean | undefined {
    this.steps = 0;
    return this.holds(arm, mod, 0);
  }
}

/** An expression read from a parameter that stands for what the caller passes (see reachedReturn): `request.user`. */
function opaque(expr: Expr, ctx: Ctx): boolean {
  let root = expr;
  while (root.k === 'attr') root = root.obj;
  return root.k === 'name' && ctx.env?.get(root.id)?.expr.k === 'other';
}

/**
 * The first `return` a project function reaches when, besides constants, only what `known` answers is known
 * (a throttle's `allow_request` for one HTTP method: `request.method`): every parameter is opaque, so a branch
 * on anything else about the request stays undecided and the answer is undefined. `value` evaluates other
 * expressions of the body the same way.
 */
export function reachedReturn(project: Project, ref: FunctionRef, known: Known): ReachedReturn | undefined {
  const opaque: Env = new Map(ref.fn.params.map((p) => [p.name, { expr: { k: 'other', text: p.name, loc: ref.fn.loc }, ctx: project.moduleCtx(ref.mod) }]));
  const conditions = new Conditions(project, { name: 'request', defines: {} }, known);
  // Each branch is read once, for the return and for the lines the caller asks about.
  const armsAt = conditions.armsTaken(ref, opaque, 0);
  const reached = conditions.reachedReturn(ref, opaque, 0, armsAt);
  // What the body computes on the way there (`self.throttle_scope = ... if self.action == "list" else ...`), with as much known.
  const value = (expr: Expr, line: number): PyValue | undefined => conditions.value(expr, { mod: ref.mod, scope: ref.fn.bodyScope, line, env: opaque });
  return reached && { ...reached, value, armsAt };
}

/** See reachedReturn; `armsAt`: whether each branch of the body around a line is taken (undefined: undecided). */
export interface ReachedReturn {
  expr: Expr;
  ctx: Ctx;
  value: (expr: Expr, line: number) => PyValue | undefined;
  armsAt: (line: number) => (boolean | undefined)[];
}

/** What the caller of an evaluation knows of an expression read where `ctx` stands (`request.method`). */
export type Known = (expr: Expr, ctx: Ctx) => PyValue | undefined;

/**
 * What a request handed to library code (`allow_request(self, request, view)`, a rate function) is known to be
 * for one method and one kind of client: `request.method`, `request.user.is_authenticated` / `is_anonymous`.
 */
export function requestFacts(project: Project, request: string, method: string, principal: Principal): Known {
  return (expr, ctx) => {
    // `user = request.user` first, then `user.is_authenticated`: read through the local name.
    const alias = expr.k === 'attr' && expr.obj.k === 'name' ? project.definition(expr.obj, ctx) : undefined;
    const aliased = alias && expr.k === 'attr' ? `${dottedName(alias.expr)}.${expr.name}` : undefined;
    for (const name of [dottedName(expr), aliased]) {
      if (name === `${request}.method`) return method;
      // DRF's request always carries a user object (AnonymousUser when no one signed in): it stands for true.
      if (name === `${request}.user`) return true;
      if (name === `${request}.user.is_authenticated`) return principal === 'authenticated';
      if (name === `${request}.user.is_anonymous`) return principal === 'anonymous';
    }
    return undefined;
  };
}

/**
 * What a callable a limiter calls per request (`exempt_when`, `cost`, a callable limit) returns: a lambda's body
 * or the first `return` a project function reaches, when only constants and what is known decide it. `known`
 * says, from the callable's parameter names, what the library's call tells of the request (undefined: the
 * library cannot call it so). Undefined when it depends on more, or is not a lambda or project function.
 */
export function calledValue(project: Project, values: Value[], known: (params: string[]) => Known | undefined): PyValue | undefined {
  const value = values.length === 1 ? values[0] : undefined;
  if (value?.kind === 'literal' && value.expr.k === 'lambda') {
    const facts = known(value.expr.params);
    return facts && new Conditions(project, { name: 'request', defines: {} }, facts).value(value.expr.body, value.ctx);
  }
  if (value?.kind !== 'function') return undefined;
  const facts = known(value.ref.fn.params.filter((p) => !p.star && !p.default).map((p) => p.name));
  const reached = facts && reachedReturn(project, value.ref, facts);
  return reached?.value(reached.expr, exprLine(reached.expr, lineOf(value.ref.fn.loc)));
}

/**
 * What the resolver asks of the profile: a call's value, the returns a call of a project function may reach (and its
 * value), and whether a line of a helper's body runs for one call of it.
 */
export function profileEvaluation(project: Project, profile: Profile): Pick<Project, 'evaluateCall' | 'returnsReached' | 'runsAt'> {
  const conditions = new Conditions(project, profile);
  return {
    evaluateCall: (call, ctx) => conditions.evaluate(call, ctx),
    returnsReached: (ref, call, ctx) => conditions.returnsReached(ref, call, ctx),
    runsAt: (ref, env, line) => conditions.runsInCall(ref, env, line),
  };
}

/**
 * The modules as the profile runs them: what an arm the profile rules out holds (calls, bindings, returns) is
 * dropped, and an `if` whose taken arm is known no longer counts as a branch. Returns how many `if`s it decided.
 * `settingNames` answers for library names (`django.conf.settings.X`) while the tests are read.
 */
export function applyProfile(project: Project, profile: Profile, settingNames?: ExternalNames): Profiled {
  return settingNames ? project.withExternalNames(settingNames, () => decideBranches(project, profile)) : decideBranches(project, profile);
}

/** An arm the profile runs because its test holds: code in it is there in this deployment only. */
export interface TakenArm {
  file: string;
  of: number; // the line of its `if`/`match`
  from: number;
  to: number;
}

/** An arm the profile does not run: what it registers is not served in this deployment. */
export interface SkippedArm extends TakenArm {
  condition: string; // the test as written, or `else`
  assumed: Assumption[]; // what deciding it took
}

export interface Profiled {
  modules: ModuleFacts[];
  decided: number; // `if`/`match` statements the profile decided
  taken: TakenArm[];
  skipped: SkippedArm[];
  resting: Project['decidedNames']; // what deciding them took, by the names they assign (see Project.decidedNames)
  branches: Project['decidedBranches'];
}

function decideBranches(project: Project, profile: Profile): Profiled {
  const conditions = new Conditions(project, profile);
  let decided = 0;
  const taken: TakenArm[] = [];
  const skipped: SkippedArm[] = [];
  const resting: Profiled['resting'] = new Map();
  const branches: Profiled['branches'] = new Map();
  const modules = project.modules.map((mod) => {
    const dead: Arm[] = [];
    const settled = new Set<number>(); // `if` statements whose taken arm is known
    for (const group of armGroupsOf(mod)) {
      const { value: verdicts, assumed } = project.captured(() => armVerdicts(group, (arm) => conditions.decide(arm, mod)));
      if (assumed.length && verdicts.some((v) => v !== undefined)) {
        restOn(resting, mod, group, assumed);
        addTo(branches, `${mod.file}\0${group[0].scope}`, { from: group[0].from, assumed });
      }
      const ruledOut = group.filter((_, i) => verdicts[i] === false);
      dead.push(...ruledOut);
      skipped.push(...ruledOut.map((arm) => ({ file: mod.file, of: arm.of, from: arm.from, to: arm.to, condition: arm.test ? `if ${pythonText(arm.test)}` : 'else', assumed })));
      taken.push(...group.filter((arm, i) => verdicts[i] === true && arm.test).map((arm) => ({ file: mod.file, of: arm.of, from: arm.from, to: arm.to })));
      if (verdicts.includes(true) && !verdicts.includes(undefined)) settled.add(group[0].of);
    }
    if (!dead.length && !settled.size) return mod;
    decided += new Set([...settled, ...dead.map((a) => a.of)]).size;
    const live = (line: number): boolean => !dead.some((a) => a.from <= line && line <= a.to);
    return {
      ...mod,
      calls: mod.calls.filter((c) => live(lineOf(c.call.loc))),
      bindings: Object.fromEntries(Object.entries(mod.bindings).map(([scope, list]) => [scope, list.filter((b) => live(b.line))])),
      // A `def` or `class` in an arm that does not run defines nothing: its decorators (`@app.get(...)`) never run.
      functions: mod.functions.map((fn) => ({ ...fn, returns: fn.returns.filter((r) => live(exprLine(r, lineOf(fn.loc)))), decorators: live(lineOf(fn.loc)) ? fn.decorators : [] })),
      classes: mod.classes.map((cls) => (live(lineOf(cls.loc)) ? cls : { ...cls, decorators: [] })),
      arms: (mod.arms ?? []).filter((a) => !settled.has(a.of) && !dead.includes(a)),
    };
  });
  return { modules, decided, taken, skipped, resting, branches };
}

/**
 * Each name an arm of a decided `if` assigns anew rests on what deciding it assumed. Not one it adds to
 * (`urlpatterns += [...]`, `INSTALLED_APPS += [...]`): what was there before stands either way.
 */
function restOn(resting: Profiled['resting'], mod: ModuleFacts, group: Arm[], assumed: Assumption[]): void {
  const inGroup = (line: number): boolean => group.some((arm) => arm.from <= line && line <= arm.to);
  for (const [scope, list] of Object.entries(mod.bindings)) {
    for (const b of list) {
      const adds = b.kind === 'assign' && b.value.k === 'concat' && b.value.parts[0]?.k === 'name' && b.value.parts[0].id === b.name;
      if (!adds && inGroup(b.line)) addTo(resting, `${mod.file}\0${scope}\0${b.name}`, ...assumed);
    }
  }
  // What a function returns rests on it too when a `return` stands in one of the arms (Spoolman's `get_base_path()`:
  // `if len(path) == 0: return ""`); `return` is no name, so the key is the function's own.
  for (const fn of mod.functions) {
    if (fn.returns.some((r) => inGroup(exprLine(r, lineOf(fn.loc))))) addTo(resting, `${mod.file}\0${fn.bodyScope}\0return`, ...assumed);
  }
}

/**
 * The call statements of branches the profile does not run, and the calls in what they assign, taken from the project
 * as written and read in the profiled one (the same files, whose other bindings still hold): an `include_router` there
 * is what leaves a router unserved, an `include(...)` in `urlpatterns += [...]` a URLconf.
 */
export function skippedCalls(unprofiled: Project, profiled: Project, skipped: SkippedArm[]): Project['profileSkipped'] {
  const byFile = new Map(profiled.modules.map((m) => [m.file, m]));
  return unprofiled.modules.flatMap((written) => {
    const arms = skipped.filter((a) => a.file === written.file);
    const mod = byFile.get(written.file);
    if (!arms.length || !mod) return [];
    const listed = new Set(written.calls.map(({ call }) => call));
    const assigned: { call: CallExpr; scope: number }[] = [];
    for (const [scope, list] of Object.entries(written.bindings)) {
      for (const b of list) if (b.kind === 'assign') eachCall(b.value, (call) => listed.has(call) || assigned.push({ call, scope: Number(scope) }));
    }
    return [...written.calls, ...assigned].flatMap(({ call, scope }) => {
      const arm = arms.find((a) => a.from <= lineOf(call.loc) && lineOf(call.loc) <= a.to);
      return arm ? [{ call, ctx: { mod, scope, line: lineOf(call.loc) - 1 }, notServed: { file: arm.file, line: arm.of, condition: arm.condition }, assumed: arm.assumed }] : [];
    });
  });
}

/**
 * Whether each arm of one `if` runs (true), does not (false) or may (undefined), given what `decide` says of
 * each arm's test: the first arm whose test holds runs, the `else` when every test before it fails.
 */
function armVerdicts(group: Arm[], decide: (arm: Arm) => boolean | undefined): (boolean | undefined)[] {
  let taken = false;
  let open = false; // an arm before this one is undecided
  return group.map((arm) => {
    const verdict = taken ? false : arm.test ? decide(arm) : open || !isElse(arm, group) ? undefined : true;
    if (verdict === false) return false;
    if (verdict === true && !open) {
      taken = true;
      return true;
    }
    open = true;
    return undefined;
  });
}

/** The `else` of an `if`: its last arm, without a test, after arms that have one (a `match` case has none). */
function isElse(arm: Arm, group: Arm[]): boolean {
  return arm === group[group.length - 1] && group.length > 1 && group.slice(0, -1).every((a) => a.test);
}

/** The one value all of `values` are; undefined when they differ or one is unknown. */
function agreed(values: (PyValue | undefined)[]): PyValue | undefined {
  const [first] = values;
  return values.every((v) => v !== undefined && JSON.stringify(v) === JSON.stringify(first)) ? first : undefined;
}

/**
 * Starlette's `Config` `cast=`, which it applies to the default too, never to None: `bool` takes only `true`, `1`,
 * `false`, `0` of a text (any case; another raises), and Python's truth of any other value; `int`, `float` and `str` as
 * python-decouple's; another cast (`Secret`, `CommaSeparatedStrings`) makes an object not evaluated here.
 */
function starletteCast(cast: Expr, value: PyValue): PyValue | undefined {
  if (value === null) return null;
  if (cast.k !== 'name') return undefined;
  if (cast.id === 'bool') return typeof value === 'string' ? STARLETTE_BOOLS.get(value.toLowerCase()) : truthy(value);
  return ['int', 'float', 'str'].includes(cast.id) ? decoupleCast(cast, value) : undefined;
}

/**
 * python-decouple's `cast=` of a builtin: `bool` maps the text of the value as its `strtobool` does (`"False"`,
 * `"off"`, `""` false; a text it does not know raises), `int` and `float` parse it; another cast (`Csv()`) is left
 * out, the value read as it is.
 */
function decoupleCast(cast: Expr, value: PyValue): PyValue | undefined {
  if (cast.k !== 'name') return value;
  const text = value === null ? 'None' : typeof value === 'boolean' ? (value ? 'True' : 'False') : typeof value === 'number' || typeof value === 'string' ? String(value) : undefined;
  switch (cast.id) {
    case 'bool': {
      const lower = text?.toLowerCase();
      if (lower === '') return false;
      return lower && DECOUPLE_TRUE.has(lower) ? true : lower && DECOUPLE_FALSE.has(lower) ? false : undefined;
    }
    case 'int':
      return text !== undefined && INTEGER_TEXT.test(text) ? Number.parseInt(text.replace(/_/g, ''), 10) : undefined;
    case 'float':
      return text !== undefined && FLOAT_TEXT.test(text) ? Number.parseFloat(text) : undefined;
    case 'str':
      return text;
    default:
      return value;
  }
}
