/**
 * A small, JSON-serialisable picture of a Python module: the statements and expressions that route and
 * limiter analysis needs, extracted once from the tree-sitter tree so the tree can be freed at once.
 * Nothing here is Flask-, FastAPI- or Django-specific.
 */
import { ownCopy } from '../collections';

/**
 * A source position (1-based line and column) packed in one number: facts hold one per expression, and a
 * number costs no object (a column from 2048 on is kept exactly too, negated and packed wider).
 */
export type Loc = number;

const COLUMNS = 2048;
const WIDE_COLUMNS = 2 ** 26;

export function locAt(line: number, column: number): Loc {
  return column < COLUMNS ? line * COLUMNS + column : -(line * WIDE_COLUMNS + column);
}

export function lineOf(loc: Loc): number {
  return loc >= 0 ? Math.floor(loc / COLUMNS) : Math.floor(-loc / WIDE_COLUMNS);
}

export function columnOf(loc: Loc): number {
  return loc >= 0 ? loc % COLUMNS : -loc % WIDE_COLUMNS;
}

export type Expr =
  | { k: 'str'; v: string; loc: Loc }
  | { k: 'num'; v: number; loc?: Loc } // loc: where the parser saw it (a literal `return True` is placed by it)
  | { k: 'bool'; v: boolean; loc?: Loc }
  | { k: 'none'; loc?: Loc }
  | { k: 'name'; id: string; loc: Loc }
  | { k: 'attr'; obj: Expr; name: string; loc: Loc }
  | { k: 'call'; fn: Expr; args: Expr[]; kwargs: [string, Expr][]; splat: boolean; star?: Expr; kwstar?: Expr; loc: Loc } // star: a trailing `*rest` after the positional args; kwstar: the one `**options`
  | { k: 'seq'; items: Expr[]; loc?: Loc } // list, tuple or set display
  | { k: 'dict'; entries: [Expr, Expr][]; spreads?: { before: number; expr: Expr }[]; loc?: Loc } // spreads: each `**other`, after `before` entries
  | { k: 'concat'; parts: Expr[] } // `+` between operands, implicit string concatenation
  | { k: 'fstr'; parts: Expr[] } // f-string: literal parts as `str`, interpolations as expressions
  | { k: 'subscript'; obj: Expr; index: Expr }
  | { k: 'comp'; elt: Expr; targets: string[]; iterable: Expr; conds?: Expr[] } // `[elt for targets in iterable if cond ...]`, one `for`
  | { k: 'lambda'; loc: Loc; params: string[]; body: Expr; reads: string[]; stringKeys: string[] } // reads, stringKeys: as in FunctionDef
  | { k: 'other'; text: string; loc: Loc };

export type CallExpr = Extract<Expr, { k: 'call' }>;

export interface Scope {
  id: number;
  parent: number | null;
  kind: 'module' | 'function' | 'class';
  name: string;
}

/** One way a name gets a value in a scope. Loop variables are not bindings: see `Loop`. */
export type Binding =
  | { kind: 'assign'; name: string; line: number; value: Expr }
  | { kind: 'import'; name: string; line: number; module: string; attr?: string; level: number }
  | { kind: 'def'; name: string; line: number; index: number }
  | { kind: 'class'; name: string; line: number; index: number }
  | { kind: 'param'; name: string; line: number; index: number; position: number; default?: Expr };

/**
 * A binding a function body makes to a module-level name it declares `global`: it holds once the function has run,
 * read in the function's body scope (`scope`).
 */
export type LateBinding = Binding & { scope: number };

/** `for <targets> in <iterable>:` around a statement; targets is a name or a tuple of names. */
export interface Loop {
  targets: string[];
  iterable: Expr;
}

export interface CallStatement {
  scope: number;
  call: CallExpr;
  loops: Loop[];
}

export interface Param {
  name: string;
  star?: boolean; // `*args`: the positional arguments from its position on, as a tuple
  kwstar?: true; // `**kwargs`: the keyword arguments no other parameter takes, as a dict
  default?: Expr;
  annotation?: Expr; // `Annotated[T, Depends(...)]` carries FastAPI dependencies
}

/**
 * A call made in a function body, kept small for the cost model: the callee as written, its line, the
 * keyword names, and the first positional argument when it is a plain string, a name or an attribute chain
 * (anything else is summarised as `other`).
 */
export interface BodyCall {
  fn: Expr;
  line: number;
  keywords?: string[];
  arg0?: Expr;
}

export interface FunctionDef {
  name: string;
  qualname: string;
  scope: number; // where the def statement stands
  bodyScope: number;
  loc: Loc; // the `def` line
  decorators: Expr[]; // outermost first, as written
  params: Param[];
  returns: Expr[];
  isAsync: boolean;
  reads: string[]; // attribute names read in the body (`request.limited`, `getattr(request, "limited")`), sorted
  calls: BodyCall[]; // calls in the body, nested functions and classes left out (they are functions of their own), in source order
  stringKeys: string[]; // literal keys looked up in the body (`headers["X-Real-IP"]`, `args.get("user")`), sorted
  names429?: true; // the body (nested code included) names HTTP 429 Too Many Requests (or django-ratelimit's `Ratelimited`): code that turns clients away over a limit
}

export interface ClassDef {
  name: string;
  qualname: string;
  scope: number;
  bodyScope: number;
  loc: Loc;
  decorators: Expr[];
  bases: Expr[];
  methods: string[];
}

export interface ModuleFacts {
  file: string; // relative to the scan root, forward slashes
  module: string; // dotted module name derived from the path
  isPackage: boolean;
  scopes: Scope[];
  bindings: Record<number, Binding[]>; // by scope id
  lateBindings?: LateBinding[]; // of module-level names, made in function bodies that declare them `global`
  calls: CallStatement[];
  functions: FunctionDef[];
  classes: ClassDef[];
  directives: Directive[]; // `# apiposture: ...` comments, in line order
  arms: Arm[]; // the arms of `if`/`elif`/`else` and `match` statements: of one statement, at most one runs
  syntaxErrorLine?: number;
}

/** The class whose body defines `fn`: its class when `fn` is a method. */
export function definingClass(mod: ModuleFacts, fn: FunctionDef): ClassDef | undefined {
  return mod.classes.find((c) => c.bodyScope === fn.scope);
}

/** One arm of an `if` or `match` statement (`of` identifies the statement), by its lines. */
export interface Arm {
  of: number;
  arm: number;
  from: number;
  to: number;
  test?: Expr; // an `if`/`elif` arm's condition (operators as `__not__`/`__and__`/`__or__`/`__cmp__` calls); an `except` handler's is undecidable
  scope?: number; // where the test is read, with `test`
}

/** An `# apiposture: ignore[AP001,AP013] reason` comment; `ids` is empty when the comment could not be read. */
export interface Directive {
  line: number;
  ids: string[];
  reason: string;
}

/** Returns `a.b.c` for a name/attribute chain, or undefined for anything else. */
export function dottedName(e: Expr): string | undefined {
  if (e.k === 'name') return e.id;
  if (e.k === 'attr') {
    const head = dottedName(e.obj);
    return head === undefined ? undefined : `${head}.${e.name}`;
  }
  return undefined;
}

/** An operator kept as a call (see facts.ts operatorCall). */
export function isOperatorCall(e: Expr): e is CallExpr & { fn: { k: 'name'; id: string } } {
  return e.k === 'call' && e.fn.k === 'name' && OPERATOR_NAMES.has(e.fn.id);
}

export const OPERATOR_NAMES: ReadonlySet<string> = new Set(['__not__', '__and__', '__or__', '__cmp__', '__ifelse__']);

/** An expression as Python writes it, for messages: `settings.ENV == "local"`, `not app.debug`, `f(…)`. */
export function pythonText(expr: Expr): string {
  if (expr.k === 'str') return JSON.stringify(expr.v);
  if (expr.k === 'num') return String(expr.v);
  if (expr.k === 'bool') return expr.v ? 'True' : 'False';
  if (expr.k === 'none') return 'None';
  if (isOperatorCall(expr)) {
    const [first, second, third] = expr.args;
    switch (expr.fn.id) {
      case '__not__':
        return `not ${pythonText(first)}`;
      case '__and__':
      case '__or__':
        return `${pythonText(first)} ${expr.fn.id.slice(2, -2)} ${pythonText(second)}`;
      case '__cmp__':
        return expr.args.map((a, i) => (i % 2 && a.k === 'str' ? a.v : pythonText(a))).join(' ');
      case '__ifelse__':
        return `${pythonText(first)} if ${pythonText(second)} else ${pythonText(third)}`;
    }
  }
  if (expr.k === 'fstr') return `f"${expr.parts.map((p) => (p.k === 'str' ? p.v.replace(/[{}]/g, '$&$&').replace(/"/g, '\\"') : `{${pythonText(p)}}`)).join('')}"`;
  if (expr.k === 'concat') return expr.parts.map(pythonText).join(' + ');
  return dottedName(expr) ?? (expr.k === 'call' ? `${pythonText(expr.fn)}(…)` : '…');
}

export function kwarg(call: CallExpr, name: string): Expr | undefined {
  for (const [key, value] of call.kwargs) if (key === name) return value;
  return undefined;
}

/** True for the literal `True` only: an absent or computed flag is not set. */
export function isTrue(e: Expr | undefined): boolean {
  return e?.k === 'bool' && e.v;
}

/** The argument given by keyword `name` or else at `position`. */
export function argument(call: CallExpr, position: number, name: string): Expr | undefined {
  return kwarg(call, name) ?? call.args[position];
}

/** The first source line inside an expression (lists and `+` chains have no position of their own). */
export function exprLine(e: Expr, fallback: number): number {
  if ('loc' in e && e.loc) return lineOf(e.loc);
  const inner = e.k === 'seq' ? e.items : e.k === 'concat' || e.k === 'fstr' ? e.parts : e.k === 'dict' ? e.entries.flat() : e.k === 'subscript' ? [e.obj] : e.k === 'comp' ? [e.elt] : [];
  for (const child of inner) {
    const line = exprLine(child, 0);
    if (line) return line;
  }
  return fallback;
}

/** True when `test` holds for the expression or one inside it, visited outermost first (lambdas are not entered). */
export function someExpr(expr: Expr, test: (e: Expr) => boolean): boolean {
  if (test(expr)) return true;
  // Visited without building lists, closures or iterators (indexes, not for-of: the lists include the shared frozen
  // empty one, which for-of iterates the slow way): every scan walks every expression of the project several times,
  // and closures made here were a twelfth of what an edited scan of Skyvern allocated.
  switch (expr.k) {
    case 'call':
      if (someExpr(expr.fn, test) || someOf(expr.args, test)) return true;
      for (let i = 0; i < expr.kwargs.length; i++) if (someExpr(expr.kwargs[i][1], test)) return true;
      return (expr.star !== undefined && someExpr(expr.star, test)) || (expr.kwstar !== undefined && someExpr(expr.kwstar, test));
    case 'comp':
      return someExpr(expr.elt, test) || someExpr(expr.iterable, test) || (expr.conds !== undefined && someOf(expr.conds, test));
    case 'attr':
      return someExpr(expr.obj, test);
    case 'seq':
      return someOf(expr.items, test);
    case 'concat':
    case 'fstr':
      return someOf(expr.parts, test);
    case 'dict':
      for (let i = 0; i < expr.entries.length; i++) if (someExpr(expr.entries[i][0], test) || someExpr(expr.entries[i][1], test)) return true;
      return false;
    case 'subscript':
      return someExpr(expr.obj, test) || someExpr(expr.index, test);
    default:
      return false;
  }
}

function someOf(list: Expr[], test: (e: Expr) => boolean): boolean {
  for (let i = 0; i < list.length; i++) if (someExpr(list[i], test)) return true;
  return false;
}

/** Every call in an expression, outermost first. */
export function eachCall(expr: Expr, visit: (call: CallExpr) => void): void {
  someExpr(expr, (e) => {
    if (e.k === 'call') visit(e);
    return false;
  });
}

/** The one empty list kept facts and memo tables share: frozen, so a mistaken `push` throws instead of spreading. */
export const NO_ITEMS: readonly never[] = Object.freeze([]);

/**
 * Module facts as JSON text. An object met twice (a call's callee is also among its function's calls, a chained
 * call's whole chain again for each link) is written once, then as `{"$ref": n}`: the n-th object or non-empty
 * list written. Plain JSON would copy it, a fifth of the text on real services. The places met again are swapped
 * for their references while JSON.stringify writes, without a replacer: one costs a call into JavaScript for every
 * value (Skyvern's facts: 0.8 s with one, 0.7 s this way; given the places compacting found, 0.4-0.5 s).
 */
export function factsJson(facts: ModuleFacts, metAgain = placesMetAgain(facts)): string {
  const values = metAgain.map(([holder, key, id]) => {
    const value = holder[key];
    holder[key] = { $ref: id };
    return value;
  });
  try {
    return JSON.stringify(facts);
  } finally {
    metAgain.forEach(([holder, key], i) => (holder[key] = values[i]));
  }
}

type Holder = Record<string | number, unknown>;

/** A place facts hold an object or non-empty list met before: its holder and key, and the number it was written as. */
export type PlaceMetAgain = [Holder, string | number, number];

/** Each PlaceMetAgain of the facts, in the order JSON.stringify writes them (compacted with `trim` finds them too). */
function placesMetAgain(facts: ModuleFacts): PlaceMetAgain[] {
  const ids = new Map<unknown, number>();
  const metAgain: PlaceMetAgain[] = [];
  const visit = (holder: Holder, key: string | number): void => {
    const value = holder[key];
    if (value === null || typeof value !== 'object') return;
    const list = Array.isArray(value);
    if (list && !value.length) return;
    const id = ids.get(value);
    if (id !== undefined) {
      metAgain.push([holder, key, id]);
      return;
    }
    ids.set(value, ids.size);
    if (list) for (let i = 0; i < value.length; i++) visit(value as unknown as Holder, i);
    else for (const inner in value) visit(value as Holder, inner);
  };
  visit({ facts }, 'facts');
  return metAgain;
}

/** Module facts from the text factsJson wrote, as the project keeps them (see compacted). */
export function factsFromJson(text: string, texts?: Map<string, string>): ModuleFacts {
  return compacted(JSON.parse(text) as ModuleFacts, { texts });
}

function isAsciiText(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7f) return false;
  return true;
}

// JSON.parse makes one string of each text up to this long, shared by all its occurrences (V8's table of texts).
const JSON_SHARED_LENGTH = 10;

/**
 * Module facts as the project keeps them: every `{"$ref": n}` the object it stands for; every text the one copy
 * `texts` holds (one table for a whole scan: tree-sitter, and JSON.parse past JSON_SHARED_LENGTH, make a string per occurrence, and a
 * 2,000-module service's 470,000 are 42,000 names, `name` 32,000 times); every empty list one shared (frozen)
 * list; and with `trim` (facts built from a tree, not parsed from JSON) every other list exactly as long as it is
 * (lists built by `push` have room for 16 more, lists parsed from JSON do not) and every text in the table a copy
 * of its own, each object met again (`metAgain` gets where) kept as the one object. With `utf8Bytes`, the facts were
 * parsed from UTF-8 read a byte a character (see ScanCache.moduleFacts): texts with other than ASCII are decoded.
 */
export function compacted(facts: ModuleFacts, { trim = false, texts = new Map<string, string>(), utf8Bytes = false, metAgain = undefined as PlaceMetAgain[] | undefined } = {}): ModuleFacts {
  const written: object[] = []; // in the order factsJson numbers them
  const numbers = new Map<object, number>(); // with `trim`, each object and list met (they may be shared), by its number
  const keptText = (text: string): string => {
    const known = texts.get(text);
    if (known !== undefined) return known;
    texts.set(text, text);
    return text;
  };
  // What to keep instead of the value `holder[key]`, undefined to keep it as it is (a write costs more than a read).
  const replacement = (holder: Holder, key: string | number): unknown => {
    const inner = holder[key];
    if (typeof inner === 'string') {
      if (utf8Bytes && !isAsciiText(inner)) return keptText(Buffer.from(inner, 'latin1').toString('utf8'));
      // Most texts facts hold (`name`), and already one copy each.
      if (!trim && inner.length <= JSON_SHARED_LENGTH) return undefined;
      const known = texts.get(inner);
      if (known !== undefined) return known;
      // A name taken from a file's tree, 13 characters or more, is a slice keeping the file's whole source (see ownCopy).
      if (!trim || inner.length < 13) {
        texts.set(inner, inner);
        return undefined;
      }
      const own = ownCopy(inner); // always kept: `===` compares texts, so it cannot tell the copy from the slice
      texts.set(own, own);
      return own;
    }
    if (inner === null || typeof inner !== 'object') return undefined;
    const number = trim ? numbers.get(inner) : undefined;
    if (number !== undefined) {
      metAgain?.push([holder, key, number]);
      return written[number] === inner ? undefined : written[number];
    }
    const kept = walk(inner);
    return kept === inner ? undefined : kept;
  };
  const keep = <T extends object>(met: object, kept: T): T => {
    if (trim) numbers.set(met, written.length);
    written.push(kept);
    return kept;
  };
  const walk = (value: object): object => {
    if (Array.isArray(value)) {
      if (!value.length) return NO_ITEMS;
      const list = keep(value, trim ? value.slice() : value);
      for (let i = 0; i < list.length; i++) {
        const kept = replacement(list as unknown as Holder, i);
        if (kept !== undefined) list[i] = kept;
      }
      return list;
    }
    const record = value as Record<string, unknown>;
    if (typeof record.$ref === 'number') {
      const target = written[record.$ref];
      if (!target) throw new Error(`facts refer to object ${record.$ref}, not written before`); // a cache file reads as missing
      return target;
    }
    keep(record, record);
    for (const key in record) {
      const kept = replacement(record, key);
      if (kept !== undefined) record[key] = kept;
    }
    return record;
  };
  return walk(facts) as ModuleFacts;
}
