/**
 * Cross-module name resolution over `ModuleFacts`: follows imports (absolute, relative, aliased,
 * package re-exports), assignments, factory functions and parameters (through their call sites), and
 * gives every expression a set of abstract values. Objects are identified by the call that created
 * them (allocation site), so `app = Flask(__name__)` inside `create_app()` is one app wherever it is used.
 * Resolution is bounded in depth and fan-out; what cannot be followed becomes `unknown`, never a guess.
 */
import type { Arm, Binding, CallExpr, ClassDef, Expr, FunctionDef, LateBinding, ModuleFacts } from './ir';
import { NO_ITEMS, OPERATOR_NAMES, argument, columnOf, definingClass, dottedName, exprLine, isOperatorCall, kwarg, lineOf, locAt, pythonText, someExpr } from './ir';
import { NO_METADATA, type ProjectMetadata } from '../manifests';
import { moduleNames } from './module-names';
import { functionDefinedIn, functionOwning, testedArmsIn } from './module-index';
import { addTo, lookupTable, lowerBound } from '../collections';
import { comparison, isLiteral, literalValue, logicalValue, LOGICAL_OPERATORS, truthy, type PyValue } from './pyvalue';
import type { NotServed } from '../model';
import { CONFIG_LOADERS, configCandidates, dataExpr, type ConfigData } from './config-files';
import path from 'node:path';

export interface Ctx {
  mod: ModuleFacts;
  scope: number;
  line: number;
  env?: Env;
  via?: { file: string; line: number; column: number }; // the call of a helper whose body this is read for (see callerEnvs): where its routes are declared
}

/** A value the analysis took that the deployment may change: where it is read, and what was taken. */
export interface Assumption {
  file: string;
  line: number;
  text: string;
}

export const assumptionKey = (a: Assumption): string => `${a.file}\0${a.line}\0${a.text}`;

/**
 * The assumptions one computation under way took (a Set once it takes one); `passUp`: they count for its caller
 * too. `cut`: the depth bound cut it short (see `remember`); `depth`: the depth it was asked at, when its answer
 * depends on that.
 */
interface Note {
  keys?: Set<string>;
  passUp: boolean;
  cut?: boolean;
  depth?: number;
}

/**
 * A value as a memo table keeps it: a list exactly as long as it is (one grown by `push` has room for 16
 * more), every empty one shared. A large service keeps 100,000 answers, most of one or two values.
 */
function kept<V>(value: V): V {
  if (!Array.isArray(value)) return value;
  return (value.length ? value.slice() : NO_ITEMS) as V;
}

/**
 * A cached value with the assumptions taken to compute it; `cutAt`: the depth it was asked at, when the depth bound
 * cut it short. A memo table keeps a value that has neither (most) as it is.
 */
export class Remembered<V> {
  constructor(
    readonly value: V,
    readonly assumed: readonly string[],
    readonly cutAt?: number,
  ) {}
}

/** A memo table: see Project.remember. */
export type Memo<K, V> = Map<K, V | Remembered<V>>;

/** An assignment to `self.<name>` in a method other than `__init__`: see Project.settersOf. */
type Setter = { mod: ModuleFacts; scope: number; binding: Extract<Binding, { kind: 'assign' }> };

/** A call statement and where it is. */
type CallSite = { call: CallExpr; ctx: Ctx };

/** The call sites of one name and, for each one resolved so far, the functions it calls: see Project.callersOf. */
interface CallersNamed {
  sites: CallSite[];
  hooks: number[]; // plugin hook calls, which call every implementation of the name
  resolved: { callees: readonly FunctionDef[]; assumed: readonly string[]; cutAt?: number }[]; // by site, once resolved
  unsettled: number[]; // ascending: the sites not resolved yet, or whose resolution the depth bound cut short
  byFunction: Map<FunctionDef, number[]>;
  assumedCount: Map<string, number>; // the assumptions of the sites' resolutions, each with how many took it
}

/** Memo tables of what is read under one environment: names by place, texts by expression and place. */
interface ReadMemos {
  lookups: Memo<string, Value[]>;
  strings: WeakMap<Expr, Memo<string, (string | undefined)[]>>;
  instanceAttributes: Memo<string, Value[]>; // see attribute
}

function newReadMemos(): ReadMemos {
  return { lookups: new Map(), strings: new WeakMap(), instanceAttributes: new Map() };
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

/** A function a framework calls with the object it is given to: `FastAPI(lifespan=f)` calls `f(app)`. */
export interface FrameworkCallback {
  constructors: readonly string[]; // qualified names of the classes taking it
  keyword: string;
}

/**
 * A library method that makes an object of a library class from the arguments that class takes: Flask-RESTX's
 * `api.namespace("todos")` is `Namespace("todos")`, added to the Api.
 */
export interface FactoryMethod {
  owner: string; // qualified name of the class whose instances have the method
  method: string;
  makes: string; // qualified name of the class made
}

/** An attribute a library class keeps as its construction gave the keyword of that name: a Blueprint's `url_prefix`. */
export interface StoredKeyword {
  owners: readonly string[]; // qualified names of the classes
  name: string;
}

/** What library names mean while something is read (Django: `django.conf.settings.X` of one project's settings). */
export interface ExternalNames {
  values(qname: string): Value[] | undefined;
  definition(qname: string): { expr: Expr; ctx: Ctx } | undefined; // what gives the value, for the profile to evaluate
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

// The top-level packages each module imports absolutely, once per module: every analyzer asks (facts never change).
const IMPORTED_PACKAGES = new WeakMap<ModuleFacts, ReadonlySet<string>>();
const MAX_DEPTH = 24;
// A text shown with its unknown parts (see shownText): each part shows as `{?}`, nested at most this deep.
const UNKNOWN_PART = '{?}';
const MAX_SHOWN_DEPTH = 4;
const MAX_VALUES = 64;
const MAX_CALL_SITES = 256;
// Steps one resolution may take with all it asks on the way: a parameter read through every call of its function,
// whose arguments are parameters read through every call of theirs... zou's `serialize_dict(dict_value)` took eight
// million (4.6 s). Beyond, the value is unknown, as beyond MAX_DEPTH. Over the corpus, 20,000 answer every route and
// finding as 200,000 did, in four fifths of the time; 10,000 lost a cost signal of polar's.
const MAX_STEPS = 20_000;
const MAX_CONSTRUCTIONS = 8; // see constructions
const MAX_INIT_LEVELS = 8; // `super().__init__` calls followed from a class's `__init__`: see initAttribute
// Annotations that say nothing of an object's class (`Any`, a Protocol, a type variable): see annotatedAsLibraryObject.
const LOOSE_TYPES = /^(typing|typing_extensions|collections\.abc|abc|builtins)\.|^object$/;

// Library functions that hand back the object they are given, by its position: quart-cors' `cors(app_or_blueprint)`
// adds its hooks and returns it, so `app = cors(app)` is still the app routes are registered on.
const RETURNS_ARGUMENT: Record<string, number> = { 'typing.cast': 1, 'quart_cors.cors': 0 };

// Paths built from a module's `__file__` (`SITE_NAME = basename(dirname(dirname(abspath(__file__))))`, as Django's
// "Two Scoops" settings name the project): the folder the project is checked out in stands as this mark, so that only
// what lies inside the project is a static text, the same wherever it is checked out.
const CHECKOUT = '\u0000checkout';
const PATH_FUNCTIONS: Record<string, (paths: string[]) => string | undefined> = {
  'os.path.basename': ([p]) => p.slice(p.lastIndexOf('/') + 1),
  'os.path.dirname': ([p]) => (p === CHECKOUT ? undefined : pythonDirname(p)),
  'os.path.abspath': ([p]) => absolute(p),
  'os.path.realpath': ([p]) => absolute(p),
  'os.path.normpath': ([p]) => normalized(p),
  // A later absolute part starts the path afresh; nothing is normalised, as in Python.
  'os.path.join': (parts) => parts.reduce((a, b) => (b.startsWith('/') || b.startsWith(CHECKOUT) ? b : !a || a.endsWith('/') ? a + b : `${a}/${b}`)),
};

export const VALUED_ENUMS = ['enum.StrEnum', 'enum.IntEnum', 'enum.IntFlag'];
export const ENUM_CLASSES = ['enum.Enum', 'enum.Flag', ...VALUED_ENUMS];
// Enums of the standard library whose members are texts of their own names: `HTTPMethod.GET` is "GET", also as `.value`.
const STANDARD_TEXT_ENUMS = new Map([['http.HTTPMethod', new Set(['CONNECT', 'DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT', 'TRACE'])]]);

// Top-level packages that are never project modules, besides the modelled ones: a folder of that name above
// an import root (`examples/flask/app.py`) gives no alias `flask.app`.
const THIRD_PARTY = ['flask_restx', 'werkzeug', 'pydantic', 'os', 'sys'];

/**
 * A library's settings object: an attribute is the entry of that name in the settings dict its construction is
 * given, else in its defaults (DRF's `APISettings(user_settings, defaults, import_strings)`, as kpi builds one for
 * its OpenRosa API).
 */
export interface SettingsObject {
  owners: readonly string[]; // qualified names of the classes
  libraryDefaults: string; // the qualified name of the library's defaults, taken when none are given
  defaults: ReadonlyMap<string, ConfigData>; // what the library's defaults hold, for the names modelled
}

/** What the frameworks and libraries the analysis models tell resolution. */
export interface Modelled {
  packages: readonly string[]; // their top-level packages: never project modules
  callbacks: readonly FrameworkCallback[];
  factories?: readonly FactoryMethod[];
  storedKeywords?: readonly StoredKeyword[];
  settingsObjects?: readonly SettingsObject[];
  constants?: Readonly<Record<string, string>>; // texts library constants hold (Flask-Limiter's `C.STORAGE_URL` is "RATELIMIT_STORAGE_URL")
}

export class Project {
  readonly modules: ModuleFacts[];
  private readonly byName = new Map<string, ModuleFacts[]>();
  private readonly byAlias = new Map<string, ModuleFacts[]>();
  private readonly importRoots = new Map<ModuleFacts, string>();
  private readonly thirdParty: ReadonlySet<string>;
  private scriptFolders?: { folders: string[]; byFile: Map<string, ModuleFacts> }; // see besideScript
  private readonly moduleIds = new Map<ModuleFacts, number>(); // see idOf
  // Call statements by the name they call (`f(...)`, `x.f(...)`), as module and statement numbers in pairs; their
  // sites are made for the names asked for (see callSites), a quarter of Skyvern's 62,000 call statements.
  private callStatementsByName?: Map<string, number[]>;
  private nestedCallsByName?: Map<string, CallSite[]>; // see nestedCallSites
  private readonly callSitesByName = new Map<string, CallSite[]>();
  // What names and expressions stand for where they are read (see lookup and strings): one set of tables for code
  // read with no loop/parameter environment, one per environment (a function followed for one call), dropped with it.
  private plainMemos = newReadMemos();
  private envMemos = new WeakMap<Env, ReadMemos>();
  private functionModules?: WeakMap<FunctionDef, ModuleFacts>; // see moduleDefining
  private classesByBaseName?: Map<string, ClassRef[]>; // see subclassesNamed
  private decoratedByName?: Map<string, { mod: ModuleFacts; decorated: FunctionDef | ClassDef }[]>; // see decoratedWith
  private readonly decoratorSites = new Map<FunctionDef, CallSite[]>(); // see decoratorApplications
  // What a parameter stands for, by function and depth: read on many lines, it has the same call sites.
  private readonly parameterCache: Memo<string, Value[]> = new Map();
  private readonly starDefinitions: Memo<string, { expr: Expr; ctx: Ctx } | undefined> = new Map(); // see starDefinition
  private readonly chainCache: Memo<ClassDef, ClassRef[]> = new Map(); // see classChain
  private readonly iniCache: Memo<string, Value> = new Map(); // see parsedIni
  private dotenvLoaded?: boolean; // see loadsDotenv
  private readonly bindingsByName = new WeakMap<Binding[], Map<string, Binding[]>>();
  private readonly starImportsOf = new Map<ModuleFacts, { mod: ModuleFacts; line: number }[]>(); // see starImports
  private readonly callerEnvCache = new Map<string, Pick<Ctx, 'env' | 'via'>[]>(); // see callerEnvs
  private readonly readingCallers = new Set<FunctionDef>(); // functions whose callers' envs are being built (recursion)
  private readonly parameterBranches = new WeakMap<FunctionDef, Arm[]>(); // see branchesOnParameters
  private readonly parameterNames = new WeakMap<FunctionDef, Set<string>>(); // see namesFromParameters
  private readonly calleeCache: Memo<object, Value[]> = new Map(); // see callersNamed
  private readonly callEnvs = new WeakMap<CallExpr, Map<string, Env>>(); // by callee and place: see sharedCallEnv
  private readonly objectIds = new WeakMap<object, number>(); // see objectId
  private nextObjectId = 0;
  private readonly callersByName = new Map<string, CallersNamed>();
  private importAliases?: Map<string, string[]>; // see aliasesOf
  private derivedFrom?: Map<string, Set<string>>; // see derivedClassDefines
  private readonly setterCache = new Map<ClassDef, Map<string, Setter[]>>(); // see settersOf
  private readonly setterValueCache: Memo<string, Value[]> = new Map(); // see setterValues
  // The functions whose returns are being read, outermost first, each with the entry whose body calls it (-1: none): see callResult.
  private readonly following: { ref: FunctionRef; caller: number }[] = [];

  /** Declared package versions and `.env` settings of the scanned tree, see manifests.ts. */
  readonly metadata: ProjectMetadata;

  private externalNames?: ExternalNames;

  /** What the analysis took as given (see `assume`), by file, line and text. */
  readonly assumptions = new Map<string, Assumption>();
  /** The assumptions each computation under way took: see `noting`, `remember` and `assumedHere`. */
  private readonly notes: Note[] = [];
  private steps?: number; // taken by the outermost resolution under way (see MAX_STEPS)

  /**
   * The value a call to a project function has under the deployment profile (`parse_boolean(os.environ.get(
   * "MULTI_ORG", "false"))` is False), asked when the function has several `return`s; see profile.ts.
   */
  evaluateCall?: (call: CallExpr, ctx: Ctx) => PyValue | undefined;
  /** The `return`s a call of a project function may reach under the deployment profile, and its value when known. */
  returnsReached?: (ref: FunctionRef, call: CallExpr, ctx: Ctx) => { returns: { expr: Expr; ctx: Ctx }[]; value?: PyValue } | undefined;
  /**
   * Whether the profile, with one call's parameters bound (`env`), runs that line of the function's body: false when
   * it does not, true when it surely does, undefined when it cannot tell.
   */
  runsAt?: (ref: FunctionRef, env: Env, line: number) => boolean | undefined;

  /** Call statements in branches the deployment profile does not run, read in this project (see scan.ts), with what deciding that took. */
  profileSkipped: { call: CallExpr; ctx: Ctx; notServed: NotServed; assumed: Assumption[] }[] = [];

  /**
   * What the profile assumed deciding the `if`s that assign a name, by file, scope and name: a read of the name rests
   * on it (fx-private-relay's `PROFILE_RATE_LIMIT` is 1000/minute where no `SITE_ORIGIN` is set); under the name
   * `return`, the `if`s holding a function's returns, which a call of it rests on.
   */
  decidedNames = new Map<string, Assumption[]>();

  /** What the profile assumed deciding `if`s, by file and the scope they stand in, with their first line: code after one rests on it. */
  decidedBranches = new Map<string, { from: number; assumed: Assumption[] }[]>();

  /**
   * `names` gives each module its Python name (module-names.ts); by default, from the modules' own files.
   * `installed` modules (python/installed.ts) are found by name but are not the project's own modules.
   */
  constructor(
    modules: ModuleFacts[],
    metadata: ProjectMetadata = NO_METADATA,
    names = moduleNames(modules.map((m) => m.file)),
    installed: ModuleFacts[] = [],
    private readonly modelled: Modelled = { packages: [], callbacks: [] },
  ) {
    const thirdParty = new Set([...modelled.packages, ...THIRD_PARTY]);
    this.thirdParty = thirdParty;
    this.metadata = metadata;
    this.modules = [...modules]
      .sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0))
      .map((mod) => {
        const name = names.get(mod.file);
        if (!name) return mod;
        const named = { ...mod, module: name.module };
        this.importRoots.set(named, name.importRoot);
        for (const alias of name.aliases) if (!thirdParty.has(alias.split('.')[0])) addTo(this.byAlias, alias, named);
        return named;
      });
    for (const [id, mod] of [...this.modules, ...installed].entries()) {
      addTo(this.byName, mod.module, mod);
      this.moduleIds.set(mod, id);
    }
  }

  /** What names a module in memo keys: a number, shorter than its file (a large service keeps 100,000 keys). */
  private idOf(mod: ModuleFacts): number | string {
    return this.moduleIds.get(mod) ?? mod.file;
  }

  /** True when the module imports any of these top-level packages (a cheap gate before resolving). */
  static imports(mod: ModuleFacts, packages: readonly string[]): boolean {
    let imported = IMPORTED_PACKAGES.get(mod);
    if (!imported) IMPORTED_PACKAGES.set(mod, (imported = new Set((mod.bindings[0] ?? []).flatMap((b) => (b.kind === 'import' && b.level === 0 ? [b.module.split('.')[0]] : [])))));
    return packages.some((p) => imported.has(p));
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
    if (!candidates && from && !name.includes('.')) return this.besideScript(name, from);
    if (!candidates || candidates.length === 1 || !from) return candidates?.[0];
    const root = this.importRoots.get(from);
    const closeness = (m: ModuleFacts): number => (this.importRoots.get(m) === root ? 1e6 : 0) + commonPrefixLength(m.file, from.file);
    return [...candidates].sort((a, b) => closeness(b) - closeness(a) || a.file.length - b.file.length)[0];
  }

  /**
   * A lone name (`from api import api_bp`) no module has, as the module of that name in a folder above the importer that
   * is on the import path though it is a package: one the project's dotted imports are found from by alias only
   * (bazarr runs `bazarr/main.py`, whose modules import `app.config` and `api`, both under `bazarr/`). Without that
   * evidence a lone name is not looked for beside the importer: `utils/redis.py` must not answer `import redis`.
   */
  private besideScript(name: string, from: ModuleFacts): ModuleFacts | undefined {
    if (this.thirdParty.has(name)) return undefined;
    this.scriptFolders ??= this.findScriptFolders();
    const { folders, byFile } = this.scriptFolders;
    for (const folder of folders.filter((f) => from.file.startsWith(f)).reverse()) {
      const found = byFile.get(`${folder}${name}.py`) ?? byFile.get(`${folder}${name}/__init__.py`);
      if (found) return found;
    }
    return undefined;
  }

  /** Folders (`bazarr/`, longest last) that dotted imports no module's own name answers are found from, by alias. */
  private findScriptFolders(): { folders: string[]; byFile: Map<string, ModuleFacts> } {
    const folders = new Set<string>();
    for (const mod of this.modules) {
      for (const b of (mod.bindings[0] ?? []) as Binding[]) {
        if (b.kind !== 'import' || b.level !== 0 || !b.module.includes('.') || this.byName.has(b.module) || this.thirdParty.has(b.module.split('.')[0])) continue;
        for (const found of this.byAlias.get(b.module) ?? []) {
          const segments = found.file.replace(/(\/__init__)?\.pyi?$/, '').split('/');
          folders.add(segments.slice(0, segments.length - b.module.split('.').length).map((f) => `${f}/`).join(''));
        }
      }
    }
    return { folders: [...folders].filter((f) => f !== '').sort(), byFile: new Map(this.modules.map((m) => [m.file, m])) };
  }

  /**
   * Runs `work` with `names` answering for library attributes, e.g. `django.conf.settings.X` from the
   * settings module being analysed. Memoised lookups are dropped on entry and exit so answers do not leak.
   */
  withExternalNames<T>(names: ExternalNames, work: () => T): T {
    this.externalNames = names;
    this.forgetLookups();
    try {
      return work();
    } finally {
      this.externalNames = undefined;
      this.forgetLookups();
    }
  }

  private forgetLookups(): void {
    this.plainMemos = newReadMemos();
    this.envMemos = new WeakMap();
    this.parameterCache.clear();
    this.chainCache.clear();
    this.setterCache.clear();
    this.setterValueCache.clear();
    this.calleeCache.clear();
    this.callersByName.clear();
  }

  /** The bindings of `name` in one scope, indexed on first use: a scope with thousands of names is not read through per lookup. */
  private bindingsNamed(mod: ModuleFacts, scope: number, name: string): readonly Binding[] {
    return this.named(mod.bindings[scope], name);
  }

  private named<B extends Binding>(bindings: B[] | undefined, name: string): readonly B[] {
    if (!bindings) return NO_ITEMS;
    let byName = this.bindingsByName.get(bindings);
    if (!byName) {
      byName = new Map();
      for (const b of bindings) addTo(byName, b.name, b);
      this.bindingsByName.set(bindings, byName);
    }
    return (byName.get(name) as B[] | undefined) ?? NO_ITEMS;
  }

  /**
   * The project modules a module star-imports (`from x import *`), with the line of each import. Once per module:
   * every name a module does not bind is looked for there (JumpServer's `if` tests, read for the profile, asked 3 s).
   */
  starImports(mod: ModuleFacts): { mod: ModuleFacts; line: number }[] {
    let found = this.starImportsOf.get(mod);
    if (!found) {
      found = [];
      for (const star of this.bindingsNamed(mod, 0, '*')) {
        const target = star.kind === 'import' && this.findModule(importTarget(mod, star), mod);
        if (target && target !== mod) found.push({ mod: target, line: star.line });
      }
      this.starImportsOf.set(mod, found);
    }
    return found;
  }

  resolve(expr: Expr, ctx: Ctx, depth = 0): Value[] {
    if (this.steps === undefined) {
      this.steps = 0;
      try {
        return this.resolve(expr, ctx, depth);
      } finally {
        this.steps = undefined;
      }
    }
    if (depth > MAX_DEPTH || ++this.steps > MAX_STEPS) {
      this.cutShort();
      return [{ kind: 'unknown', why: depth > MAX_DEPTH ? 'resolution too deep' : 'resolution too costly' }];
    }
    const values = depth === 0 ? this.ownBudget(() => this.resolveOnce(expr, ctx, 0)) : this.resolveOnce(expr, ctx, depth);
    return values.length > MAX_VALUES ? values.slice(0, MAX_VALUES) : values;
  }

  private resolveOnce(expr: Expr, ctx: Ctx, depth: number): Value[] {
    switch (expr.k) {
      case 'name':
        return this.lookup(expr.id, ctx, depth);
      case 'attr':
        if (isSuper(expr.obj)) return this.superMethod(expr.name, ctx) ?? [{ kind: 'unknown', why: `\`super().${expr.name}\` is no method of the project's` }];
        return this.resolve(expr.obj, ctx, depth + 1).flatMap((v) => {
          const found = this.attribute(v, expr.name, depth);
          // A library's named constant (`flask_limiter.extension.C.STORAGE_URL`): the text it holds.
          const text = found.length === 1 && found[0].kind === 'external' ? this.modelled.constants?.[found[0].qname] ?? standardEnumText(found[0].qname) : undefined;
          return text === undefined ? found : [{ kind: 'literal', expr: { k: 'str', v: text, loc: expr.loc }, ctx }];
        });
      case 'call':
        // A comparison or a `not` (kept as calls, see ir's OPERATOR_NAMES) is a boolean no name holds: kept as written,
        // for the profile to evaluate (`ANALYTICS = os.environ.get("ANALYTICS") == "on"`, read as `settings.ANALYTICS`).
        if (isOperatorCall(expr) && (expr.fn.id === '__cmp__' || expr.fn.id === '__not__')) return [{ kind: 'literal', expr, ctx }];
        return this.getattr(expr, ctx, depth) ?? this.conditional(expr, ctx, depth) ?? this.either(expr, ctx, depth) ?? this.converted(expr, ctx) ?? this.callResults(expr, ctx, depth);
      case 'subscript':
        return this.resolve(expr.obj, ctx, depth + 1).flatMap((container) => this.item(container, expr.index, ctx, depth));
      case 'other':
        return [{ kind: 'unknown', why: `cannot evaluate \`${expr.text}\`` }];
      default:
        return [{ kind: 'literal', expr, ctx }];
    }
  }

  /** `super().name` in a method: the project method a base of its class defines, as Python finds it. */
  private superMethod(name: string, ctx: Ctx): Value[] | undefined {
    const method = functionOwning(ctx.mod, ctx.scope);
    const cls = method && definingClass(ctx.mod, method);
    for (const base of cls ? this.classChain({ mod: ctx.mod, cls }).slice(1) : []) {
      const fn = functionDefinedIn(base.mod, base.cls.bodyScope, name);
      if (fn) return [{ kind: 'function', ref: { mod: base.mod, fn } }];
    }
    return undefined;
  }

  /**
   * The builtin `getattr(obj, "NAME", default)`: the attribute when it can be read, else the default
   * (`getattr(configuration, "BASE_PATH", "")` on a configuration module that is not in the repository).
   */
  private getattr(call: CallExpr, ctx: Ctx, depth: number): Value[] | undefined {
    if (call.fn.k !== 'name' || call.fn.id !== 'getattr' || call.args.length < 2) return undefined;
    if (this.lookup('getattr', ctx, depth + 1).some((v) => v.kind !== 'unknown')) return undefined; // a project's own getattr
    const name = this.stringValue(call.args[1], ctx);
    if (name === undefined) return [{ kind: 'unknown', why: '`getattr` with a computed attribute name' }];
    const found = this.resolve({ k: 'attr', obj: call.args[0], name, loc: call.loc }, ctx, depth + 1);
    const unread = found.every((v) => v.kind === 'unknown' || v.kind === 'member' || v.kind === 'external');
    if (!unread || !call.args[2]) return found;
    this.assume({ file: ctx.mod.file, line: lineOf(call.loc), text: `\`${Project.describe(call.args[0])}.${name}\` cannot be read: the default given to getattr` });
    return this.resolve(call.args[2], ctx, depth + 1);
  }

  /** What a call gives, for each thing it may call; `FastAPIUsers[User, UUID](...)` calls the generic class itself. */
  private callResults(call: CallExpr, ctx: Ctx, depth: number): Value[] {
    const generic = call.fn.k === 'subscript' ? this.resolve(call.fn.obj, ctx, depth + 1) : [];
    const callees = generic.length && generic.every((v) => v.kind === 'class' || v.kind === 'external') ? generic : this.resolve(call.fn, ctx, depth + 1);
    // The profile runs a function only where the call has one callee: it decides nothing of a call it cannot name.
    return callees.flatMap((callee) => this.callResult(callee, call, ctx, depth, callees.length === 1));
  }

  /**
   * A keyword argument as the call passes it: written out, or an entry of the `**options` dict it unpacks
   * (`include_router(router, **{**kwargs, "prefix": prefix})`, `kwargs` a helper's own `**kwargs`). Where
   * `**options` may hold it but cannot be read, the unpacking itself, which reads as nothing static.
   */
  keywordArgument(call: CallExpr, name: string, ctx: Ctx): { expr: Expr; ctx: Ctx } | undefined {
    const written = kwarg(call, name);
    if (written || !call.splat) return written && { expr: written, ctx };
    if (!call.kwstar && call.star) return undefined; // only `*args`: no keyword hides there
    const unread = { expr: { k: 'other' as const, text: `**${call.kwstar ? Project.describe(call.kwstar) : '…'}`, loc: call.loc }, ctx };
    const found = call.kwstar ? this.dictEntry(call.kwstar, name, ctx) : 'unread';
    return found === 'unread' ? unread : found;
  }

  /**
   * The entry `name` of the dict literal an expression holds (later entries and `**other` unpackings first):
   * undefined when it has none, `unread` when that cannot be told.
   */
  dictEntry(expr: Expr, name: string, ctx: Ctx, depth = 0): { expr: Expr; ctx: Ctx } | undefined | 'unread' {
    // `kwargs["prefix"] = v` before this line sets the entry, `kwargs.setdefault("prefix", v)` gives it a default;
    // either, made in a branch that may not have run, leaves the entry unread.
    const written = expr.k === 'name' ? this.entryWrites(expr.id, name, ctx) : {};
    if (written.set) return written.set.sure ? { expr: written.set.value, ctx } : 'unread';
    const found = this.literalEntry(expr, name, ctx, depth);
    if (found !== undefined || !written.default) return found;
    return written.default.sure ? { expr: written.default.value, ctx } : 'unread';
  }

  /**
   * The last `dict[key] = v` and `dict.setdefault(key, v)` of the dict a name holds that may run before `ctx`'s line, in
   * its scope; `sure` when it runs whenever that line does.
   */
  private entryWrites(dict: string, key: string, ctx: Ctx): Partial<Record<'set' | 'default', { value: Expr; sure: boolean }>> {
    const here = armsAround(ctx.mod, ctx.line + 1); // a context's line stands just before its statement
    const last = (method: string): { value: Expr; sure: boolean } | undefined => {
      const write = ctx.mod.calls.filter(({ scope, call: { fn, args } }) => scope === ctx.scope && fn.k === 'attr' && fn.name === method && fn.obj.k === 'name' && fn.obj.id === dict
        && args[0]?.k === 'str' && args[0].v === key && args[1] && lineOf(fn.loc) < ctx.line
        && !armsAround(ctx.mod, lineOf(fn.loc)).some((a) => here.some((h) => h.of === a.of && h.arm !== a.arm))).at(-1)?.call;
      return write && { value: write.args[1], sure: armsAround(ctx.mod, lineOf(write.loc)).every((a) => here.some((h) => h.of === a.of && h.arm === a.arm)) };
    };
    return { set: last('__setitem__'), default: last('setdefault') };
  }

  /** The entry `name` of the dict literal an expression holds, as it is written (see dictEntry). */
  private literalEntry(expr: Expr, name: string, ctx: Ctx, depth: number): { expr: Expr; ctx: Ctx } | undefined | 'unread' {
    const [dict, ...others] = depth > 4 ? [] : this.resolve(expr, ctx);
    if (others.length || dict?.kind !== 'literal' || dict.expr.k !== 'dict') return 'unread';
    const { entries, spreads = [] } = dict.expr;
    for (let i = entries.length; i >= 0; i--) {
      const entry = entries[i];
      if (entry && entry[0].k === 'str' && entry[0].v === name) return { expr: entry[1], ctx: dict.ctx };
      if (entry && entry[0].k !== 'str') return 'unread';
      for (const spread of spreads.filter((s) => s.before === i).reverse()) {
        const found = this.dictEntry(spread.expr, name, dict.ctx, depth + 1);
        if (found) return found;
      }
    }
    return undefined;
  }

  /** `int(os.environ.get("LIMIT", "100"))`, `float(...)`: the number the deployment profile computes, when it can. */
  private converted(call: CallExpr, ctx: Ctx): Value[] | undefined {
    if (call.fn.k !== 'name' || (call.fn.id !== 'int' && call.fn.id !== 'float')) return undefined;
    const number = this.evaluateCall?.(call, ctx);
    return typeof number === 'number' ? [{ kind: 'literal', expr: dataExpr(number, call.loc), ctx }] : undefined;
  }

  /**
   * Whether an expression is true as the deployment profile computes it (`enabled=config("USE_LIMITER",
   * default="false", cast=bool)`), noting what it assumed; undefined when it cannot tell.
   */
  truth(expr: Expr, ctx: Ctx): boolean | undefined {
    const loc = locAt(exprLine(expr, ctx.line), 1);
    const negated = this.evaluateCall?.({ k: 'call', fn: { k: 'name', id: '__not__', loc }, args: [expr], kwargs: [], splat: false, loc }, ctx);
    return typeof negated === 'boolean' ? !negated : undefined;
  }

  /**
   * `a if test else b` (kept as `__ifelse__(a, test, b)`): the arm the deployment profile takes
   * (`f"{value.strip('/')}/" if value else ""` with `value` empty), else either.
   */
  private conditional(call: CallExpr, ctx: Ctx, depth: number): Value[] | undefined {
    if (call.fn.k !== 'name' || call.fn.id !== '__ifelse__' || call.args.length !== 3) return undefined;
    const [body, test, orelse] = call.args;
    const holds = this.truth(test, ctx);
    const arms = holds === undefined ? [body, orelse] : [holds ? body : orelse];
    return arms.flatMap((arm) => this.resolve(arm, ctx, depth + 1));
  }

  /**
   * `a or b` (kept as `__or__(a, b)`): the values of `a` that may be true, and those of `b` when `a` may be false
   * (`config_class or Config` with `config_class=None`: `Config`), or what the profile says `a` is; `a and b` the other
   * way round.
   */
  private either(call: CallExpr, ctx: Ctx, depth: number): Value[] | undefined {
    if (call.fn.k !== 'name' || (call.fn.id !== '__or__' && call.fn.id !== '__and__') || call.args.length !== 2) return undefined;
    const keep = call.fn.id === '__or__';
    const left = this.resolve(call.args[0], ctx, depth + 1);
    // Where the values cannot tell, the deployment profile may (`os.environ.get("ALIAS_LIMIT") or "5/minute"`: unset).
    const holds = left.some((v) => truthOf(v) === undefined) ? this.truth(call.args[0], ctx) : undefined;
    if (holds !== undefined) return holds !== keep ? this.resolve(call.args[1], ctx, depth + 1) : left;
    const kept = left.filter((v) => truthOf(v) !== !keep);
    return left.some((v) => truthOf(v) !== keep) ? [...kept, ...this.resolve(call.args[1], ctx, depth + 1)] : kept;
  }

  /** Resolves a name as seen from `ctx`: loop/parameter environment, then the scope chain, then `*` imports. */
  lookup(name: string, ctx: Ctx, depth: number): Value[] {
    const bound = ctx.env?.get(name);
    if (bound && !this.rebound(name, ctx)) return this.resolve(bound.expr, bound.ctx, depth + 1);
    // A name resolves the same way every time from one place, under one loop/parameter environment: memoise it (per
    // environment: a body read for one call rebinds `q = q.filter(...)` line after line, and each line read again
    // for every reading of the next would take time exponential in their number).
    // A lookup already in progress (a cycle through imports or assignments) answers `unknown`.
    // Joined, not a template: a template builds a tree of pieces, and a large service holds 100,000 keys.
    const key = [this.idOf(ctx.mod), ctx.scope, ctx.line, name].join('\0');
    const inProgress = (): Value[] => [{ kind: 'unknown', why: `\`${name}\` is defined in terms of itself` }];
    return this.remember(this.readMemos(ctx).lookups, key, () => this.lookupUncached(name, ctx, depth), inProgress, depth);
  }

  /** The memo tables of what is read in `ctx`: its environment's, or those of code read with none. */
  private readMemos({ env }: Ctx): ReadMemos {
    if (!env?.size) return this.plainMemos;
    let memos = this.envMemos.get(env);
    if (!memos) this.envMemos.set(env, (memos = newReadMemos()));
    return memos;
  }

  /**
   * `compute()` once per key: a later call answers from the cache and counts the assumptions the first one took,
   * so every route that rests on a cached value lists them. `inProgress` answers a call made while computing.
   * With `depth`, the answer depends on the depth it is asked at: one the depth bound cut short is reused only as
   * deep or deeper, and computed again when asked from higher up (a name first met at the end of a long chain
   * still resolves when it is read directly), so a key is computed at most once per depth.
   */
  remember<K, V>(cache: Memo<K, V>, key: K, compute: () => V, inProgress?: () => V, depth?: number): V {
    const cached = cache.get(key);
    if (cached instanceof Remembered) {
      if (!(cached.cutAt !== undefined && depth !== undefined && depth < cached.cutAt)) {
        this.note(cached.assumed);
        if (cached.cutAt !== undefined) this.cutShort();
        return cached.value;
      }
    } else if (cached !== undefined) {
      return cached;
    }
    if (inProgress) cache.set(key, new Remembered(inProgress(), NO_ITEMS));
    const note: Note = { passUp: true, depth };
    const value = this.under(note, compute);
    const assumed = note.keys ? [...note.keys] : NO_ITEMS;
    const cutAt = note.cut ? depth : undefined;
    // Most values are kept bare; an undefined one is wrapped, bare it would read as no entry.
    const stored = kept(value);
    cache.set(key, !assumed.length && cutAt === undefined && value !== undefined ? stored : new Remembered(stored, assumed, cutAt));
    return value;
  }

  /**
   * Runs `compute` as the work of one route or one registration: the assumptions it takes stay with it (see
   * `assumedHere`) and are not passed to the computation around it.
   */
  noting<T>(compute: () => T): T {
    return this.captured(compute).value;
  }

  /** Like `noting`, also returning what `compute` assumed: for a value that travels to routes as data. */
  captured<T>(compute: () => T): { value: T; assumed: Assumption[] } {
    const note: Note = { passUp: false };
    const value = this.under(note, compute);
    return { value, assumed: [...(note.keys ?? [])].map((k) => this.assumptions.get(k)!) };
  }

  /** Runs `compute` as the computation `note` records; then passes on what it should (see Note). */
  private under<T>(note: Note, compute: () => T): T {
    this.notes.push(note);
    try {
      return compute();
    } finally {
      this.notes.pop();
      if (note.passUp && note.keys) this.note(note.keys);
      if (note.cut && note.depth !== undefined) this.cutShort();
    }
  }

  /**
   * Runs a resolution that counts its depth from 0 (one asked anew, not a step of the one under way): where the
   * depth bound cuts it short says nothing of the depth the computations around it were asked at.
   */
  private ownBudget<T>(compute: () => T): T {
    return this.under({ passUp: true }, compute);
  }

  /** The depth bound cut the computation under way short: so are those around it whose answer depends on the depth. */
  private cutShort(): void {
    const current = this.notes.at(-1);
    if (current) current.cut = true;
  }

  /** Counts assumptions (by key) for the computation under way. */
  private note(keys: Iterable<string>): void {
    const current = this.notes.at(-1);
    if (current) for (const k of keys) (current.keys ??= new Set()).add(k);
  }

  /**
   * Counts assumptions taken earlier (a value computed ahead and kept as data) for the computation under way, also
   * those taken reading the project as written, before the profile decided its branches (see Project.decidedBranches).
   */
  replay(assumptions: readonly Assumption[] = []): void {
    for (const assumption of assumptions) this.assume(assumption);
  }

  /** The assumptions the computations under way have taken so far (and `earlier`): what a route made here rests on. */
  assumedHere(earlier: Assumption[] = []): Assumption[] {
    const keys = new Set([...earlier.map(assumptionKey), ...this.notes.flatMap((n) => [...(n.keys ?? [])])]);
    // Code-unit order, not the locale's: reports are byte-identical wherever they are made.
    const order = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
    return [...keys].map((k) => this.assumptions.get(k)!).sort((a, b) => order(a.file, b.file) || a.line - b.line || order(a.text, b.text));
  }

  /** A parameter assigned anew in the body before `ctx.line` (`urls = [rule(u) for u in urls]`). */
  private rebound(name: string, ctx: Ctx): boolean {
    const named = this.bindingsNamed(ctx.mod, ctx.scope, name);
    return named.some((b) => b.kind === 'param') && named.some((b) => b.kind === 'assign' && b.line <= ctx.line);
  }

  /** The bindings of `name` that may be in effect at `ctx`, in the nearest scope that has any (Python's scope rules). */
  private reaching(name: string, ctx: Ctx): { bindings: readonly Binding[]; ctx: Ctx } | undefined {
    const { mod } = ctx;
    let scopeId: number | null = ctx.scope;
    let first = true;
    while (scopeId !== null) {
      const scope: { kind: string; parent: number | null } = mod.scopes[scopeId];
      if (first || scope.kind !== 'class') {
        const bindings = reachingBindings(mod, this.bindingsNamed(mod, scopeId, name), first ? ctx.line : Infinity);
        // A module-level name a function declares `global` and assigns: what it assigns, once the function has run
        // (read from a function or another module; not by the module's own code as it is imported).
        const late = scopeId === 0 && (!first || ctx.line === Infinity) ? this.named(mod.lateBindings, name) : NO_ITEMS;
        if (bindings.length || late.length) return { bindings: late.length ? [...bindings, ...late] : bindings, ctx: scopeId === ctx.scope ? ctx : { ...ctx, scope: scopeId } };
      }
      first = false;
      scopeId = scope.parent;
    }
    return undefined;
  }

  /**
   * The one expression a name (or a module's attribute) stands for where it is read, with the context to
   * read it in: its last assignment, through imports; a parameter's argument. Undefined when not one.
   */
  definition(expr: Expr, ctx: Ctx): { expr: Expr; ctx: Ctx } | undefined {
    return this.ownBudget(() => this.definitionAt(expr, ctx, 0));
  }

  private definitionAt(expr: Expr, ctx: Ctx, depth: number): { expr: Expr; ctx: Ctx } | undefined {
    if (depth > MAX_DEPTH) {
      this.cutShort();
      return undefined;
    }
    if (expr.k === 'attr') {
      const [owner, ...others] = this.resolve(expr.obj, ctx, depth + 1);
      if (others.length) return undefined;
      if (owner?.kind === 'external') return this.externalNames?.definition(`${owner.qname}.${expr.name}`);
      return owner?.kind === 'module' ? this.definitionAt({ k: 'name', id: expr.name, loc: expr.loc }, this.moduleCtx(owner.mod), depth + 1) : undefined;
    }
    if (expr.k !== 'name') return undefined;
    const bound = ctx.env?.get(expr.id);
    if (bound && !this.rebound(expr.id, ctx)) return bound;
    const found = this.reaching(expr.id, ctx);
    // Not bound here: from a `from x import *` (split settings modules), as lookup reads it.
    if (!found) return this.starDefinition(ctx.mod, expr, depth);
    if (found.bindings.length !== 1) return undefined;
    const [binding] = found.bindings;
    const { mod } = found.ctx;
    if (binding.kind === 'assign') return { expr: binding.value, ctx: lateContext(binding, ctx) ?? { ...found.ctx, line: binding.line - 1 } };
    if (binding.kind === 'param') return ctx.env?.get(binding.name);
    if (binding.kind !== 'import' || binding.attr === undefined) return undefined;
    const target = this.findModule(importTarget(mod, binding), mod);
    return target && target !== mod ? this.definitionAt({ k: 'name', id: binding.attr, loc: expr.loc }, this.moduleCtx(target), depth + 1) : undefined;
  }

  /**
   * The definition of a name a module does not bind, from its star imports: once per module and name, as star
   * imports chain and meet again (JumpServer's `if` tests, each name read through them for the profile: 1.3 s).
   */
  private starDefinition(mod: ModuleFacts, name: Extract<Expr, { k: 'name' }>, depth: number): { expr: Expr; ctx: Ctx } | undefined {
    const compute = () => this.starImports(mod).map((star) => this.definitionAt(name, this.moduleCtx(star.mod), depth + 1)).find((d) => d);
    return this.remember(this.starDefinitions, `${this.idOf(mod)}\0${name.id}`, compute, () => undefined, depth);
  }

  private lookupUncached(name: string, ctx: Ctx, depth: number): Value[] {
    const { mod } = ctx;
    const found = this.reaching(name, ctx);
    this.replay((found && this.decidedNames.get(`${found.ctx.mod.file}\0${found.ctx.scope}\0${name}`)) ?? NO_ITEMS);
    if (found) return this.runningBindings(found.bindings, found.ctx, ctx.scope).flatMap((binding) => this.fromBinding(binding, found.ctx, depth, ctx));
    for (const star of this.starImports(mod)) {
      if (depth >= MAX_DEPTH) {
        this.cutShort();
        break;
      }
      const found = this.lookup(name, this.moduleCtx(star.mod), depth + 1);
      if (!found.every((v) => v.kind === 'unknown')) return found;
    }
    return [{ kind: 'unknown', why: `\`${name}\` is not defined in ${mod.file}` }];
  }

  /**
   * Of the assignments that may reach a read in a function body read for one call, those the call may run
   * (`if prefix: final = f"/{prefix}" else: final = ""` with `prefix` bound): branches on its parameters decided. One
   * that opens an arm the call surely takes hides those before it (AWX's `if not prefix: prefix = '/'`, the parameter
   * passed nothing: `prefix` is `'/'` below).
   */
  private runningBindings(bindings: readonly Binding[], ctx: Ctx, readIn: number): readonly Binding[] {
    if (bindings.length < 2 || !ctx.env?.size || ctx.scope !== readIn || !this.runsAt) return bindings;
    const fn = functionOwning(ctx.mod, ctx.scope);
    // Only branches on what the call passes can tell one call from another: every assignment but the first must
    // stand in one (`prefix = ""`, then `if passed: prefix = f"/{passed}"`).
    const onCall = fn ? this.branchesOnParameters(ctx.mod, fn) : [];
    const first = Math.min(...bindings.map((b) => b.line));
    if (!fn || !bindings.every((b) => b.line === first || onCall.some((a) => a.from <= b.line && b.line <= a.to))) return bindings;
    const ref = { mod: ctx.mod, fn };
    const verdicts = new Map(bindings.map((b) => [b, this.runsAt!(ref, ctx.env!, b.line)]));
    const running = bindings.filter((b) => verdicts.get(b) !== false);
    // The first statement of an arm (an `if` block's first line, or the line of or after an `elif`/`else`): not inside a
    // loop or a `try` of the arm, so it runs whenever the arm does.
    const opensArm = (b: Binding): boolean => onCall.some((a) => b.line === a.from || (a.arm > 0 && b.line === a.from + 1));
    const hiding = running.filter((b) => b.kind === 'assign' && b.line < ctx.line && verdicts.get(b) === true && opensArm(b));
    const from = Math.max(...hiding.map((b) => b.line));
    const reaching = hiding.length ? running.filter((b) => b.line >= from) : running;
    return reaching.length ? reaching : bindings;
  }

  /**
   * The arms of `if` statements in a function's body whose tests read only its parameters (or names assigned from
   * them) and literals, with `not`, `and`, `or` and comparisons: what one call passes decides them.
   */
  private branchesOnParameters(mod: ModuleFacts, fn: FunctionDef): Arm[] {
    let arms = this.parameterBranches.get(fn);
    if (!arms) {
      const names = this.namesFromParameters(mod, fn);
      const other = (e: Expr): boolean => (e.k === 'name' ? !names.has(e.id) && !OPERATOR_NAMES.has(e.id) : e.k === 'call' ? !isOperatorCall(e) : e.k === 'attr' || e.k === 'subscript' || e.k === 'other' || e.k === 'lambda');
      const statements = new Set(testedArmsIn(mod, fn.bodyScope).filter((a) => !someExpr(a.test!, other)).map((a) => a.of));
      this.parameterBranches.set(fn, (arms = statements.size ? mod.arms.filter((a) => statements.has(a.of)) : []));
    }
    return arms;
  }

  /** `fromParameters`, once per function. */
  namesFromParameters(mod: ModuleFacts, fn: FunctionDef): Set<string> {
    let names = this.parameterNames.get(fn);
    if (!names) this.parameterNames.set(fn, (names = fromParameters(mod, fn)));
    return names;
  }

  /** What a binding found from `reader` (where the name is read) holds; `ctx` is where the binding was found. */
  private fromBinding(binding: Binding, ctx: Ctx, depth: number, reader = ctx): Value[] {
    const { mod } = ctx;
    switch (binding.kind) {
      case 'assign': {
        // The right-hand side sees the bindings made before this line (`app = wrap(app)`).
        const before: Ctx = lateContext(binding, reader) ?? { mod, scope: ctx.scope, line: binding.line - 1, env: ctx.env };
        // `v2_api = add_engagement_urls(v2_api)`, a helper that returns what it is given: that object, read at no
        // cost in depth (DefectDojo threads its router through 17 such helpers; each line read is an earlier one).
        const given = this.passedThrough(binding.value, before, depth);
        return given ? this.resolve(given, before, depth) : this.resolve(binding.value, before, depth + 1);
      }
      case 'def':
        return [{ kind: 'function', ref: { mod, fn: mod.functions[binding.index] } }];
      case 'class':
        return [{ kind: 'class', ref: { mod, cls: mod.classes[binding.index] } }];
      case 'import':
        return this.importValue(mod, binding, depth);
      case 'param': {
        const bound = ctx.env?.get(binding.name);
        if (bound) return this.resolve(bound.expr, bound.ctx, depth + 1);
        const key = [this.idOf(mod), binding.index, binding.position, depth].join('\0');
        return this.remember(this.parameterCache, key, () => this.parameterValues(mod, binding, depth), undefined, depth);
      }
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

  /** The argument a call hands back: `f(x)` with every value of `f` a project function returning that parameter unchanged. */
  private passedThrough(expr: Expr, ctx: Ctx, depth: number): Expr | undefined {
    if (expr.k !== 'call') return undefined;
    const callees = this.resolve(expr.fn, ctx, depth + 1);
    const given = callees.map((callee) => {
      if (callee.kind !== 'function') return undefined;
      const { mod, fn } = callee.ref;
      const [first] = fn.returns;
      const name = first?.k === 'name' ? first.id : undefined;
      const position = fn.params.findIndex((p) => p.name === name);
      const rebound = (mod.bindings[fn.bodyScope] ?? []).some((b) => b.name === name && b.kind !== 'param');
      if (position < 0 || rebound || fn.params[position].star || !fn.returns.every((r) => r.k === 'name' && r.id === name)) return undefined;
      return this.argumentFor(fn, position, name!, expr);
    });
    return given.length && given.every((arg) => arg && arg === given[0]) ? given[0] : undefined;
  }

  /**
   * A parameter's values are the arguments at every call site of its function found in the project. Not for a function
   * named like very many calls (`get`): telling its callers among them resolves every one, seconds on a large service
   * (polar's and baserow's `get` views, whose callers are the framework), so its parameters are unknown but for a default.
   */
  private parameterValues(mod: ModuleFacts, binding: Extract<Binding, { kind: 'param' }>, depth: number): Value[] {
    const fn = mod.functions[binding.index];
    const values: Value[] = [];
    const common = this.namedLikeManyCalls(fn);
    const byDefault = (): Value[] => this.resolve(binding.default!, { mod, scope: fn.scope, line: lineOf(fn.loc) }, depth + 1);
    let defaulted = false;
    for (const site of common ? [] : this.callersOf(fn, depth)) {
      const arg = this.argumentFor(fn, binding.position, binding.name, site.call, site.ctx);
      if (arg) values.push(...this.dispatchingTo(fn, site.call, binding.position, this.resolve(arg, site.ctx, depth + 1)));
      // A call that passes nothing for it gives it its default (polar's `get_oauth_login_router(...)` calls: one passes
      // `callback_method="POST"`, two keep the default "GET").
      else if (binding.default && !defaulted && !site.call.splat && !isHookCall(site.call)) {
        defaulted = true;
        values.push(...byDefault());
      }
    }
    if (values.length) return values;
    if (binding.default) return byDefault();
    const why = common ? `is named like ${this.callSites(fn.name).length} calls in the project, too many to tell its callers among` : 'has no call site in the project';
    return [{ kind: 'unknown', why: `parameter \`${binding.name}\` of \`${fn.qualname}\` ${why}` }];
  }

  /**
   * The receivers of `obj.method()` that run `fn` as `method`: of the objects `self` may be in a base's method that calls
   * `self._setup_routes()`, those whose class does not override it with another (`super().method()` and
   * `Base.__init__(self)` run the base's).
   */
  private dispatchingTo(fn: FunctionDef, call: CallExpr, position: number, values: Value[]): Value[] {
    if (position !== 0 || call.fn.k !== 'attr' || isSuper(call.fn.obj) || explicitBaseInit(call)) return values;
    const method = call.fn.name;
    return values.filter((v) => v.kind !== 'instance' || !v.cls || (this.methodOf(v.cls, method)?.fn ?? fn) === fn);
  }

  /** `ref` and its project subclasses whose `__init__` is `init` (inherited, not overridden). */
  private classesRunning(ref: ClassRef, init: FunctionDef): ClassRef[] {
    const found = [ref];
    for (let i = 0; i < found.length && found.length <= MAX_CONSTRUCTIONS; i++) {
      for (const sub of this.subclassesNamed(found[i].cls.name)) {
        if (found.some((c) => c.cls === sub.cls)) continue;
        if (this.classChain(sub).some((c) => c.cls === found[i].cls) && this.methodOf(sub, '__init__')?.fn === init) found.push(sub);
      }
    }
    return found;
  }

  /** Project classes with a base written as `name` or `module.name`. */
  private subclassesNamed(name: string): ClassRef[] {
    if (!this.classesByBaseName) {
      this.classesByBaseName = new Map();
      for (const mod of this.modules) {
        for (const cls of mod.classes) {
          for (const base of cls.bases) {
            const last = dottedName(base)?.split('.').pop();
            if (last) addTo(this.classesByBaseName, last, { mod, cls });
          }
        }
      }
    }
    return this.classesByBaseName.get(name) ?? [];
  }

  /** The calls that construct the class (`Name(...)` resolving to it); none when there are many, as no one object is meant. */
  constructions(ref: ClassRef, depth = 0): CallSite[] {
    const named = [...this.callSites(ref.cls.name), ...this.nestedCallSites(ref.cls.name)];
    if (named.length > MAX_CONSTRUCTIONS) return [];
    return named.filter((site) => this.resolve(site.call.fn, site.ctx, depth + 1).some((v) => v.kind === 'class' && v.ref.cls === ref.cls));
  }

  /**
   * One environment per call site of the function whose body is `scope`, binding its parameters to that
   * site's arguments: a helper's body read once for each call (`register_view(bp, routes=[...])`), so its
   * parameters keep their values together. Empty when `scope` is no function body or nothing calls it.
   */
  callerEnvs(mod: ModuleFacts, scope: number): Pick<Ctx, 'env' | 'via'>[] {
    const key = `${this.idOf(mod)}\0${scope}`;
    let envs = this.callerEnvCache.get(key);
    if (!envs) {
      const fn = functionOwning(mod, scope);
      envs = fn?.params.length ? this.envsPerCaller(fn) : [];
      this.callerEnvCache.set(key, envs);
    }
    return envs;
  }

  private envsPerCaller(fn: FunctionDef): Pick<Ctx, 'env' | 'via'>[] {
    this.readingCallers.add(fn);
    try {
      return this.callersOf(fn, 0).flatMap((site) => this.passingContexts(site).map((ctx) => this.callContext(fn, site.call, ctx)));
    } finally {
      this.readingCallers.delete(fn);
    }
  }

  /**
   * A call made in a helper that passes on the helper's own parameters, or names assigned from them
   * (`include(app, router, prefix=prefix)`):
   * read once per call of that helper, so each call's arguments stay together; else as it stands, and so when the
   * helper is named like very many calls (`get`: each level multiplies the contexts).
   */
  private passingContexts(site: CallSite): Ctx[] {
    const { mod, scope, env } = site.ctx;
    const helper = env ? undefined : functionOwning(mod, scope);
    if (!helper?.params.length || this.readingCallers.has(helper) || this.namedLikeManyCalls(helper)) return [site.ctx];
    const names = this.namesFromParameters(mod, helper);
    const passes = [...site.call.args, ...site.call.kwargs.map(([, v]) => v), ...(site.call.kwstar ? [site.call.kwstar] : [])].some((a) => someExpr(a, (e) => e.k === 'name' && names.has(e.id)));
    const outer = passes ? this.callerEnvs(mod, scope) : [];
    return outer.length ? outer.map((c) => ({ ...site.ctx, ...c })) : [site.ctx];
  }

  /**
   * How `fn`'s body reads as one call of it runs it: its parameters bound, declared where the call is. An `__init__` read
   * for the construction that runs it belongs to that object, as initAttribute reads it: what it makes is the object's
   * own (`self.streams = StreamsRouter(...)` in a `SessionsRouter`, whose own `__init__` makes `self.router`).
   */
  callContext(fn: FunctionDef, call: CallExpr, ctx: Ctx): { env: Env; via: NonNullable<Ctx['via']> } {
    const env = this.callEnv(fn, call, ctx);
    if (fn.name === '__init__' && !isBaseInit(call)) INIT_OWNERS.set(env, siteKey(call, ctx));
    return { env, via: ctx.via ?? { file: ctx.mod.file, line: lineOf(call.loc), column: columnOf(call.loc) } };
  }

  /**
   * callEnv, one per call and place it is read from, for what the call returns: its body is read once under it (see
   * readMemos), however often the call is resolved (Skyvern resolves `json_response = await handler(...)` at each of
   * the lines that read `json_response`).
   */
  private sharedCallEnv(fn: FunctionDef, call: CallExpr, ctx: Ctx): Env {
    let byCallee = this.callEnvs.get(call);
    if (!byCallee) this.callEnvs.set(call, (byCallee = new Map()));
    const key = `${this.objectId(fn)}\0${this.placeKey(ctx)}`;
    let env = byCallee.get(key);
    if (!env) byCallee.set(key, (env = this.callEnv(fn, call, ctx)));
    return env;
  }

  /** Where code is read, for memo keys: the module, scope and line, and the bindings and call it is read under. */
  private placeKey(ctx: Ctx): string {
    return [this.idOf(ctx.mod), ctx.scope, ctx.line, ctx.env ? this.objectId(ctx.env) : '', ctx.via ? `${ctx.via.file}:${ctx.via.line}:${ctx.via.column}` : ''].join('\0');
  }

  /** A number for an object in memo keys (an environment, a call), the same while the project lives. */
  private objectId(object: object): number {
    let id = this.objectIds.get(object);
    if (id === undefined) this.objectIds.set(object, (id = this.nextObjectId++));
    return id;
  }

  /** The parameters of `fn` bound to what one call of it gives them. */
  callEnv(fn: FunctionDef, call: CallExpr, ctx: Ctx): Env {
    const env = new Map<string, { expr: Expr; ctx: Ctx }>();
    fn.params.forEach((p, position) => {
      const arg = this.argumentFor(fn, position, p.name, call, ctx);
      if (arg) env.set(p.name, { expr: arg, ctx });
    });
    // `factory(...)(x)`, `fn` a function `factory` defines: its body also reads `factory`'s parameters as that call binds them.
    const factory = call.fn.k === 'call' ? this.definingFunction(fn) : undefined;
    if (factory && call.fn.k === 'call' && this.resolve(call.fn.fn, ctx).some((v) => v.kind === 'function' && v.ref.fn === factory)) {
      const made = call.fn;
      factory.params.forEach((p, position) => {
        const arg = env.has(p.name) ? undefined : this.argumentFor(factory, position, p.name, made, ctx);
        if (arg) env.set(p.name, { expr: arg, ctx });
      });
    }
    // A literal default (`prefix: str | None = None`) is what a call that passes nothing for it gives. Not for a call
    // that passes nothing at all: its body reads as the function's for every call, its lookups shared; unless the body
    // branches on a parameter (AWX's `get_urlpatterns(prefix=None)`: `if not prefix: prefix = '/'`), where the
    // defaults decide which assignments run.
    const branching = (): boolean => {
      const mod = this.moduleDefining(fn);
      return mod !== undefined && this.branchesOnParameters(mod, fn).length > 0;
    };
    if ((env.size || branching()) && !call.splat && !isHookCall(call)) {
      for (const p of fn.params) {
        if (env.has(p.name) || !p.default || !LITERALS.has(p.default.k)) continue;
        const bound = { expr: p.default, ctx };
        env.set(p.name, bound);
        DEFAULTS_BOUND.add(bound);
      }
    }
    return env;
  }

  /** The function whose body defines `fn`, if any. */
  private definingFunction(fn: FunctionDef): FunctionDef | undefined {
    const mod = this.moduleDefining(fn);
    return mod && functionOwning(mod, fn.scope);
  }

  /** The module that defines `fn`. */
  private moduleDefining(fn: FunctionDef): ModuleFacts | undefined {
    if (!this.functionModules) {
      this.functionModules = new WeakMap();
      for (const mod of this.modules) for (const f of mod.functions) this.functionModules.set(f, mod);
    }
    return this.functionModules.get(fn);
  }

  /**
   * The call sites that call `fn` (its name, resolved to it), or call every implementation of its name (a
   * plugin hook), or hand it to a framework that calls it with the object being built (`FastAPI(lifespan=fn)`,
   * stood for by the call `fn(FastAPI(...))`).
   */
  private callersOf(fn: FunctionDef, depth: number): CallSite[] {
    const isFn = (expr: Expr, ctx: Ctx): boolean => this.resolve(expr, ctx, depth + 1).some((c) => c.kind === 'function' && c.ref.fn === fn);
    const named = this.callersNamed(fn.name, depth);
    const callers = [...(named.byFunction.get(fn) ?? NO_ITEMS), ...named.hooks].sort((a, b) => a - b).map((i) => named.sites[i]);
    // Called under a name it is imported as (`from .admin import register_admin as register_core_admin`).
    for (const alias of this.aliasesOf(fn.name)) {
      const calling = this.callersNamed(alias, depth);
      callers.push(...(calling.byFunction.get(fn) ?? NO_ITEMS).map((i) => calling.sites[i]));
    }
    // `Holder(items_router=...)` runs the `__init__` its class defines or inherits: each object the project constructs
    // of the class, or of a subclass that inherits this `__init__`, is a `self` (a base's `__init__` that calls
    // `self._setup_routes()`, which each subclass defines).
    const mod = fn.name === '__init__' ? this.moduleDefining(fn) : undefined;
    const cls = mod && definingClass(mod, fn);
    if (mod && cls) callers.push(...this.classesRunning({ mod, cls }, fn).flatMap((c) => this.constructions(c, depth)));
    for (const { constructors, keyword } of this.modelled.callbacks) {
      for (const site of [...new Set(constructors.map((q) => q.split('.').pop() ?? ''))].flatMap((name) => this.callSites(name))) {
        const given = site.call.kwargs.find(([k]) => k === keyword)?.[1];
        if (given && isFn(given, site.ctx) && this.resolve(site.call, site.ctx, depth + 1).some((v) => Project.isInstance(v, constructors))) {
          callers.push({ call: { ...site.call, fn: given, args: [site.call], kwargs: [], splat: false }, ctx: site.ctx });
        }
      }
    }
    callers.push(...this.decoratorApplications(fn, depth));
    // A function called from very many places (`get`, `run`) is not worth following.
    return callers.slice(0, MAX_CALL_SITES);
  }

  /**
   * The calls each `@factory(...)` written stands for when `factory` returns `fn`, a function it defines (quay's
   * `def resource(*urls): def wrapper(cls): api.add_resource(cls, *urls) ... return wrapper`): `factory(...)(made)`,
   * `made` what the decorators below make of the decorated function or class. callEnv binds the factory's parameters
   * from the same call, so each decoration's arguments stay with its decorated object.
   */
  private decoratorApplications(fn: FunctionDef, depth: number): CallSite[] {
    // Made once per function: memo tables key calls by the call object.
    const kept = this.decoratorSites.get(fn);
    if (kept) return kept;
    const mod = this.moduleDefining(fn);
    const factory = mod && factoryReturning(mod, fn);
    const sites: CallSite[] = [];
    this.decoratorSites.set(fn, sites);
    if (!factory) return sites;
    for (const { mod: at, decorated } of this.decoratedWith(factory.name)) {
      // Read just below the `def`/`class` line, where its name is bound.
      const ctx: Ctx = { mod: at, scope: decorated.scope, line: lineOf(decorated.loc) + 1 };
      let made: Expr = { k: 'name', id: decorated.name, loc: decorated.loc };
      DECORATED.add(made);
      for (const decorator of [...decorated.decorators].reverse()) {
        const call: CallExpr = { k: 'call', fn: decorator, args: [made], kwargs: [], splat: false, loc: decorator.k === 'call' ? decorator.loc : decorated.loc };
        if (decorator.k === 'call' && this.resolve(decorator.fn, ctx, depth + 1).some((v) => v.kind === 'function' && v.ref.fn === factory)) sites.push({ call, ctx });
        made = call;
        DECORATED.add(made);
      }
    }
    return sites;
  }

  /** The functions and classes a decorator `@name(...)` or `@x.name(...)` is written on, indexed on first use. */
  private decoratedWith(name: string): readonly { mod: ModuleFacts; decorated: FunctionDef | ClassDef }[] {
    if (!this.decoratedByName) {
      this.decoratedByName = new Map();
      for (const mod of this.modules) {
        for (const decorated of [...mod.functions, ...mod.classes]) {
          const names = decorated.decorators.flatMap((d) => (d.k !== 'call' ? [] : d.fn.k === 'name' ? [d.fn.id] : d.fn.k === 'attr' ? [d.fn.name] : []));
          for (const called of new Set(names)) addTo(this.decoratedByName, called, { mod, decorated });
        }
      }
    }
    return this.decoratedByName.get(name) ?? NO_ITEMS;
  }

  /**
   * The argument a call gives a parameter; a `*args` parameter gets the rest of the positional ones (unless the call
   * splats). With the call's `ctx`, also an entry of the dict it unpacks (`R2RApp(**routers)` gives `chunks_router`
   * `routers["chunks_router"]`).
   */
  private argumentFor(fn: FunctionDef, position: number, name: string, call: CallExpr, ctx?: Ctx): Expr | undefined {
    if (fn.params[position]?.kwstar) return isHookCall(call) ? undefined : otherKeywords(fn, call);
    if (fn.params[position]?.star) {
      if (isHookCall(call)) return undefined;
      const rest: Expr = { k: 'seq', items: call.args.slice(this.argIndex(fn, position)) };
      if (call.star) return { k: 'concat', parts: [rest, call.star] };
      return call.splat ? undefined : rest;
    }
    // `obj.method(...)`, `Class.classmethod(...)`: `self`/`cls` is the receiver.
    // `Base.__init__(self, ...)`: the method called through its class, `self` passed first.
    if (this.argIndex(fn, 0) < 0 && explicitBaseInit(call)) return call.kwargs.find(([k]) => k === name)?.[1] ?? call.args[position];
    if (position === 0 && this.argIndex(fn, 0) < 0) {
      // `self` in `__init__` is the object the construction makes (see callersOf).
      if (fn.name === '__init__' && !(call.fn.k === 'attr' && call.fn.name === '__init__')) return call;
      if (call.fn.k !== 'attr' || isHookCall(call)) return undefined;
      // `super().__init__(...)` passes on the calling method's own `self`.
      const caller = isSuper(call.fn.obj) && ctx ? functionOwning(ctx.mod, ctx.scope) : undefined;
      return !isSuper(call.fn.obj) ? call.fn.obj : caller?.params[0] && { k: 'name', id: caller.params[0].name, loc: call.loc };
    }
    if (isHookCall(call)) return call.kwargs.find(([k]) => k === name)?.[1];
    const index = this.argIndex(fn, position);
    // Past the written arguments, an item of the `*rest` the call unpacks (`super().__init__(*args, **kwargs)`).
    const unpacked: Expr | undefined = call.star && index >= call.args.length ? { k: 'subscript', obj: call.star, index: { k: 'num', v: index - call.args.length } } : undefined;
    return call.kwargs.find(([k]) => k === name)?.[1] ?? call.args[index] ?? unpacked ?? (ctx && this.unpackedKeyword(call, name, ctx));
  }

  /**
   * The entry `name` of the dict a call unpacks with `**`, where it is read. One that cannot be read is left out as
   * before: the parameter reads as its default and other calls' arguments.
   */
  private unpackedKeyword(call: CallExpr, name: string, ctx: Ctx): Expr | undefined {
    const { kwstar } = call;
    const found = kwstar && this.dictEntry(kwstar, name, ctx);
    if (!kwstar || !found || found === 'unread') return undefined;
    return found.ctx === ctx ? found.expr : { k: 'subscript', obj: kwstar, index: { k: 'str', v: name, loc: call.loc } };
  }

  private argIndex(fn: FunctionDef, position: number): number {
    // Methods are called without `self`/`cls`.
    return fn.params[0] && (fn.params[0].name === 'self' || fn.params[0].name === 'cls') ? position - 1 : position;
  }

  /**
   * The call sites named `name`, each one's callees resolved as deep as `depth` allows (the computation under way
   * takes their assumptions and cuts). Every method named `get` asks about the same `x.get(...)` sites: each
   * callee is resolved once, again only when asked from higher up than where the depth bound cut it short, and
   * the sites are kept sorted by the function they call.
   */
  private callersNamed(name: string, depth: number): CallersNamed {
    let named = this.callersByName.get(name);
    if (!named) {
      // Calls inside other expressions too (`app.include_router(self._router())`): what they pass binds the parameters.
      const sites = [...this.callSites(name), ...this.nestedCallSites(name)];
      const hooks = sites.flatMap((site, i) => (isHookCall(site.call) ? [i] : []));
      const unsettled = sites.flatMap((site, i) => (isHookCall(site.call) ? [] : [i]));
      named = { sites, hooks, resolved: [], unsettled, byFunction: new Map(), assumedCount: new Map() };
      this.callersByName.set(name, named);
    }
    // In order, as resolving one site may resolve others again (a site whose resolution is under way, too).
    for (let i = nextAfter(named.unsettled, -1); i !== undefined; i = nextAfter(named.unsettled, i)) {
      const cutAt = named.resolved[i]?.cutAt;
      if (cutAt !== undefined && cutAt <= depth) continue;
      const site = named.sites[i];
      if (this.annotatedAsLibraryObject(site)) this.calleeCache.set(site, []);
      else this.remember(this.calleeCache, site, () => this.resolve(site.call.fn, site.ctx, depth + 1), undefined, depth);
      this.settle(named, i);
    }
    this.note(named.assumedCount.keys());
    if (named.unsettled.length) this.cutShort();
    return named;
  }

  /**
   * `page.click()` with `page: Page` a parameter annotated with a library class no project class deriving from it
   * defines `click` in (its body or a project base's): it calls no function of the project, whatever the callers pass
   * (Skyvern's helpers take Playwright objects, and reading every caller of each to find out cost a tenth of its scan;
   * its `AILocator(Locator)` defines no `click`).
   */
  private annotatedAsLibraryObject(site: CallSite): boolean {
    const { fn } = site.call;
    if (fn.k !== 'attr' || fn.obj.k !== 'name') return false;
    const receiver = fn.obj.id;
    const bindings = (site.ctx.mod.bindings[site.ctx.scope] ?? []).filter((b) => b.name === receiver);
    const [param] = bindings;
    if (bindings.length !== 1 || param.kind !== 'param') return false;
    const def = site.ctx.mod.functions[param.index];
    const annotation = def.params[param.position]?.annotation;
    if (!annotation || (annotation.k !== 'name' && annotation.k !== 'attr')) return false;
    const types = this.resolve(annotation, { mod: site.ctx.mod, scope: def.scope, line: lineOf(def.loc) - 1 });
    return types.length > 0 && types.every((t) => t.kind === 'external' && !LOOSE_TYPES.test(t.qname) && !this.derivedClassDefines(t.qname, fn.name));
  }

  /** Whether a project class deriving from a library class defines `name` in its body or a project base's. */
  private derivedClassDefines(qname: string, name: string): boolean {
    if (!this.derivedFrom) {
      this.derivedFrom = new Map();
      for (const mod of this.modules) {
        for (const cls of mod.classes) {
          const ref = { mod, cls };
          const bases = this.externalBases(ref);
          if (!bases.length) continue;
          const defined = this.classChain(ref).flatMap((c) => (c.mod.bindings[c.cls.bodyScope] ?? []).map((b) => b.name));
          for (const base of bases) {
            const names = this.derivedFrom.get(base) ?? new Set<string>();
            for (const n of defined) names.add(n);
            this.derivedFrom.set(base, names);
          }
        }
      }
    }
    return this.derivedFrom.get(qname)?.has(name) ?? false;
  }

  /** Takes in the resolution of site `i` just made. */
  private settle(named: CallersNamed, i: number): void {
    const entry = this.calleeCache.get(named.sites[i])!;
    const { value, assumed, cutAt } = entry instanceof Remembered ? entry : { value: entry, assumed: NO_ITEMS, cutAt: undefined };
    const before = named.resolved[i];
    for (const fn of before?.callees ?? NO_ITEMS) {
      const calling = named.byFunction.get(fn)!;
      calling.splice(calling.indexOf(i), 1);
    }
    for (const key of before?.assumed ?? NO_ITEMS) {
      const count = named.assumedCount.get(key)! - 1;
      if (count) named.assumedCount.set(key, count);
      else named.assumedCount.delete(key);
    }
    const callees = [...new Set(value.flatMap((v) => (v.kind === 'function' ? [v.ref.fn] : [])))];
    for (const fn of callees) addTo(named.byFunction, fn, i);
    for (const key of assumed) named.assumedCount.set(key, (named.assumedCount.get(key) ?? 0) + 1);
    named.resolved[i] = { callees, assumed, cutAt };
    const at = lowerBound(named.unsettled, i);
    const listed = named.unsettled[at] === i;
    if (cutAt === undefined && listed) named.unsettled.splice(at, 1);
    if (cutAt !== undefined && !listed) named.unsettled.splice(at, 0, i);
  }

  /** The other names `from m import name as alias` binds a name under, in the project. */
  private aliasesOf(name: string): readonly string[] {
    if (!this.importAliases) {
      this.importAliases = new Map();
      for (const mod of this.modules) {
        for (const bindings of Object.values(mod.bindings)) {
          for (const b of bindings) if (b.kind === 'import' && b.attr !== undefined && b.attr !== b.name && !this.importAliases.get(b.attr)?.includes(b.name)) addTo(this.importAliases, b.attr, b.name);
        }
      }
    }
    return this.importAliases.get(name) ?? NO_ITEMS;
  }

  /** More calls are named like `fn` than its callers are followed for (MAX_CALL_SITES): `get`, `run`. */
  private namedLikeManyCalls(fn: FunctionDef): boolean {
    return this.callSites(fn.name).length > MAX_CALL_SITES;
  }

  private callSites(name: string): CallSite[] {
    let sites = this.callSitesByName.get(name);
    if (!sites) {
      const found = this.callStatementsNamed(name);
      sites = [];
      for (let i = 0; i < found.length; i += 2) {
        const mod = this.modules[found[i]];
        const stmt = mod.calls[found[i + 1]];
        sites.push({ call: stmt.call, ctx: { mod, scope: stmt.scope, line: lineOf(stmt.call.loc) } });
      }
      this.callSitesByName.set(name, sites);
    }
    return sites;
  }

  /**
   * The calls of the project class or function `name` inside expressions rather than statements of their own: an object
   * made and used at once (`ItemsRouter(config).get_router()`), a call in a dict or list literal, or in an argument.
   */
  private nestedCallSites(name: string): CallSite[] {
    if (!this.nestedCallsByName) {
      // Only calls named like a project class or function: what constructions and callers ask for.
      const projectNames = new Set(this.modules.flatMap((m) => [...m.classes.map((c) => c.name), ...m.functions.map((f) => f.name)]));
      const byName = new Map<string, CallSite[]>();
      for (const mod of this.modules) {
        const collect = (expr: Expr, scope: number, outer?: Expr): void => {
          someExpr(expr, (e) => {
            const callee = e.k === 'call' && e !== outer ? (e.fn.k === 'name' ? e.fn.id : e.fn.k === 'attr' ? e.fn.name : '') : '';
            if (e.k === 'call' && projectNames.has(callee)) addTo(byName, callee, { call: e, ctx: { mod, scope, line: lineOf(e.loc) } });
            return false;
          });
        };
        for (const { call, scope } of mod.calls) collect(call, scope, call);
        for (const [scope, bindings] of Object.entries(mod.bindings)) {
          for (const b of bindings) if (b.kind === 'assign' && b.value.k !== 'call') collect(b.value, Number(scope));
        }
      }
      this.nestedCallsByName = byName;
    }
    return this.nestedCallsByName.get(name) ?? [];
  }

  private callStatementsNamed(name: string): number[] {
    if (!this.callStatementsByName) {
      this.callStatementsByName = new Map();
      for (let m = 0; m < this.modules.length; m++) {
        const { calls } = this.modules[m];
        for (let i = 0; i < calls.length; i++) { // indexes: entries() made a pair per statement
          const { fn } = calls[i].call;
          const fnName = fn.k === 'name' ? fn.id : fn.k === 'attr' ? fn.name : '';
          if (fnName) addTo(this.callStatementsByName, fnName, m, i);
        }
      }
    }
    return this.callStatementsByName.get(name) ?? [];
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
        return this.externalNames?.values(qname) ?? [{ kind: 'external', qname }];
      }
      case 'class': {
        const attr = this.classAttribute(value.ref, name, depth);
        return attr ?? [{ kind: 'member', of: value, name }];
      }
      case 'instance': {
        // Read once per object and name: the same object is met again and again (Skyvern's scan asked 47,000
        // attributes of objects, 8,000 different ones).
        const { call, ctx } = value.site;
        const key = [this.objectId(call), this.placeKey(ctx), value.cls ? `${this.idOf(value.cls.mod)}:${this.objectId(value.cls.cls)}` : '', value.types.join(), name].join('\0');
        return this.remember(this.readMemos(ctx).instanceAttributes, key, () => this.instanceAttribute(value, name, depth), undefined, depth);
      }
      case 'unknown':
        return [value];
      default:
        return [{ kind: 'member', of: value, name }];
    }
  }

  /**
   * `settings.API_V1_STR` on `settings = Settings()`: the class-level default, else what `__init__` sets;
   * a method the project calls may set it anew (`limiter.set_limit(config.rate)`), or first (`init_app`).
   */
  private instanceAttribute(value: Extract<Value, { kind: 'instance' }>, name: string, depth: number): Value[] {
    const stored = this.modelled.storedKeywords?.find((k) => k.name === name && Project.isInstance(value, k.owners));
    const given = stored ? this.constructionKeyword(value, name) : this.settingsEntry(value, name);
    if (given) return this.resolve(given.expr, given.ctx, depth + 1);
    if (!value.cls) return [{ kind: 'member', of: value, name }];
    const attr = (this.classAttribute(value.cls, name, depth) ?? this.initAttribute(value, name, depth) ?? []).flatMap((v) => (v.kind === 'function' && isProperty(v.ref.fn) ? this.propertyValue(value, v.ref, depth) : [v]));
    if (attr.length === 1 && attr[0].kind === 'literal') this.assumeSettingDefault(value.cls, name, attr[0].expr);
    const later = this.settersOf(value.cls).get(name) ?? NO_ITEMS;
    if (!attr.length && !later.length) return [{ kind: 'member', of: value, name }];
    return later.length ? [...attr, ...later.flatMap((setter) => this.setterValues(setter, name, depth))] : attr;
  }

  /**
   * A field of a pydantic `BaseSettings` class read with the default the class gives it: the environment variable of
   * its name (after the class's literal `env_prefix`) would replace it, so the value is an assumption
   * (full-stack-fastapi-template's `API_V1_STR: str = "/api/v1"`).
   */
  private assumeSettingDefault(ref: ClassRef, name: string, expr: Expr): void {
    const data = literalData(expr);
    if (data === undefined || !this.externalBases(ref).some((q) => SETTINGS_BASES.includes(q))) return;
    for (const c of this.classChain(ref)) {
      const binding = pickBinding(this.bindingsNamed(c.mod, c.cls.bodyScope, name), Infinity);
      if (!binding) continue;
      this.assume({ file: c.mod.file, line: binding.line, text: unsetText(`${this.envPrefix(ref)}${name}`, data) });
      return;
    }
  }

  /** A settings class's literal `env_prefix`: pydantic 2's `model_config = SettingsConfigDict(env_prefix=...)`, 1's `class Config`. */
  private envPrefix(ref: ClassRef): string {
    for (const c of this.classChain(ref)) {
      const config = pickBinding(this.bindingsNamed(c.mod, c.cls.bodyScope, 'model_config'), Infinity);
      const value = config?.kind === 'assign' ? config.value : undefined;
      const given = value?.k === 'call' ? kwarg(value, 'env_prefix') : value?.k === 'dict' ? value.entries.find(([k]) => k.k === 'str' && k.v === 'env_prefix')?.[1] : undefined;
      const inner = c.mod.classes.find((k) => k.scope === c.cls.bodyScope && k.name === 'Config');
      const old = inner && pickBinding(this.bindingsNamed(c.mod, inner.bodyScope, 'env_prefix'), Infinity);
      const prefix = given ?? (old?.kind === 'assign' ? old.value : undefined);
      if (prefix) return prefix.k === 'str' ? prefix.v : '';
    }
    return '';
  }

  /** A class attribute (own or inherited from a project base), as the values assigned to it. */
  classAttribute(ref: ClassRef, name: string, depth = 0): Value[] | undefined {
    for (const cls of this.classChain(ref)) {
      const binding = pickBinding(this.bindingsNamed(cls.mod, cls.cls.bodyScope, name), Infinity);
      if (binding) return this.fromBinding(binding, { mod: cls.mod, scope: cls.cls.bodyScope, line: Infinity }, depth + 1);
    }
    return undefined;
  }

  /**
   * A `@property` (or `@cached_property`) read on an instance, never the getter itself: what a getter that builds a text
   * returns, `self` the instance, when that is a text or a number (`node_path`: `self.url_prefix + self.node_type`);
   * else the attribute, unread, where it is read (the report names the line that reads it, not one inside the getter).
   */
  private propertyValue(instance: Extract<Value, { kind: 'instance' }>, getter: FunctionRef, depth: number): Value[] {
    const unread: Value[] = [{ kind: 'member', of: instance, name: getter.fn.name }];
    if (!buildsText(getter.fn)) return unread;
    const { call, ctx } = instance.site;
    const read: CallExpr = { k: 'call', fn: { k: 'attr', obj: call, name: getter.fn.name, loc: call.loc }, args: [], kwargs: [], splat: false, loc: call.loc };
    const { value, assumed } = this.captured(() => this.callResult({ kind: 'function', ref: getter }, read, ctx, depth + 1, true));
    const text = (v: Value): string | undefined => (v.kind === 'literal' ? this.stringValue(v.expr, v.ctx) : v.kind === 'result' ? this.stringValue(v.call, v.ctx) : undefined);
    const scalar = (v: Value): boolean => (v.kind === 'literal' && LITERALS.has(v.expr.k)) || text(v) !== undefined;
    if (!value.length || !value.every(scalar)) return unread;
    this.replay(assumed);
    return value;
  }

  /**
   * `self.NAME = value` in the class's `__init__`, or in a base's it calls with `super().__init__(...)`, read with
   * `self` standing for this instance and the other parameters for what its construction (and each `super()` call)
   * gave them (`Service(app)` sets `self.app = app`).
   */
  private initAttribute(instance: Extract<Value, { kind: 'instance' }>, name: string, depth: number): Value[] | undefined {
    const self = { expr: instance.site.call, ctx: instance.site.ctx };
    let init = instance.cls && this.methodOf(instance.cls, '__init__');
    let [call, ctx] = [instance.site.call, instance.site.ctx];
    for (let level = 0; init && level < MAX_INIT_LEVELS; level++) {
      const body = init.fn.bodyScope;
      const env = new Map(this.callEnv(init.fn, call, ctx)).set('self', self);
      INIT_OWNERS.set(env, instance.site.key);
      const set = init.mod.calls.find(({ scope, call: { fn, args } }) => scope === body && fn.k === 'attr' && fn.name === '__setattr__' && fn.obj.k === 'name' && fn.obj.id === 'self' && args[0]?.k === 'str' && args[0].v === name);
      if (set?.call.args[1]) return this.resolve(set.call.args[1], { mod: init.mod, scope: body, line: lineOf(set.call.loc), env }, depth + 1);
      const passing = init.mod.calls.find((c) => c.scope === body && isBaseInit(c.call))?.call;
      if (!passing) return undefined;
      [call, ctx] = [passing, { mod: init.mod, scope: body, line: lineOf(passing.loc), env }];
      // `Base.__init__(self, ...)` names the class whose `__init__` runs; `super().__init__(...)` the next base's.
      const [base] = explicitBaseInit(passing) ? this.resolve(passing.fn, ctx, depth + 1) : (this.superMethod('__init__', ctx) ?? []);
      init = base?.kind === 'function' ? base.ref : undefined;
    }
    return undefined;
  }

  /** The class followed by its project bases (depth-first, as Python's MRO does for simple hierarchies). */
  classChain(ref: ClassRef): ClassRef[] {
    // Once per class (what its bases resolve to does not change); a base read through the class itself stops there.
    return this.remember(this.chainCache, ref.cls, () => this.uncachedClassChain(ref), () => [ref]);
  }

  private uncachedClassChain(ref: ClassRef): ClassRef[] {
    const chain: ClassRef[] = [];
    const visit = (r: ClassRef, depth: number): void => {
      if (depth > 12 || chain.some((c) => c.cls === r.cls)) return;
      chain.push(r);
      // Bases are evaluated before the class name is bound (`class UpdateView(UpdateView)`).
      for (const base of r.cls.bases) {
        for (const v of this.resolve(base, { mod: r.mod, scope: r.cls.scope, line: lineOf(r.cls.loc) - 1 }, depth + 1)) {
          if (v.kind === 'class') visit(v.ref, depth + 1);
        }
      }
    };
    visit(ref, 0);
    return chain;
  }

  /**
   * What the methods of a class and its project bases other than `__init__` assign to `self.<name>`, by name, for
   * the methods some call names (`limiter.set_limit(config.rate)`): an attribute read may see them.
   */
  private settersOf(ref: ClassRef): Map<string, Setter[]> {
    let setters = this.setterCache.get(ref.cls);
    if (setters) return setters;
    setters = new Map();
    for (const c of this.classChain(ref)) {
      for (const fn of c.mod.functions) {
        if (fn.scope !== c.cls.bodyScope || fn.name === '__init__' || !fn.params.length || !this.callSites(fn.name).length) continue;
        const self = `${fn.params[0].name}.`;
        for (const b of c.mod.bindings[fn.bodyScope] ?? []) {
          if (b.kind === 'assign' && b.name.startsWith(self) && !b.name.includes('.', self.length)) addTo(setters, b.name.slice(self.length), { mod: c.mod, scope: fn.bodyScope, binding: b });
        }
      }
    }
    this.setterCache.set(ref.cls, setters);
    return setters;
  }

  /** What a setter assigns, once per setter (a read of the attribute inside it, `self.count = self.count + 1`, is unknown). */
  private setterValues({ mod, scope, binding }: Setter, name: string, depth: number): Value[] {
    const key = [this.idOf(mod), scope, binding.line, name].join('\0');
    const inProgress = (): Value[] => [{ kind: 'unknown', why: `\`${name}\` is set from itself` }];
    return this.remember(this.setterValueCache, key, () => this.fromBinding(binding, { mod, scope, line: binding.line }, depth), inProgress, depth);
  }

  /**
   * The call that gives the library class an object is made of its arguments: the construction, or the
   * `super().__init__(...)` (or `Base.__init__(self, ...)`) its project subclasses' `__init__`s pass it on with, each to
   * the next, read with each `__init__`'s parameters bound (pgAdmin's Blueprint subclass:
   * `kwargs.setdefault("url_prefix", "/" + name)`, then `super().__init__(name, import_name, **kwargs)`). None when a
   * project `__init__` never passes it on: the library class's own never runs.
   */
  libraryConstruction(made: Extract<Value, { kind: 'instance' }>): { call: CallExpr; ctx: Ctx } | undefined {
    const self = { expr: made.site.call, ctx: made.site.ctx };
    let [call, ctx, cls] = [made.site.call, made.site.ctx, made.cls];
    for (let level = 0; level < MAX_INIT_LEVELS; level++) {
      const init = cls && this.methodOf(cls, '__init__');
      // `Base.__init__(self, ...)` passes `self` first: the library class's arguments are the ones after it.
      if (!cls || !init) return { call: explicitBaseInit(call) ? { ...call, args: call.args.slice(1) } : call, ctx };
      const passing = init.mod.calls.find((c) => c.scope === init.fn.bodyScope && isBaseInit(c.call))?.call;
      if (!passing) return undefined;
      const owner = this.classChain(cls).find((c) => c.mod === init.mod && c.cls.bodyScope === init.fn.scope);
      ctx = { mod: init.mod, scope: init.fn.bodyScope, line: lineOf(passing.loc), env: new Map(this.callEnv(init.fn, call, ctx)).set('self', self) };
      call = passing;
      cls = owner && this.classChain(owner)[1];
    }
    return undefined;
  }

  /** A keyword argument of the library class an object is made of, as its construction gives it (see libraryConstruction). */
  constructionKeyword(made: Extract<Value, { kind: 'instance' }>, name: string): { expr: Expr; ctx: Ctx } | undefined {
    const passed = this.libraryConstruction(made);
    // A parameter passed on as it came (`prefix=prefix`) stands for the argument as the construction writes it (not for
    // its default, which stands in the `def`).
    let found = passed && this.keywordArgument(passed.call, name, passed.ctx);
    for (let hops = 0; found?.expr.k === 'name' && hops < MAX_DEPTH; hops++) {
      const given = found.ctx.env?.get(found.expr.id);
      if (!given || DEFAULTS_BOUND.has(given)) break;
      found = given;
    }
    return found;
  }

  /**
   * An attribute of a settings object (see SettingsObject), where both dicts can be read. Given no settings, or
   * empty ones, DRF reads `settings.REST_FRAMEWORK` instead: not modelled, so unknown.
   */
  private settingsEntry(made: Extract<Value, { kind: 'instance' }>, name: string): { expr: Expr; ctx: Ctx } | undefined {
    const object = this.modelled.settingsObjects?.find((o) => Project.isInstance(made, o.owners));
    const { call, ctx } = made.site;
    const given = object && argument(call, 0, 'user_settings');
    const [dict, ...others] = given ? this.resolve(given, ctx) : [];
    if (!object || !given || others.length || dict?.kind !== 'literal' || dict.expr.k !== 'dict' || !(dict.expr.entries.length || dict.expr.spreads?.length)) return undefined;
    const entry = this.dictEntry(given, name, ctx);
    if (entry !== undefined) return entry === 'unread' ? undefined : entry;
    const defaults = argument(call, 1, 'defaults');
    const library = !defaults || defaults.k === 'none' || this.resolve(defaults, ctx).some((v) => v.kind === 'external' && v.qname === object.libraryDefaults);
    if (library) {
      const data = object.defaults.has(name) ? dataExpr(object.defaults.get(name)!, call.loc) : undefined;
      // A list or dict is placed at the construction too, not at the line before it.
      return data && { expr: data.k === 'seq' || data.k === 'dict' ? { ...data, loc: call.loc } : data, ctx };
    }
    const own = this.dictEntry(defaults, name, ctx);
    return own === 'unread' ? undefined : own;
  }

  /**
   * The method `self.name(...)` calls in a method of a class: the class's own or a project base's, as Python finds
   * it on the class (a subclass may override it). Reading `self` instead follows every caller of the method.
   */
  ownMethod(owner: FunctionRef, callee: Expr): FunctionRef | undefined {
    if (callee.k !== 'attr' || callee.obj.k !== 'name' || callee.obj.id !== owner.fn.params[0]?.name) return undefined;
    const cls = definingClass(owner.mod, owner.fn);
    return cls && this.methodOf({ mod: owner.mod, cls }, callee.name);
  }

  /** The method `name` as Python finds it: defined by the class or the nearest project base that has it. */
  methodOf(ref: ClassRef, name: string): FunctionRef | undefined {
    for (const c of this.classChain(ref)) {
      const fn = functionDefinedIn(c.mod, c.cls.bodyScope, name);
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
        for (const v of this.resolve(base, { mod: r.mod, scope: r.cls.scope, line: lineOf(r.cls.loc) - 1 })) {
          if (v.kind === 'external') names.push(v.qname);
        }
      }
    }
    return names;
  }

  private callResult(callee: Value, call: CallExpr, ctx: Ctx, depth: number, only: boolean): Value[] {
    const site = (): Site => ({ key: siteKey(call, ctx), call, ctx });
    switch (callee.kind) {
      case 'external': {
        // `cast(str | None, value)` is `value`; `app = cors(app, ...)` is the app.
        const handedBack = call.args[RETURNS_ARGUMENT[callee.qname] ?? -1];
        if (handedBack) return this.resolve(handedBack, ctx, depth + 1);
        if (IMPORTERS.includes(callee.qname) && call.args[0]) return this.imported(call.args[0], ctx, depth);
        if (callee.qname === 'importlib.import_module' && call.args[0]) return this.importedModule(call.args[0], ctx);
        return (CONFIG_LOADERS[callee.qname] && this.loadedConfig(call, ctx)) || [{ kind: 'instance', types: [callee.qname], site: site() }];
      }
      case 'class': {
        const own = `${callee.ref.mod.module}.${callee.ref.cls.qualname}`;
        return [{ kind: 'instance', types: [own, ...this.externalBases(callee.ref)], site: site(), cls: callee.ref }];
      }
      case 'function': {
        const { mod, fn } = callee.ref;
        if (!fn.returns.length) return [{ kind: 'unknown', why: `\`${fn.qualname}\` returns nothing visible` }];
        // Of several returns, those the profile may reach for this call (`if not ENABLED: return []`), else each. A
        // scalar it computes is the value; a list is read as written, item by item.
        this.replay(this.decidedNames.get(`${mod.file}\0${fn.bodyScope}\0return`) ?? NO_ITEMS);
        const reached = only && fn.returns.length > 1 ? this.returnsReached?.(callee.ref, call, ctx) : undefined;
        const known = reached?.value;
        if (known !== undefined && !Array.isArray(known)) return [{ kind: 'literal', expr: dataExpr(known, call.loc), ctx }];
        const caller = this.followedBody(ctx);
        if (this.calledBy(fn, caller)) return [];
        const inner: Ctx = { mod, scope: fn.bodyScope, line: Infinity, env: this.sharedCallEnv(fn, call, ctx) };
        this.following.push({ ref: callee.ref, caller });
        try {
          const returns = reached?.returns.length ? reached.returns : fn.returns.map((expr) => ({ expr, ctx: inner }));
          return returns.flatMap((r) => this.resolve(r.expr, r.ctx, depth + 1));
        } finally {
          this.following.pop();
        }
      }
      case 'unknown':
        return [callee];
      case 'member': {
        // `{"path": "/x"}.get("path", "/y")` on a dict literal: the entry, else the default.
        const { of } = callee;
        const factory = this.modelled.factories?.find((f) => f.method === callee.name && Project.isInstance(of, [f.owner]));
        if (factory) return [{ kind: 'instance', types: [factory.makes], site: site() }];
        const key = call.args[0];
        // `parser.get("limits", "login", fallback="5/minute")` of a parser that read an INI file.
        if (callee.name === 'get' && Project.isInstance(of, INI_PARSERS) && call.args.length >= 2) {
          const section = this.item(of, call.args[0], ctx, depth);
          const found = section.length === 1 ? this.item(section[0], call.args[1], ctx, depth) : [];
          const fallback = kwarg(call, 'fallback');
          if (found.some((v) => v.kind !== 'unknown') || !fallback) return found.length ? found : [{ kind: 'unknown', why: 'the INI file is not read' }];
          this.assumeDefault(this.stringValue(call.args[1], ctx), this.stringValue(fallback, ctx) ?? null, call, ctx);
          return this.resolve(fallback, ctx, depth + 1);
        }
        if (callee.name === 'get' && of.kind === 'literal' && of.expr.k === 'dict' && key?.k === 'str') {
          const entry = of.expr.entries.find(([k]) => k.k === 'str' && k.v === key.v);
          if (entry) return this.resolve(entry[1], of.ctx, depth + 1);
          if (!of.expr.spreads) return call.args[1] ? this.resolve(call.args[1], ctx, depth + 1) : [{ kind: 'literal', expr: { k: 'none' }, ctx }];
        }
        return [{ kind: 'result', callee, call, ctx }];
      }
      default:
        return [{ kind: 'result', callee, call, ctx }];
    }
  }

  /**
   * `import_string("organizations.views.TokensView")` (Django's, Werkzeug's): the object that dotted path names, as an
   * import of it would give (opencve picks a view class by a setting that way).
   */
  private imported(path: Expr, ctx: Ctx, depth: number): Value[] {
    const text = this.stringValue(path, ctx);
    if (text === undefined) return [{ kind: 'unknown', why: `\`${Project.describe(path)}\`, the path \`import_string\` imports, is computed at run time` }];
    const dot = text.lastIndexOf('.');
    const mod = dot > 0 ? this.findModule(text.slice(0, dot), ctx.mod) : undefined;
    return mod ? this.attribute({ kind: 'module', mod }, text.slice(dot + 1), depth + 1) : [{ kind: 'external', qname: text }];
  }

  /**
   * `importlib.import_module(f"zou.app.blueprints.{name}")`: the module the text names (a relative name, which needs
   * `package=`, is not read).
   */
  private importedModule(path: Expr, ctx: Ctx): Value[] {
    const text = this.stringValue(path, ctx);
    if (text === undefined || text.startsWith('.')) return [{ kind: 'unknown', why: `\`${Project.describe(path)}\`, the module \`import_module\` imports, is computed at run time` }];
    const mod = this.findModule(text, ctx.mod);
    return mod ? [{ kind: 'module', mod }] : [{ kind: 'external', qname: text }];
  }

  /** The innermost function being followed whose body `ctx` is in, by its place in `following` (-1: none). */
  private followedBody(ctx: Ctx): number {
    let i = this.following.length - 1;
    while (i >= 0 && !(this.following[i].ref.mod === ctx.mod && this.following[i].ref.fn.bodyScope === ctx.scope)) i--;
    return i;
  }

  /**
   * Whether `fn` is being followed and calls, through the chain of calls ending at entry `at`, the function there:
   * a call of `fn` made there is `fn` calling itself (`left = strip(expr.left)`, `return left`), and returns what
   * its other returns give. Followed again, every level would branch anew, to the depth bound. `g(g(1))` is no
   * recursion (the inner call is in the caller's body), nor is `g(h(1))` where `h` calls `g`.
   */
  private calledBy(fn: FunctionDef, at: number): boolean {
    for (let i = at; i >= 0; i = this.following[i].caller) if (this.following[i].ref.fn === fn) return true;
    return false;
  }

  /** A `configparser` parser's data: the one INI file the code `.read()`s into it, else unknown. */
  private parsedIni(parser: Extract<Value, { kind: 'instance' }>): Value {
    return this.remember(this.iniCache, parser.site.key, () => this.readIni(parser));
  }

  private readIni(parser: Extract<Value, { kind: 'instance' }>): Value {
    const reads = this.callSites('read').filter(({ call, ctx }) => call.fn.k === 'attr' && this.resolve(call.fn.obj, ctx).some((v) => v.kind === 'instance' && v.site.key === parser.site.key));
    if (reads.length !== 1) return { kind: 'unknown', why: `the parser reads ${reads.length ? 'several files' : 'no file the code names'}` };
    return this.loadedConfig(reads[0].call, reads[0].ctx, 'filenames')?.[0] ?? { kind: 'unknown', why: 'the INI file is not static' };
  }

  /**
   * `yaml.safe_load(f)` where `f` is `open("config.yml")` (or the path itself, `toml.load("x.toml")`): the data of
   * that file in the project (config-files.ts), noted as an assumption: the deployment may ship another file.
   */
  private loadedConfig(call: CallExpr, ctx: Ctx, keyword = 'stream'): Value[] | undefined {
    const stream = argument(call, 0, keyword) ?? argument(call, 0, 'fp');
    const opened = stream?.k === 'name' ? this.definition(stream, ctx) : stream && { expr: stream, ctx };
    if (!opened) return undefined;
    const { expr } = opened;
    const named = expr.k === 'call' && expr.fn.k === 'name' && expr.fn.id === 'open' ? argument(expr, 0, 'file') : expr;
    const written = named && this.stringValue(named, opened.ctx);
    if (written === undefined) return undefined;
    const found = configCandidates(written, ctx.mod.file).map((c) => this.metadata.configFiles.get(c)).find((f) => f)?.();
    if (!found) return [{ kind: 'unknown', why: `configuration file \`${written}\` is not in the project` }];
    if ('problem' in found) return [{ kind: 'unknown', why: `configuration file ${found.file}: ${found.problem}` }];
    this.assume({ file: ctx.mod.file, line: lineOf(call.loc), text: `values read from ${found.file}, as the repository holds it` });
    return [{ kind: 'literal', expr: dataExpr(found.data, call.loc), ctx }];
  }

  /** Notes a value the analysis takes that a deployment may give otherwise (a configuration file, a default). */
  assume(assumption: Assumption): void {
    const key = assumptionKey(assumption);
    this.assumptions.set(key, assumption);
    this.note([key]);
  }

  private item(parsed: Value, index: Expr, ctx: Ctx, depth: number): Value[] {
    const container = Project.isInstance(parsed, INI_PARSERS) ? this.parsedIni(parsed) : parsed;
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
      // Keys written as names of constants (`AppEnvTypes.prod` of an Enum whose `prod = "prod"`) match by their text.
      const entry = expr.entries.find(([k]) => (k.k === 'str' ? k.v : k.k === 'name' || k.k === 'attr' ? this.stringValue(k, container.ctx) : undefined) === keyText);
      if (entry) return this.resolve(entry[1], container.ctx, depth + 1);
    }
    if (expr.k === 'seq' && key.expr.k === 'num' && expr.items[key.expr.v]) {
      return this.resolve(expr.items[key.expr.v], container.ctx, depth + 1);
    }
    return [{ kind: 'unknown', why: 'subscript not found' }];
  }

  /**
   * The items of the one list or tuple literal an expression stands for (also through names), or undefined.
   * Unlike `sequenceItems`, which unions alternatives (what may be registered), a joined text comes from one list.
   */
  private sequence(expr: Expr, ctx: Ctx, depth: number): { expr: Expr; ctx: Ctx }[] | undefined {
    if (expr.k === 'seq') return expr.items.map((e) => ({ expr: e, ctx }));
    if (expr.k === 'comp') {
      const items = this.sequence(expr.iterable, ctx, depth + 1);
      const kept = items && comprehensionItems(expr, ctx, items);
      // One list: an item whose `if` the item alone does not decide makes it one of several.
      return kept?.every((item) => item.decided) ? kept : undefined;
    }
    const values = this.resolve(expr, ctx, depth + 1);
    return values.length === 1 && values[0].kind === 'literal' && ['seq', 'comp'].includes(values[0].expr.k) ? this.sequence(values[0].expr, values[0].ctx, depth + 1) : undefined;
  }

  /**
   * A dict literal's entries by key, each `**other` spread in its place, as Python builds it: a key given again keeps
   * its first place and takes the later value. Undefined when a key is not a static string or a spread is not one
   * dict literal.
   */
  dictEntries(dict: Extract<Expr, { k: 'dict' }>, ctx: Ctx, depth = 0): { key: string; value: Expr; ctx: Ctx }[] | undefined {
    if (depth > MAX_DEPTH) return undefined;
    const merged = new Map<string, { value: Expr; ctx: Ctx }>();
    let next = 0;
    const takePairs = (upTo: number): boolean => {
      for (; next < upTo; next++) {
        const [keyExpr, value] = dict.entries[next];
        const key = this.stringValue(keyExpr, ctx);
        if (key === undefined) return false;
        merged.set(key, { value, ctx });
      }
      return true;
    };
    for (const spread of dict.spreads ?? []) {
      if (!takePairs(spread.before)) return undefined;
      const values = this.resolve(spread.expr, ctx);
      const inner = values.length === 1 && values[0].kind === 'literal' && values[0].expr.k === 'dict' ? this.dictEntries(values[0].expr, values[0].ctx, depth + 1) : undefined;
      if (!inner) return undefined;
      for (const entry of inner) merged.set(entry.key, entry);
    }
    if (!takePairs(dict.entries.length)) return undefined;
    return [...merged].map(([key, entry]) => ({ key, ...entry }));
  }

  /** Resolves an expression to a string when every path gives the same literal text. */
  stringValue(expr: Expr, ctx: Ctx): string | undefined {
    const texts = new Set(this.ownBudget(() => this.strings(expr, ctx, 0)));
    return texts.size === 1 && !texts.has(undefined) ? [...texts][0] : undefined;
  }

  /**
   * A text as far as it is static, to show where it is not: the one text it has, or for an f-string or `+` (written
   * there, or the one value a name holds) its parts, each part with no one text shown as `{?}` (`f"{prefix}/add"` →
   * `{?}/add`). Undefined when no part of it is static.
   */
  shownText(expr: Expr, ctx: Ctx): string | undefined {
    const shown = this.ownBudget(() => this.partsShown(expr, ctx, false, 0));
    return shown.split(UNKNOWN_PART).join('') ? shown : undefined;
  }

  private partsShown(expr: Expr, ctx: Ctx, formatting: boolean, depth: number): string {
    const texts = new Set(this.strings(expr, ctx, depth, formatting));
    if (texts.size === 1 && !texts.has(undefined)) return [...texts][0]!;
    const [value, ...others] = expr.k === 'fstr' || expr.k === 'concat' ? [{ kind: 'literal' as const, expr, ctx }] : this.resolve(expr, ctx, depth + 1);
    if (others.length || value?.kind !== 'literal' || (value.expr.k !== 'fstr' && value.expr.k !== 'concat') || depth > MAX_SHOWN_DEPTH) return UNKNOWN_PART;
    const built = value.expr;
    return built.parts.map((part) => this.partsShown(part, value.ctx, built.k === 'fstr', depth + 1)).join('');
  }

  /** The texts an expression may have; `formatting` (inside an f-string or `format`) renders numbers as `str()` does. */
  /**
   * Each text the expression may stand for where it is read: once per place (and environment), as lookups are
   * (`p = p.strip()` after each of a dozen `if`s reaches every text through every path to it otherwise).
   */
  private strings(expr: Expr, ctx: Ctx, depth: number, formatting = false): (string | undefined)[] {
    if (depth > MAX_DEPTH) {
      this.cutShort();
      return [undefined];
    }
    if (expr.k === 'str') return [expr.v];
    const byExpr = this.readMemos(ctx).strings;
    let memo = byExpr.get(expr);
    if (!memo) byExpr.set(expr, (memo = new Map()));
    const key = [this.idOf(ctx.mod), ctx.scope, ctx.line, formatting ? 1 : 0].join('\0');
    return this.remember(memo, key, () => this.uncachedStrings(expr, ctx, depth, formatting), () => [undefined], depth);
  }

  private uncachedStrings(expr: Expr, ctx: Ctx, depth: number, formatting: boolean): (string | undefined)[] {
    if (formatting && (expr.k === 'num' || expr.k === 'bool')) return [expr.k === 'bool' ? (expr.v ? 'True' : 'False') : String(expr.v)];
    if (expr.k === 'concat' || expr.k === 'fstr') {
      let results: (string | undefined)[] = [''];
      for (const part of expr.parts) {
        const options = this.strings(part, ctx, depth + 1, expr.k === 'fstr');
        results = results.flatMap((r) => options.map((o) => (r === undefined || o === undefined ? undefined : r + o)));
        if (results.length > MAX_VALUES) return [undefined];
      }
      return results;
    }
    const slice = expr.k === 'subscript' && expr.index.k === 'call' && expr.index.fn.k === 'name' && expr.index.fn.id === '__slice__' ? expr.index.args : undefined;
    if (expr.k === 'subscript' && slice) {
      // `text[1:]`, `text[:-1]`: literal bounds only
      const bound = (e: Expr): number | null | undefined => (e.k === 'none' ? null : e.k === 'num' && Number.isInteger(e.v) ? e.v : undefined);
      const [start, stop] = slice.map(bound);
      if (start === undefined || stop === undefined) return [undefined];
      return this.strings(expr.obj, ctx, depth + 1, formatting).map((t) => (t === undefined ? undefined : t.slice(start ?? 0, stop ?? undefined)));
    }
    // `Method.POST.value` and `.name` of an enum's member: the text the member is assigned, and its name.
    const member = expr.k === 'attr' && (expr.name === 'value' || expr.name === 'name') && expr.obj.k === 'attr' ? { read: expr.name, of: expr.obj } : undefined;
    if (member && this.isEnum(member.of.obj, ctx, depth)) return member.read === 'name' ? [member.of.name] : this.strings(member.of, ctx, depth + 1, formatting);
    const texts = this.resolve(expr, ctx, depth + 1).flatMap((v) => {
      if (v.kind === 'literal' && v.expr !== expr) return this.strings(v.expr, v.ctx, depth + 1, formatting);
      if (v.kind === 'result') return this.formatted(v.call, v.ctx, depth) ?? this.defaulted(v.callee, v.call, v.ctx, depth);
      if (v.kind === 'instance' && v.types[0] === 're.escape') return this.escaped(v.site.call, v.site.ctx, depth);
      if (v.kind === 'instance' && PATH_FUNCTIONS[v.types[0]]) return this.pathTexts(v.site.call, v.site.ctx, depth).map((t) => (t?.includes(CHECKOUT) ? undefined : t));
      const fromDotenv = v.kind === 'instance' && ENVIRONMENT_READS[v.types[0]] ? this.dotenvValue(v.site.call, v.site.ctx, readsDotenvItself(v)) : undefined;
      if (fromDotenv !== undefined) return [fromDotenv];
      const fallback = v.kind === 'instance' ? defaultOf(v.types[0], v.site.call) : undefined;
      const variable = v.kind === 'instance' ? (v.types[0] === 'pydantic.Field' ? this.fieldName(v.site) : configurationVariable(v.site.call)) : undefined;
      if (fallback && v.kind === 'instance') return this.defaultTexts(v.site.call, fallback, v.site.ctx, depth, formatting, variable);
      return [undefined];
    });
    // Alternatives multiply through a chain of branches: past a few dozen, the text is no one static string anyway.
    const distinct = [...new Set(texts)];
    return distinct.length > MAX_VALUES ? [undefined] : distinct;
  }

  /** The paths an `os.path` call builds (see PATH_FUNCTIONS), through the names bound to such calls and `__file__`, the module's own path. */
  private pathTexts(call: CallExpr, ctx: Ctx, depth: number): (string | undefined)[] {
    const [callee, ...others] = this.resolve(call.fn, ctx, depth + 1);
    const apply = !others.length && callee?.kind === 'external' && !call.kwargs.length && !call.splat ? PATH_FUNCTIONS[callee.qname] : undefined;
    if (!apply || !call.args.length) return [undefined];
    let combinations: (string[] | undefined)[] = [[]];
    for (const arg of call.args) {
      const options = this.pathArgument(arg, ctx, depth + 1);
      combinations = combinations.flatMap((c) => options.map((o) => (c === undefined || o === undefined ? undefined : [...c, o])));
      if (combinations.length > MAX_VALUES) return [undefined];
    }
    return combinations.map((parts) => parts && apply(parts));
  }

  private pathArgument(expr: Expr, ctx: Ctx, depth: number): (string | undefined)[] {
    if (depth > MAX_DEPTH) return [undefined];
    if (expr.k === 'name' && expr.id === '__file__') return [`${CHECKOUT}/${ctx.mod.file}`];
    if (expr.k !== 'name' && expr.k !== 'call') return this.strings(expr, ctx, depth + 1);
    return this.resolve(expr, ctx, depth + 1).flatMap((v) => {
      if (v.kind === 'instance' && PATH_FUNCTIONS[v.types[0]]) return this.pathTexts(v.site.call, v.site.ctx, depth + 1);
      return v.kind === 'literal' && v.expr !== expr ? this.pathArgument(v.expr, v.ctx, depth + 1) : this.strings(expr, ctx, depth + 1);
    });
  }

  /** True when every value of `expr` is an enum class: the project's (deriving from `enum.Enum`) or the standard library's. */
  private isEnum(expr: Expr, ctx: Ctx, depth: number): boolean {
    const values = this.resolve(expr, ctx, depth + 1);
    return values.length > 0 && values.every((v) => (v.kind === 'class' ? this.externalBases(v.ref).some((q) => ENUM_CLASSES.includes(q)) : v.kind === 'external' && STANDARD_TEXT_ENUMS.has(v.qname)));
  }

  /** `"{}.urls".format(name)`, `"%s.urls" % name`, `"|".join(names)` and `prefix.rstrip("/")` with parts of one known text each. */
  private formatted(call: CallExpr, ctx: Ctx, depth: number): (string | undefined)[] | undefined {
    if (call.fn.k !== 'attr') return undefined;
    const method = call.fn.name;
    const one = (e: Expr, at = ctx): string | undefined => {
      const texts = new Set(this.strings(e, at, depth + 1, true));
      return texts.size === 1 ? [...texts][0] : undefined;
    };
    const apply = STRING_METHODS[method];
    if (apply) {
      // `prefix.rstrip("/")`: the method on each text, with literal arguments only.
      const args = call.args.map((a) => one(a));
      return this.strings(call.fn.obj, ctx, depth + 1).map((t) => {
        const out = t === undefined || args.includes(undefined) ? undefined : apply(t, args as string[]);
        return typeof out === 'string' ? out : undefined;
      });
    }
    if (!['format', '__mod__', 'join'].includes(method)) return undefined;
    if (method === 'join') {
      const separator = one(call.fn.obj);
      const items = call.args[0] && this.sequence(call.args[0], ctx, depth);
      const texts = items?.map((item) => one(item.expr, item.ctx));
      return [separator === undefined || !texts || texts.includes(undefined) ? undefined : texts.join(separator)];
    }
    const operand = call.args[0];
    const positional = method === '__mod__' && operand?.k === 'seq' ? operand.items : call.args;
    const values = positional.map((e) => one(e));
    // `.format(**pattern_opts)` with a dict literal: its string keys, then the keywords written out.
    const options = call.kwstar ? this.resolve(call.kwstar, ctx, depth + 1) : [];
    const named = new Map<string, string | undefined>();
    for (const option of options.length === 1 ? options : []) {
      if (option.kind !== 'literal' || option.expr.k !== 'dict') continue;
      for (const [k, e] of option.expr.entries) if (k.k === 'str') named.set(k.v, one(e, option.ctx));
    }
    for (const [k, e] of call.kwargs) named.set(k, one(e));
    return this.strings(call.fn.obj, ctx, depth + 1).map((template) => (template === undefined ? undefined : method === '__mod__' ? percentFormat(template, values) : braceFormat(template, values, named)));
  }

  /** `re.escape(text)` as Python 3.7+ escapes: a backslash before each character special in a pattern. */
  private escaped(call: CallExpr, ctx: Ctx, depth: number): (string | undefined)[] {
    if (!call.args[0]) return [undefined];
    return this.strings(call.args[0], ctx, depth + 1).map((t) => t?.replace(/[()[\]{}?*+\-|^$\\.&~# \t\n\r\v\f]/g, '\\$&'));
  }

  /** A read with a fallback (`env("ADMIN_URL", default="admin/")` of django-environ): the fallback. */
  private defaulted(callee: Value, call: CallExpr, ctx: Ctx, depth: number): (string | undefined)[] {
    const reader = readerOf(callee);
    const fromEnvironment = envDefault(callee, call);
    // `self.get("ADMIN_PATH", "/admin")` on a project dict subclass filled at run time: the default the code gives.
    const fromDict = callee.kind === 'member' && callee.name === 'get' && reader.kind === 'instance' && reader.cls && this.isDictClass(reader.cls) ? argument(call, 1, 'default') : undefined;
    const fallback = fromEnvironment ?? fromDict;
    const fromDotenv = fromEnvironment ? this.dotenvValue(call, ctx, readsDotenvItself(callee)) : undefined;
    if (fromDotenv !== undefined) return [fromDotenv];
    return fallback ? this.defaultTexts(call, fallback, ctx, depth) : [undefined];
  }

  /**
   * What `.env` (at the project root or one folder down) sets for the variable a read names, when the code loads
   * it: python-decouple always does (`readsItself`), as does a Starlette `Config(".env")`; `os.getenv`/`os.environ.get`,
   * django-environ and a Starlette `Config()` without a file only after python-dotenv's `load_dotenv()` or
   * `Env.read_env()`. Every `.env` must agree. Noted as an assumption at the `.env` line.
   */
  dotenvValue(call: CallExpr, ctx: Ctx, readsItself: boolean): string | undefined {
    const name = call.args[0] && this.stringValue(call.args[0], ctx);
    const settings = name === undefined ? undefined : this.metadata.dotenv.get(name);
    if (!settings?.length || new Set(settings.map((s) => s.value)).size !== 1 || (!readsItself && !this.loadsDotenv())) return undefined;
    this.assume({ file: settings[0].file, line: settings[0].line, text: `${name} read from ${settings[0].file}, as the repository holds it` });
    return settings[0].value;
  }

  private loadsDotenv(): boolean {
    this.dotenvLoaded ??= ['load_dotenv', 'read_env'].some((name) =>
      this.callSites(name).some(({ call, ctx }) => this.resolve(call.fn, ctx).some((v) => (v.kind === 'external' && DOTENV_LOADERS.includes(v.qname)) || (v.kind === 'member' && v.name === 'read_env' && Project.isInstance(v.of, ENV_READERS)))),
    );
    return this.dotenvLoaded;
  }

  /**
   * What a read of the environment through an Env object gives when the deployment does not set the variable:
   * the code's default, one literal (`env.list("DEFAULT_THROTTLE_CLASSES", default=[])`), noted as an assumption;
   * undefined for anything else, and when a `.env` the code loads sets the variable.
   */
  environmentDefault(value: Value): { expr: Expr; ctx: Ctx } | undefined {
    // A read through an Env object, or a call of a reading function (environs' own `env.list("X", default=[])`).
    const read =
      value.kind === 'result'
        ? { call: value.call, ctx: value.ctx, fallback: envDefault(value.callee, value.call), readsItself: readsDotenvItself(value.callee) }
        : value.kind === 'instance' && ENVIRONMENT_READS[value.types[0]]
          ? { call: value.site.call, ctx: value.site.ctx, fallback: defaultOf(value.types[0], value.site.call), readsItself: readsDotenvItself(value) }
          : undefined;
    if (!read) return undefined;
    const { call, ctx, fallback } = read;
    const values = fallback && this.dotenvValue(call, ctx, read.readsItself) === undefined ? this.resolve(fallback, ctx) : [];
    const [only] = values;
    const data = values.length === 1 && only.kind === 'literal' ? literalData(only.expr) : undefined;
    if (data === undefined || only.kind !== 'literal') return undefined;
    this.assumeDefault(call.args[0] && this.stringValue(call.args[0], ctx), data, call, ctx);
    return only;
  }

  /** The texts of a read's default (`os.environ.get("X", "/v1")`), noted as an assumption: the deployment may set X. */
  private defaultTexts(call: CallExpr, fallback: Expr, ctx: Ctx, depth: number, formatting = false, what?: string): (string | undefined)[] {
    const texts = this.strings(fallback, ctx, depth + 1, formatting);
    const name = what ?? (call.args[0] && this.stringValue(call.args[0], ctx));
    if (texts.length === 1 && texts[0] !== undefined) this.assumeDefault(name, texts[0], call, ctx);
    return texts;
  }

  /** `per` of `per: int = Field(default=200)` in a settings class: the setting the environment may give. */
  private fieldName(site: Site): string {
    const field = (site.ctx.mod.bindings[site.ctx.scope] ?? []).find((b) => b.kind === 'assign' && b.value === site.call);
    return field ? `setting \`${field.name}\`` : 'a pydantic field';
  }

  /** `X` read from the environment or a settings object with a default in the code: the deployment may set it. */
  assumeDefault(name: string | undefined, value: PyValue, call: CallExpr, ctx: Ctx): void {
    this.assume({ file: ctx.mod.file, line: lineOf(call.loc), text: unsetText(name ?? 'a setting', value) });
  }

  /** A project class deriving from the builtin `dict` (or `OrderedDict`, `UserDict`), directly or through its bases. */
  private isDictClass(ref: ClassRef): boolean {
    return this.classChain(ref).some((c) => c.cls.bases.some((b) => DICT_BASES.includes(dottedName(b)?.split('.').pop() ?? '')));
  }

  /** True when some value is an object created by one of `qnames` (directly or via a project subclass). */
  static isInstance(value: Value, qnames: readonly string[]): value is Extract<Value, { kind: 'instance' }> {
    return value.kind === 'instance' && value.types.some((t) => qnames.includes(t));
  }

  static describe(expr: Expr): string {
    if (expr.k === 'other' && expr.text.length <= 60 && !expr.text.includes('\n')) return expr.text;
    // A dotted path given as text (`"lasuite.drf.throttling.MonitoredScopedRateThrottle"`) names what it stands for.
    if (expr.k === 'str' && expr.v.length <= 80 && !expr.v.includes('\n')) return JSON.stringify(expr.v);
    if (isOperatorCall(expr)) return pythonText(expr);
    const built = expr.k === 'fstr' || expr.k === 'concat' ? pythonText(expr) : undefined;
    if (built) return built.length <= 80 && !built.includes('\n') ? built : expr.k === 'fstr' ? 'f-string' : 'concatenation';
    return dottedName(expr) ?? (expr.k === 'call' ? `${dottedName(expr.fn) ?? '…'}(…)` : expr.k);
  }
}

// django-configurations' values (`values.Value("150/minute", environ_name="RATE", environ_prefix=None)`): one naming
// its variable is read as it is made, its default where the environment does not set it (see configurationVariable).
const CONFIGURATION_VALUES = ['Value', 'BooleanValue', 'IntegerValue', 'FloatValue', 'DecimalValue', 'ListValue', 'TupleValue', 'SetValue', 'DictValue', 'EmailValue', 'URLValue', 'IPValue', 'RegexValue'].map((name) => `configurations.values.${name}`);

// environs' typed getters (`env.bool("X", False)`), each taking the default second.
const ENVIRONS_GETTERS = ['str', 'bool', 'int', 'float', 'decimal', 'list', 'dict', 'json', 'datetime', 'date', 'time', 'timedelta', 'path', 'log_level', 'uuid', 'url', 'enum'];

/**
 * Settings read from the environment with a literal fallback (`os.getenv("API_PREFIX", "/api")`,
 * pydantic `Field("/api")`): in string contexts (paths, rates) the fallback is the value we report.
 */
/** Reads of an environment variable: where the call gives the variable's default. Also read by python/profile.ts. */
export const ENVIRONMENT_READS = lookupTable<[position: number, keyword: string]>({
  'os.getenv': [1, 'default'],
  'os.environ.get': [1, 'default'],
  'decouple.config': [1, 'default'],
  // environs' own `Env()` (`from environs import env`, as hypha reads its settings), called or through a typed getter.
  ...Object.fromEntries(['', ...ENVIRONS_GETTERS.map((g) => `.${g}`)].map((getter) => [`environs.env${getter}`, [1, 'default']])),
});
const DEFAULTED_READS = lookupTable<[position: number, keyword: string]>({ ...ENVIRONMENT_READS, 'pydantic.Field': [0, 'default'] });

const DICT_BASES = ['dict', 'OrderedDict', 'UserDict'];
// pydantic's settings classes (v2's pydantic-settings, v1's own), whose fields the environment sets.
const SETTINGS_BASES = ['pydantic_settings.BaseSettings', 'pydantic_settings.main.BaseSettings', 'pydantic.BaseSettings', 'pydantic.env_settings.BaseSettings', 'pydantic.v1.BaseSettings'];

// Objects whose calls and typed getters (`env.str(...)`) read the environment with a `default=`: django-environ's,
// environs' and Starlette's `Config`. environs takes the default second too (`env("RATE", "20/min")`, `env.list("X",
// [])`), Starlette third (`config("DEBUG", bool, "false")`); django-environ's own call takes `cast` second, and so do
// its `list`, `tuple` and `dict`.
const STARLETTE_CONFIG = 'starlette.config.Config';
const ENV_READERS = ['environ.Env', 'environ.environ.Env', 'environs.Env', STARLETTE_CONFIG];
const DEFAULT_POSITION = lookupTable<number>({ 'environs.Env': 1, [STARLETTE_CONFIG]: 2 });
// Calls that put `.env` into the environment.
const DOTENV_LOADERS = ['dotenv.load_dotenv', 'dotenv.main.load_dotenv', 'environ.Env.read_env', 'environ.environ.Env.read_env', 'environs.env.read_env'];
// Parsers that interpolate `%(name)s` as config-files.ts does; `RawConfigParser` does not, and stays unread.
const INI_PARSERS = ['configparser.ConfigParser', 'configparser.SafeConfigParser'];

/** Python's `%` with `%s`/`%d`/`%r` conversions; undefined when an argument or a conversion is unknown. */
function percentFormat(template: string, values: (string | undefined)[]): string | undefined {
  let i = 0;
  let ok = true;
  const out = template.replace(/%(%|[sdri])/g, (_, c: string) => {
    if (c === '%') return '%';
    const v = values[i++];
    if (v === undefined) ok = false;
    return v ?? '';
  });
  return ok && i === values.length ? out : undefined;
}

/** `str.format` with `{}`, `{0}` and `{name}` fields (no format specs); undefined when a field is unknown. */
function braceFormat(template: string, values: (string | undefined)[], named: Map<string, string | undefined>): string | undefined {
  let next = 0;
  let ok = true;
  const out = template.replace(/\{\{|\}\}|\{(\w*)\}/g, (whole, field?: string) => {
    if (whole === '{{') return '{';
    if (whole === '}}') return '}';
    const v = field === '' ? values[next++] : /^\d+$/.test(field!) ? values[Number(field)] : named.get(field!);
    if (v === undefined) ok = false;
    return v ?? '';
  });
  return ok ? out : undefined;
}

/** The object a read calls: `env` of `env.bool("X")`, or the callee itself (`env("X")`). */
function readerOf(callee: Value): Value {
  return callee.kind === 'member' ? callee.of : callee;
}

/** A call of an Env object or of one of its methods (`env("X")`, `env.bool("X")`): django-environ's, environs' and Starlette's. */
export function readsEnvironmentObject(callee: Value): boolean {
  return Project.isInstance(readerOf(callee), ENV_READERS);
}

/** The default a read of the environment through an Env object gives in the code (`env.list("X", default=[])`). */
function envDefault(callee: Value, call: CallExpr): Expr | undefined {
  if (!readsEnvironmentObject(callee)) return undefined;
  const reader = readerOf(callee);
  const position = reader.kind === 'instance' ? reader.types.map((t) => DEFAULT_POSITION[t]).find((p) => p !== undefined) : undefined;
  return kwarg(call, 'default') ?? (position !== undefined ? call.args[position] : schemeDefault(reader, call));
}

/**
 * Whether a read loads `.env` itself: python-decouple's `config(...)` (the read is its result), a Starlette `Config`
 * given a file (`Config(".env")`, `Config(env_file=...)`, or its `get`).
 */
function readsDotenvItself(read: Value): boolean {
  if (read.kind === 'instance' && read.types[0] === 'decouple.config') return true;
  const reader = readerOf(read);
  return Project.isInstance(reader, [STARLETTE_CONFIG]) && !!argument(reader.site.call, 0, 'env_file');
}

/** Whether a read through an Env object casts its default as it casts a value the environment gives (Starlette's `Config` does). */
export function castsDefault(callee: Value): boolean {
  return Project.isInstance(readerOf(callee), [STARLETTE_CONFIG]);
}

/** django-environ's scheme: `environ.Env(ENABLE_OIDC=(bool, False))` gives a read naming no default its literal one. */
function schemeDefault(reader: Value, call: CallExpr): Expr | undefined {
  const name = call.args[0]?.k === 'str' ? call.args[0].v : undefined;
  const scheme = name !== undefined && reader.kind === 'instance' ? kwarg(reader.site.call, name) : undefined;
  const fallback = scheme?.k === 'seq' && scheme.items.length === 2 ? scheme.items[1] : undefined;
  return fallback && literalData(fallback) !== undefined ? fallback : undefined;
}

/** An assumption's text: `X not set: the code's default "/api"`, the value as Python writes it. */
function unsetText(name: string, value: PyValue): string {
  const shown = value === null ? 'None' : typeof value === 'boolean' ? (value ? 'True' : 'False') : JSON.stringify(value);
  return `${name} not set: the code's default ${shown}`;
}

/** A literal's value as data (texts, numbers, flags, None and lists of them); undefined for anything else. */
function literalData(expr: Expr): PyValue | undefined {
  if (expr.k === 'str' || expr.k === 'num' || expr.k === 'bool') return expr.v;
  if (expr.k === 'none') return null;
  if (expr.k !== 'seq') return undefined;
  const items = expr.items.map(literalData);
  return items.every((item) => item !== undefined) ? (items as PyValue[]) : undefined;
}

function defaultOf(qname: string, call: CallExpr): Expr | undefined {
  if (CONFIGURATION_VALUES.includes(qname)) return configurationVariable(call) === undefined ? undefined : argument(call, 0, 'default');
  const spec = DEFAULTED_READS[qname];
  return spec ? argument(call, spec[0], spec[1]) : undefined;
}

/**
 * The variable a django-configurations value made with `environ_name=` reads: the name after `environ_prefix`
 * (`DJANGO` unless given; None or "" for none). Undefined for one without it, which stays an object until its
 * settings class is set up.
 */
function configurationVariable(call: CallExpr): string | undefined {
  const name = kwarg(call, 'environ_name');
  if (name?.k !== 'str') return undefined;
  const prefix = kwarg(call, 'environ_prefix');
  if (prefix && prefix.k !== 'str' && prefix.k !== 'none') return undefined;
  const given = prefix ? (prefix.k === 'str' ? prefix.v.replace(/_$/, '') : '') : 'DJANGO';
  return given ? `${given}_${name.v}` : name.v;
}

/**
 * A function's parameters and the names its body assigns from them (`model_t = get_model(model)`, then
 * `tag = model_t.tag`): what a call in the body registers from these comes from the helper's caller.
 */
export function fromParameters(mod: ModuleFacts, fn: FunctionDef): Set<string> {
  const names = new Set(fn.params.map((p) => p.name));
  // A function its factory returns also reads the factory's parameters as the one call binds them (see callEnv).
  for (const p of factoryReturning(mod, fn)?.params ?? []) names.add(p.name);
  const assigned = (mod.bindings[fn.bodyScope] ?? []).filter((b): b is Extract<Binding, { kind: 'assign' }> => b.kind === 'assign');
  for (let grew = true; grew; ) {
    grew = false;
    for (const b of assigned) {
      if (names.has(b.name) || !someExpr(b.value, (e) => e.k === 'name' && names.has(e.id))) continue;
      names.add(b.name);
      grew = true;
    }
  }
  return names;
}

/** The function that defines `fn` in its body and returns it by name (a decorator factory), if any. */
function factoryReturning(mod: ModuleFacts, fn: FunctionDef): FunctionDef | undefined {
  const factory = functionOwning(mod, fn.scope);
  return factory?.returns.some((r) => r.k === 'name' && r.id === fn.name) ? factory : undefined;
}

const LITERALS = new Set<Expr['k']>(['str', 'num', 'bool', 'none']);
const PROPERTY_DECORATORS = ['property', 'cached_property', 'functools.cached_property'];
// The parameter defaults callEnv binds (`prefix: str = "/api"`): written in the `def`, not at the call.
const DEFAULTS_BOUND = new WeakSet<object>();
// Functions that import the object a dotted path names (see Project.imported).
const IMPORTERS = ['django.utils.module_loading.import_string', 'werkzeug.utils.import_string', 'werkzeug.import_string'];

/** What a `**kwargs` parameter gets: the keywords no other parameter takes, and the `**options` the call unpacks. */
function otherKeywords(fn: FunctionDef, call: CallExpr): Expr | undefined {
  if (call.splat && !call.kwstar && !call.star) return undefined; // several `**` unpackings: not read
  const named = new Set(fn.params.map((p) => p.name));
  const entries = call.kwargs.filter(([k]) => !named.has(k)).map(([k, v]): [Expr, Expr] => [{ k: 'str', v: k, loc: call.loc }, v]);
  return { k: 'dict', entries, ...(call.kwstar && { spreads: [{ before: entries.length, expr: call.kwstar }] }), loc: call.loc };
}

/**
 * The bindings of a name (`named`) that may hold its value at `line`, as Python runs the code: the latest one before
 * it, and, while that one sits in an `if`/`match` arm or an `except` handler the line is not in, the earlier ones
 * too (the arm may not have run). A binding in another arm of an `if` the line is in never reaches it. With none
 * before the line (a function read before the module's later assignment), the last one.
 */
function reachingBindings(mod: ModuleFacts, named: readonly Binding[], line: number): readonly Binding[] {
  // The commonest cases, answered without making lists: no binding in this scope (most scopes of a chain), and
  // one binding before the line in no arm.
  if (!named.length) return NO_ITEMS;
  if (named.length === 1 && named[0].line <= line && !armsAround(mod, named[0].line).length) return named;
  const before = named.filter((b) => b.line <= line).sort((a, b) => b.line - a.line);
  if (!before.length) {
    const last = pickBinding(named, line);
    return last ? [last] : [];
  }
  // A context's line stands just before the statement it is read for (see statementContexts).
  const here = armsAround(mod, line + 1);
  const out: Binding[] = [];
  for (const b of before) {
    const own = armsAround(mod, b.line);
    if (!own.length) {
      out.push(b); // in no arm: it ran whenever `line` runs
      break;
    }
    if (own.some((a) => here.some((h) => h.of === a.of && h.arm !== a.arm))) continue; // another arm of an `if` we are in
    out.push(b);
    if (own.every((a) => here.some((h) => h.of === a.of && h.arm === a.arm))) break; // it ran whenever `line` runs
  }
  return out;
}

/**
 * Where a LateBinding's value is read: just before its line in the body of the function that makes it, with the
 * parameters bound when that body is the one read (`global _default; _default = cls(...)` in a classmethod).
 */
function lateContext(binding: Binding, reader: Ctx): Ctx | undefined {
  const { scope } = binding as Partial<LateBinding>;
  if (scope === undefined) return undefined;
  return { mod: reader.mod, scope, line: binding.line - 1, ...(reader.scope === scope && reader.env && { env: reader.env }) };
}

const MANY_ARMS = 64;
const armsByLine = new WeakMap<readonly Arm[], (Arm[] | undefined)[]>();

/**
 * The `if`/`match` arms and `except` handlers around a line. A module with many arms has them listed by line once
 * (OctoPrint's settings module has thousands, read for every binding looked up; Skyvern's action handler reads its
 * arms at thousands of lines): each line holds only the arms nested around it.
 */
export function armsAround(mod: ModuleFacts, line: number): readonly Arm[] {
  const arms = mod.arms ?? NO_ITEMS;
  if (arms.length <= MANY_ARMS) {
    // A list made only for a line inside an arm (most lines looked up are in none); indexes, not for-of, which
    // iterates the slow way over the shared frozen empty list most modules have.
    let found: Arm[] | undefined;
    for (let i = 0; i < arms.length; i++) {
      if (arms[i].from <= line && line <= arms[i].to) {
        if (found) found.push(arms[i]);
        else found = [arms[i]]; // `[]` grown by push would take room for 17
      }
    }
    return found ?? NO_ITEMS;
  }
  let byLine = armsByLine.get(arms);
  if (!byLine) armsByLine.set(arms, (byLine = listedByLine(arms)));
  return byLine[line] ?? NO_ITEMS;
}

/**
 * For each line, the arms around it, in their order. They change only at a line where an arm begins or after one
 * ends, so the lines from one such line to the next share one list (each line of a long arm kept its own copy once:
 * 15 MB in Skyvern, and as much again made and dropped while listing them).
 */
function listedByLine(arms: readonly Arm[]): (Arm[] | undefined)[] {
  const starting = new Map<number, number[]>(); // by line, the indexes of the arms beginning there
  const changes = new Set<number>();
  arms.forEach((arm, i) => {
    addTo(starting, arm.from, i);
    changes.add(arm.from).add(arm.to + 1);
  });
  const byLine: (Arm[] | undefined)[] = new Array(Math.max(...arms.map((a) => a.to)) + 1).fill(undefined);
  const at = [...changes].sort((a, b) => a - b);
  let around: number[] = []; // indexes of the arms around the current line
  at.forEach((line, k) => {
    around = [...around.filter((i) => arms[i].to >= line), ...(starting.get(line) ?? [])].sort((a, b) => a - b);
    if (!around.length) return;
    const listed = around.map((i) => arms[i]);
    for (let l = line; l < at[k + 1]; l++) byLine[l] = listed; // an arm around it ends: there is a next change
  });
  return byLine;
}

/** `for a, b in ...` over one item: the targets bound to it (unpacked from a tuple literal), or undefined. */
export function bindTargets(targets: string[], item: { expr: Expr; ctx: Ctx }, outer: Ctx['env']): Ctx['env'] | undefined {
  const env = new Map(outer ?? []);
  if (targets.length === 1) return env.set(targets[0], item);
  const { expr } = item;
  if (expr.k !== 'seq') return undefined;
  targets.forEach((t, i) => expr.items[i] && env.set(t, { expr: expr.items[i], ctx: item.ctx }));
  return env;
}

/**
 * `[rule(url) for url in urls if cond]` over the iterable's items: the element once per item, the target bound to it,
 * but for items an `if` rules out by the item alone (see itemTest). An item whose `if` reads anything else (a setting,
 * the environment) is kept, not `decided`: it may be in the list.
 */
export function comprehensionItems(comp: Extract<Expr, { k: 'comp' }>, ctx: Ctx, items: { expr: Expr; ctx: Ctx }[]): { expr: Expr; ctx: Ctx; decided: boolean }[] {
  return items.flatMap((item) => {
    const env = bindTargets(comp.targets, item, ctx.env);
    if (!env) return [];
    const holds = (comp.conds ?? NO_ITEMS).map((cond) => {
      const value = itemTest(cond, env);
      return value === undefined ? undefined : truthy(value);
    });
    return holds.includes(false) ? [] : [{ expr: comp.elt, ctx: { ...ctx, env }, decided: !holds.includes(undefined) }];
  });
}

const NO_TARGETS: Env = new Map();

/**
 * A comprehension's test read from the item alone: literals, the targets bound to literal items, comparisons between
 * them (`m != "post"`, `n not in ("a", "b")`), `not`, `and` and `or`; undefined for anything else. Nothing is
 * resolved, so nothing is assumed.
 */
function itemTest(expr: Expr, env: Env): PyValue | undefined {
  if (isLiteral(expr)) return literalValue(expr, (e) => itemTest(e, env));
  if (expr.k === 'name') {
    // An item is read where the iterable was (a name inside it is not a target).
    const bound = env.get(expr.id);
    return bound && bound.expr.k !== 'name' ? itemTest(bound.expr, NO_TARGETS) : undefined;
  }
  if (!isOperatorCall(expr)) return undefined;
  const operand = (i: number): PyValue | undefined => (expr.args[i] ? itemTest(expr.args[i], env) : undefined);
  if (LOGICAL_OPERATORS.has(expr.fn.id)) return logicalValue(expr.fn.id, operand);
  if (expr.fn.id !== '__cmp__') return undefined;
  // `a == b != c` as `__cmp__(a, "==", b, "!=", c)`.
  for (let i = 1; i + 1 < expr.args.length; i += 2) {
    const [left, op, right] = [operand(i - 1), expr.args[i], operand(i + 1)];
    const holds = left === undefined || right === undefined || op.k !== 'str' ? undefined : comparison(op.v, left, right);
    if (holds !== true) return holds;
  }
  return true;
}

/** Python's `os.path.normpath` (`a/b/../c/` is `a/c`); undefined when it climbs out of the checkout, whose parents are not known. */
function normalized(p: string): string | undefined {
  const out = p ? path.posix.normalize(p) : '.';
  const trimmed = out.length > 1 ? out.replace(/\/+$/, '') : out;
  return p.startsWith(CHECKOUT) && !trimmed.startsWith(CHECKOUT) ? undefined : trimmed;
}

/** `abspath`: a path already absolute (or inside the checkout), normalised; a relative one depends on the working folder. */
function absolute(p: string): string | undefined {
  return p.startsWith('/') || p.startsWith(CHECKOUT) ? normalized(p) : undefined;
}

/** Python's `os.path.dirname`: all before the last `/`, its trailing slashes dropped (`a/b/` gives `a/b`). */
function pythonDirname(p: string): string {
  const head = p.slice(0, p.lastIndexOf('/') + 1);
  return /^\/+$/.test(head) ? head : head.replace(/\/+$/, '');
}

/** The text a member of a standard library enum of texts is (`http.HTTPMethod.GET` is "GET"). */
function standardEnumText(qname: string): string | undefined {
  const dot = qname.lastIndexOf('.');
  const member = qname.slice(dot + 1);
  return STANDARD_TEXT_ENUMS.get(qname.slice(0, dot))?.has(member) ? member : undefined;
}

// String methods applied to a known text with literal arguments (a test, a rule built from a prefix).
export const STRING_METHODS = lookupTable<(text: string, args: string[]) => string | boolean>({
  strip: (t, [chars]) => trimChars(t, chars, true, true),
  lstrip: (t, [chars]) => trimChars(t, chars, true, false),
  rstrip: (t, [chars]) => trimChars(t, chars, false, true),
  lower: (t) => t.toLowerCase(),
  upper: (t) => t.toUpperCase(),
  removeprefix: (t, [p]) => (p && t.startsWith(p) ? t.slice(p.length) : t),
  removesuffix: (t, [p]) => (p && t.endsWith(p) ? t.slice(0, -p.length) : t),
  startswith: (t, [p]) => t.startsWith(p),
  endswith: (t, [p]) => t.endsWith(p),
});

function trimChars(text: string, chars: string | undefined, start: boolean, end: boolean): string {
  const set = chars ?? ' \t\n\r\f\v';
  let from = 0;
  let to = text.length;
  while (start && from < to && set.includes(text[from])) from++;
  while (end && to > from && set.includes(text[to - 1])) to--;
  return text.slice(from, to);
}

/** The binding of a name in effect at `line`: the last one made by then, else the last one of all. */
function pickBinding(bindings: readonly Binding[], line: number): Binding | undefined {
  let best: Binding | undefined;
  let fallback: Binding | undefined;
  for (const b of bindings) {
    if (b.line <= line && (!best || b.line >= best.line)) best = b;
    if (!fallback || b.line >= fallback.line) fallback = b;
  }
  return best ?? fallback;
}

/** Absolute dotted module an import refers to, for relative imports computed from the importing module. */
export function importTarget(mod: ModuleFacts, binding: Extract<Binding, { kind: 'import' }>): string {
  if (binding.level === 0) return binding.module;
  const parts = mod.module.split('.');
  const keep = parts.length - binding.level + (mod.isPackage ? 1 : 0);
  const base = parts.slice(0, Math.max(0, keep));
  return [...base, ...(binding.module ? [binding.module] : [])].join('.');
}

/**
 * A plugin manager's hook call, `pm.hook.load_blueprints(app=app)` (pluggy): it calls every implementation
 * of that name, with keyword arguments only.
 */
/** A getter Python calls when the attribute is read: `@property`, `@cached_property`, `@functools.cached_property`. */
function isProperty(fn: FunctionDef): boolean {
  return fn.decorators.some((d) => PROPERTY_DECORATORS.includes(dottedName(d) ?? ''));
}

/**
 * A getter every `return` of which builds a text or is a literal: `"/" + self.name`, `f"/api/v{self.version}"`, `"%s" %
 * self.TYPE`. Only those are read (see propertyValue): reading every getter cost a 2,300-module service a quarter more time.
 */
function buildsText(fn: FunctionDef): boolean {
  const builds = (e: Expr): boolean =>
    LITERALS.has(e.k) || e.k === 'fstr' || e.k === 'concat' || (e.k === 'call' && e.fn.k === 'attr' && (e.fn.name === '__mod__' || e.fn.name === 'format') && e.fn.obj.k === 'str');
  return fn.returns.length > 0 && fn.returns.every(builds);
}

/**
 * What names an object a call makes: where the call stands. An object made in a function body is one object
 * whichever call of the function runs it (`create_router("/users")` and `create_router("/items")` make one router).
 */
export function siteKey(call: CallExpr, ctx: Ctx): string {
  const at = `${ctx.mod.file}:${lineOf(call.loc)}:${columnOf(call.loc)}`;
  const owner = ctx.env && INIT_OWNERS.get(ctx.env);
  return owner ? `${at}@${owner}` : at;
}

// What decoratorApplications hands a decorator: the decorated function or class as the decorators below it make it.
const DECORATED = new WeakSet<Expr>();

/**
 * True for what a decorator applied by `@factory(...)` is given (see decoratorApplications): the decorators of the
 * function it reaches are those peeled off on the way, not all it carries (those above never wrap what it is given).
 */
export function isDecorated(expr: Expr): boolean {
  return DECORATED.has(expr);
}

/**
 * Whether two creating-call keys (siteKey) name one object: the same key, or the same call read once outside any
 * construction and once for one object (`at`, `at@owner`). What an `__init__` makes, read for no object in particular
 * (the routes a nested function's decorators declare on it), is every object's (locust's `WebUI.__init__` declares
 * its blueprint's routes so and registers the blueprint for each WebUI). Two objects' keys never match.
 */
export function sameSite(a: string, b: string): boolean {
  return a === b || b.startsWith(`${a}@`) || a.startsWith(`${b}@`);
}

/**
 * The environments `__init__` bodies are read under for one object's attributes (see initAttribute), with that object's
 * key: what `self.router = APIRouter()` makes belongs to each object, so `ChunksRouter(...)` and `UsersRouter(...)`,
 * which share their base's `__init__`, hold a router each.
 */
const INIT_OWNERS = new WeakMap<Env, string>();

/** `super()` or `super(Cls, self)`. */
export function isSuper(expr: Expr): boolean {
  return expr.k === 'call' && expr.fn.k === 'name' && expr.fn.id === 'super';
}

/** `Base.__init__(self, ...)`: a base's constructor called through its class, `self` passed first. */
function explicitBaseInit(call: CallExpr): boolean {
  return isBaseInit(call) && call.fn.k === 'attr' && !isSuper(call.fn.obj);
}

/** `super().__init__(...)`, `super(Cls, self).__init__(...)` or `Base.__init__(self, ...)`: a constructor passing on to its base's. */
function isBaseInit(call: CallExpr): boolean {
  if (call.fn.k !== 'attr' || call.fn.name !== '__init__') return false;
  const { obj } = call.fn;
  if (obj.k === 'call') return isSuper(obj);
  const base = dottedName(obj);
  return base !== undefined && base !== 'self';
}

function isHookCall(call: CallExpr): boolean {
  return call.fn.k === 'attr' && call.fn.obj.k === 'attr' && call.fn.obj.name === 'hook' && call.args.length === 0;
}

/** Whether a value is true in a test, where that is sure (a literal, a class, a function, a module). */
function truthOf(value: Value): boolean | undefined {
  if (value.kind === 'class' || value.kind === 'function' || value.kind === 'module') return true;
  if (value.kind !== 'literal') return undefined;
  const { expr } = value;
  switch (expr.k) {
    case 'none':
      return false;
    case 'bool':
    case 'num':
    case 'str':
      return Boolean(expr.v);
    case 'seq':
      return expr.items.length > 0;
    case 'dict':
      return expr.entries.length > 0 || (expr.spreads?.length ? undefined : false);
    default:
      return undefined;
  }
}

/** The first number above `n` in an ascending list. */
function nextAfter(list: readonly number[], n: number): number | undefined {
  return list[lowerBound(list, n + 1)];
}

/** How many leading folders two file paths share. */
function commonPrefixLength(a: string, b: string): number {
  const pa = a.split('/');
  const pb = b.split('/');
  let i = 0;
  while (i < pa.length && i < pb.length && pa[i] === pb[i]) i++;
  return i;
}
