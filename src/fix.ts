/**
 * `apiposture fix`: the smallest source edit that limits an unguarded route (AP001) or puts a misplaced limit
 * decorator where it runs (AP004), in the project's own idiom. Flask-Limiter: `@<limiter>.limit("<rate>")` on
 * the line above the view's `def`, so below the route decorator where Flask-Limiter needs it, with the limiter
 * object already bound to the route's app (imported into the route's module when that module does not name
 * it); a limit decorator written above the route decorator moves there. The rate is the policy's:
 * `auth-max-per-minute` for an auth-sensitive route, `default-rate` for the others. DRF views get a throttle
 * class of the module's own carrying that rate (see throttleView); FastAPI routes of a fastapi-limiter project
 * a `RateLimiter` dependency on their decorator. Edits insert or remove
 * whole lines; a file with a syntax error, a route the fixer has no idiom for, or a limiter it cannot name is
 * listed with why and left alone.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Policy } from './config';
import type { Finding, Route, ScanResult } from './model';
import { pythonParser } from './parse';
import type { ClassDef, Expr, FunctionDef, ModuleFacts } from './python/ir';
import { lineOf } from './python/ir';
import { Project, type ClassRef, type Value } from './python/project';
import { compareText, counts, methodsLabel } from './model';
import { riskClass } from './risk';
import { MESSAGING_KINDS } from './cost-calls';
import { flaskLimiter } from './frameworks/flask/flask-limiter';
import { viewListOwner } from './frameworks/flask/routes';
import { slowapi } from './frameworks/fastapi/slowapi';

/** A whole line added above line `before` (1-based, in the file as it is), or that line removed. */
export type LineEdit = { file: string; before: number; text: string } | { file: string; before: number; remove: true };

export interface NotFixed {
  route: string; // `POST /login`
  file: string;
  line: number;
  why: string;
}

export interface FixPlan {
  edits: LineEdit[]; // all of them, by file and line
  byFinding: Map<Finding, LineEdit[]>; // the edits each finding's fix makes (SARIF `fixes`)
  notFixed: NotFixed[];
  newDependencies: string[]; // the libraries of the limiters created: the project must depend on them
}

// The limiter classes a framework's routes are fixed with: Flask-Limiter's, slowapi's.
const LIMITER_TYPES: Record<string, string[]> = {
  flask: flaskLimiter.descriptor.limiterClasses ?? [],
  fastapi: slowapi.descriptor.limiterClasses ?? [],
};
// A framework's usual limiter, for an app that has none: the imports and line that make it, and the lines that
// wire it to the app (`{app}`) under the app's creation, with their imports.
const NEW_LIMITER: Record<string, { library: string; imports: string[]; limiter: string; wiringImports: string[]; wiring: string[] }> = {
  flask: {
    library: 'Flask-Limiter',
    imports: ['from flask_limiter import Limiter', 'from flask_limiter.util import get_remote_address'],
    limiter: 'limiter = Limiter(get_remote_address)',
    wiringImports: [],
    wiring: ['limiter.init_app({app})'],
  },
  fastapi: {
    library: 'slowapi',
    imports: ['from slowapi import Limiter', 'from slowapi.util import get_remote_address'],
    // Counters per endpoint, not per concrete URL: a path parameter must not give a client fresh counters (0.1.7+).
    limiter: 'limiter = Limiter(key_func=get_remote_address, key_style="endpoint")',
    wiringImports: ['from slowapi import _rate_limit_exceeded_handler', 'from slowapi.errors import RateLimitExceeded'],
    wiring: ['{app}.state.limiter = limiter', '{app}.add_exception_handler(RateLimitExceeded, _rate_limit_exceeded_handler)'],
  },
};
// The module a new limiter gets when its app is created in another module than the routes': beside the app's,
// so route modules import the limiter without importing the app (which imports them).
const LIMITER_MODULE = 'rate_limiting';
const REQUEST_TYPES = ['fastapi.Request', 'starlette.requests.Request'];

interface Limiter {
  mod: ModuleFacts;
  name: string; // its module-level name
  instance: Extract<Value, { kind: 'instance' }>;
}

/** The rules whose findings fix writes edits for, in the order they are fixed. */
export const FIXABLE_RULES = ['AP004', 'AP001'];

/** The edits that fix the findings of these rules (AP004 and AP001 by default) on these routes (all when `routes` is empty). */
export function planFixes(result: ScanResult, project: Project, policy: Policy, routes: string[] = [], rules: string[] = FIXABLE_RULES): FixPlan {
  const plan: FixPlan = { edits: [], byFinding: new Map(), notFixed: [], newDependencies: [] };
  const limiters = limitersOf(project, Object.values(LIMITER_TYPES).flat());
  // Each file is read and parsed once, each app's limiter looked for once, however many routes they have.
  const parsed = new Map<string, Source>();
  const source = (file: string): Source => parsed.get(file) ?? parsed.set(file, parse(result.root, file)).get(file)!;
  const found = new Map<string, Limiter | undefined>();
  const limiterOf = (route: Route): Limiter | undefined => {
    const types = LIMITER_TYPES[route.framework];
    const key = route.app && `${route.framework}\0${route.app.file}:${route.app.line}`;
    if (!key || !types) return undefined; // Django and DRF routes are fixed with decorators and throttles
    if (!found.has(key)) found.set(key, limiters.find((l) => Project.isInstance(l.instance, types) && boundTo(project, l, route.app!)));
    return found.get(key);
  };
  const done = new Map<string, string | undefined>(); // a view already handled: why it was not fixed, if it was not
  const views = new Set(result.routes.map((r) => `${r.handlerFile}:${r.handlerLine}`)); // where route handlers are defined
  // Apps with a route whose handler lies outside the app's module: a new limiter goes in a module of its own for them all.
  const spread = new Set(result.routes.flatMap((r) => (r.app && r.handlerFile !== r.app.file ? [`${r.app.file}:${r.app.line}`] : [])));
  const fixes: LineEdit[][] = []; // one per route fixed
  const byId = new Map(result.routes.map((r) => [r.id, r]));
  // A misplaced limit first: moving it also limits the route, so AP001 needs no second limit there.
  const open = FIXABLE_RULES.filter((rule) => rules.includes(rule)).flatMap((rule) => result.findings.filter((f) => f.ruleId === rule && counts(f)));
  for (const finding of open) {
    for (const route of finding.routeIds.flatMap((id) => byId.get(id) ?? [])) {
      if (routes.length && !routes.includes(`${methodsLabel(route)} ${route.path}`)) continue;
      const key = `${route.handlerFile}:${route.handlerLine}`;
      const label = `${methodsLabel(route)} ${route.path}`;
      // One view under several routes is fixed once; each route it could not fix is listed.
      if (done.has(key)) {
        const why = done.get(key);
        if (why) plan.notFixed.push({ route: label, file: route.file, line: route.line, why });
        continue;
      }
      const edit = finding.ruleId === 'AP004' ? moveLimit(route, source) : fixRoute(route, source, project, limiterOf(route), policy, views, spread);
      done.set(key, 'why' in edit ? edit.why : undefined);
      if ('why' in edit) plan.notFixed.push({ route: label, file: route.file, line: route.line, why: edit.why });
      else {
        plan.byFinding.set(finding, [...(plan.byFinding.get(finding) ?? []), ...edit.edits]);
        fixes.push(edit.edits);
      }
    }
  }
  plan.edits = dedupeLineEdits(fixes);
  const imported = (line: string): boolean => plan.edits.some((e) => 'text' in e && e.text === line);
  plan.newDependencies = Object.values(NEW_LIMITER).filter((n) => plan.edits.some((e) => 'text' in e && e.text.trim() === n.limiter)).map((n) => n.library);
  const djangoRatelimitBefore = project.modules.some((m) => importsModule(m, 'django_ratelimit.decorators') || importsModule(m, 'django_ratelimit'));
  if (imported('from django_ratelimit.decorators import ratelimit') && !djangoRatelimitBefore) plan.newDependencies.push('django-ratelimit');
  return plan;
}

type Tree = ReturnType<ReturnType<typeof pythonParser>['parse']>;
type Source = { lines: string[]; tree: Tree } | { why: string };

/** A module's lines and tree; a file with a syntax error is not edited. */
function parse(root: string, file: string): Source {
  let text: string;
  try {
    text = readFileSync(path.join(root, file), 'utf8');
  } catch (error) {
    return { why: `${file} cannot be read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}` };
  }
  const tree = pythonParser().parse(text);
  return tree.rootNode.hasError ? { why: `${file} has a syntax error` } : { lines: text.split('\n'), tree };
}

/** The view's module, when the route is a function decorated by its route in a framework the fixer knows. */
function decoratedView(route: Route, source: (file: string) => Source): Source {
  if (!LIMITER_TYPES[route.framework]) return { why: `no fix for ${route.framework} routes yet` };
  if (route.file !== route.handlerFile || route.line >= route.handlerLine) return { why: 'the view is not a function decorated by its route: decorate it by hand' };
  return source(route.handlerFile);
}

/** AP004: the limit decorator written above the route decorator, moved to just above the view's `def`. */
function moveLimit(route: Route, source: (file: string) => Source): { edits: LineEdit[] } | { why: string } {
  const view = decoratedView(route, source);
  if ('why' in view) return view;
  const misplaced = route.evidence.filter((e) => e.concern === 'decorator-order' && e.file === route.handlerFile);
  if (!misplaced.length) return { why: 'the misplaced decorator is not in the view\'s file' };
  const edits: LineEdit[] = [];
  for (const e of misplaced) {
    const text = view.lines[e.line - 1] ?? '';
    // One whole line that is the decorator and nothing more: a decorator spread over lines is moved by hand.
    if (!/^\s*@[\w.]+\(.*\)\s*$/.test(text) || !balanced(text)) return { why: `the limit decorator at ${e.file}:${e.line} spans more than its line: move it below the route decorator by hand` };
    edits.push({ file: e.file, before: e.line, remove: true }, { file: e.file, before: route.handlerLine, text });
  }
  return { edits };
}

/** Where a line's trailing `#` comment starts (outside quotes), or its length. */
function commentStart(line: string): number {
  let quote = '';
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (ch === '\\') i++;
    else if (quote) quote = ch === quote ? '' : quote;
    else if (ch === '"' || ch === "'") quote = ch;
    else if (ch === '#') return i;
  }
  return line.length;
}

/** True when the brackets and quotes of a line close on it. */
function balanced(line: string): boolean {
  let depth = 0;
  let quote = '';
  for (const ch of line.replace(/\\./g, '')) {
    if (quote) quote = ch === quote ? '' : quote;
    else if (ch === '"' || ch === "'") quote = ch;
    else if ('([{'.includes(ch)) depth++;
    else if (')]}'.includes(ch)) depth--;
  }
  return depth === 0 && !quote;
}

function fixRoute(route: Route, source: (file: string) => Source, project: Project, limiter: Limiter | undefined, policy: Policy, views: ReadonlySet<string>, spread: ReadonlySet<string>): { edits: LineEdit[] } | { why: string } {
  if (route.framework === 'drf') return throttleView(route, source, project, policyRates(route, policy));
  if (route.kind === 'websocket') return { why: 'a WebSocket endpoint: limit its messages inside the handler by hand' };
  const off = route.evidence.find((e) => e.concern === 'disabled');
  if (off) return { why: `${off.message}: turn the limiter on first` };
  if (route.framework === 'django') return ratelimitView(route, source, project, policyRates(route, policy));
  const viewClass = route.framework === 'flask' ? classView(route, source, project) : undefined;
  if (viewClass) {
    if ('why' in viewClass) return viewClass;
    let named: { name: string; edits: LineEdit[] } | { why: string };
    if (limiter) named = limiterName(project, viewClass.mod, limiter, viewClass.view.tree);
    else {
      named = newLimiter(route, viewClass.mod, viewClass.view.tree, project, source, spread);
    }
    return 'why' in named ? named : limitClassView(route, viewClass, project, named, policyRates(route, policy).join(';'), views);
  }
  const view = decoratedView(route, source);
  if ('why' in view) return view;
  const mod = project.modules.find((m) => m.file === route.handlerFile);
  if (!mod) return { why: `${route.handlerFile} was not read` };
  const indent = /^\s*/.exec(view.lines[route.handlerLine - 1] ?? '')?.[0] ?? '';
  const rates = policyRates(route, policy);
  if (route.framework === 'fastapi' && !limiter && usesFastapiLimiter(project)) return rateLimiterDependency(route, view, mod, rates);
  if (route.framework === 'fastapi' && !limiter && usesPyrateLimiter(project)) {
    // Run on pyrate-limiter 4.4: after client `a` used `Rate(2, ...)`, client `b` is refused too.
    return { why: "the project limits with fastapi-limiter 0.2, whose `Limiter(Rate(...))` is one bucket every client shares: a per-client limit needs a bucket per identifier (pyrate-limiter's BucketFactory), so add it by hand" };
  }
  // Several rates are one `limits` string: "10/minute;20/day".
  const decorate = (name: string): LineEdit => ({ file: route.handlerFile, before: route.handlerLine, text: `${indent}@${name}.limit(${JSON.stringify(rates.join(';'))})` });
  // slowapi needs the endpoint to take the request: its new `def` line goes below the new decorator.
  const request = route.framework === 'fastapi' ? requestParameter(route, project, mod, view) : { imports: [], signature: [] };
  if ('why' in request) return request;
  const named = limiter ? limiterName(project, mod, limiter, view.tree) : newLimiter(route, mod, view.tree, project, source, spread);
  if ('why' in named) return named;
  return { edits: [...named.edits, ...request.imports, decorate(named.name), ...request.signature] };
}

// `<count>/<unit>`: the policy rates DRF (which reads only the unit's first letter) and fastapi-limiter take.
const PLAIN_RATE = /^(\d+)\/(second|minute|hour|day)$/;

/** Each rate as `[count, unit]`, or the first rate that is not a plain `<count>/<unit>`. */
function plainRates(rates: string[]): [count: string, unit: string][] | { unread: string } {
  const parsed = rates.map((rate) => PLAIN_RATE.exec(rate));
  const unread = rates.find((_, i) => !parsed[i]);
  return unread ? { unread } : parsed.map((p) => [p![1], p![2]]);
}
// fastapi-limiter 0.1's window keywords, by the unit of a policy rate (it has no `days=`).
const WINDOW_KEYWORDS: Record<string, string> = { second: 'seconds=1', minute: 'minutes=1', hour: 'hours=1', day: 'hours=24' };

/** The project wires fastapi-limiter 0.1 (`FastAPILimiter.init(...)`): its routes are limited with its dependency. */
function usesFastapiLimiter(project: Project): boolean {
  return project.modules.some((m) => m.calls.some(({ call }) => call.fn.k === 'attr' && call.fn.name === 'init' && call.fn.obj.k === 'name' && call.fn.obj.id === 'FastAPILimiter'));
}

/** The project limits with fastapi-limiter 0.2, built on pyrate-limiter (not only with pyrate-limiter itself). */
function usesPyrateLimiter(project: Project): boolean {
  const importing = (pkg: string): boolean => project.modules.some((m) => Project.imports(m, [pkg]));
  return importing('fastapi_limiter') && importing('pyrate_limiter');
}

/**
 * fastapi-limiter: `dependencies=[Depends(RateLimiter(times=N, minutes=1))]` added to the route decorator,
 * written on one line (a decorator spread over lines, or one with `dependencies=` already, is left to you).
 */
function rateLimiterDependency(route: Route, view: { lines: string[]; tree: Tree }, mod: ModuleFacts, rates: string[]): { edits: LineEdit[] } | { why: string } {
  const parsed = plainRates(rates);
  if ('unread' in parsed) return { why: `the policy rate \`${parsed.unread}\` is not one fastapi-limiter's RateLimiter takes` };
  if (route.kind !== 'http') return { why: 'a WebSocket endpoint is limited inside its body (WebSocketRateLimiter): add it by hand' };
  const line = view.lines[route.line - 1] ?? '';
  const text = line.slice(0, commentStart(line)).trimEnd();
  if (!/^\s*@[\w.]+\(.*\)$/.test(text) || !balanced(text)) return { why: 'the route decorator spans more than its line: add the dependency by hand' };
  if (/\bdependencies\s*=/.test(text)) return { why: 'the route decorator has `dependencies=` already: add the RateLimiter to it by hand' };
  const dependency = parsed.map(([count, unit]) => `Depends(RateLimiter(times=${count}, ${WINDOW_KEYWORDS[unit]}))`).join(', ');
  const close = text.lastIndexOf(')');
  const empty = /\(\s*$/.test(text.slice(0, close));
  const edits: LineEdit[] = [];
  const top = afterImports(view.tree.rootNode);
  edits.push(...importUnlessBound(mod, top, 'fastapi', 'Depends'), ...importUnlessBound(mod, top, 'fastapi_limiter.depends', 'RateLimiter'));
  edits.push(
    { file: mod.file, before: route.line, remove: true },
    { file: mod.file, before: route.line, text: `${text.slice(0, close)}${empty ? '' : ', '}dependencies=[${dependency}]${line.slice(close)}` },
  );
  return { edits };
}

/**
 * The policy's rates for a route: `auth-max-per-minute` a minute for an auth-sensitive one (by AP002's reading: a
 * password hash or token call, or an auth word), `default-rate` otherwise; and `messaging-per-day` a day for one
 * that sends email or SMS, the daily cap AP002 asks for.
 */
function policyRates(route: Route, policy: Policy): string[] {
  const base = riskClass(route).risk === 'auth-sensitive' ? `${policy.authMaxPerMinute}/minute` : policy.defaultRate;
  const sends = policy.messagingDailyCap && route.expensive.some((s) => s.strength === 'call' && MESSAGING_KINDS.includes(s.kind));
  return sends ? [base, `${policy.messagingPerDay}/day`] : [base];
}

/** The name the project's limiter has in `mod`, with the import that gives it one when it has none. */
function limiterName(project: Project, mod: ModuleFacts, limiter: Limiter, tree: Tree): { name: string; edits: LineEdit[] } | { why: string } {
  const name = nameIn(project, mod, limiter);
  if (name) return { name, edits: [] };
  if (importsModule(limiter.mod, mod.module)) return { why: `importing \`${limiter.name}\` from ${limiter.mod.module} would be circular (it imports ${mod.module})` };
  if (bindsName(mod, limiter.name)) return { why: `\`${limiter.name}\` names something else in ${mod.file}` };
  return { name: limiter.name, edits: [{ file: mod.file, before: afterImports(tree.rootNode), text: `from ${limiter.mod.module} import ${limiter.name}` }] };
}

/** The module of a route's view, and the class or function of the project the route names there. */
function definitionOf(route: Route, project: Project): { mod: ModuleFacts; cls?: ClassDef; fn?: FunctionDef } | undefined {
  const mod = project.modules.find((m) => m.file === route.handlerFile);
  return mod && { mod, cls: mod.classes.find((c) => lineOf(c.loc) === route.handlerLine), fn: mod.functions.find((f) => lineOf(f.loc) === route.handlerLine) };
}

/** The project class a Flask route's view is made from (`View.as_view`), with its module; undefined for a function. */
function classView(route: Route, source: (file: string) => Source, project: Project): { view: Exclude<Source, { why: string }>; mod: ModuleFacts; cls: ClassDef } | { why: string } | undefined {
  const found = definitionOf(route, project);
  if (!found?.cls) return undefined;
  const view = source(route.handlerFile);
  return 'why' in view ? view : { view, mod: found.mod, cls: found.cls };
}

/**
 * A Flask class view (`MethodView`, `View`): the limit joins its `decorators`, which `as_view` applies, so one
 * counter serves all its methods: a new `decorators = [limiter.limit(...)]` first in the class body, or the limit
 * put first in a `decorators = [...]` list of its own (on one line, or one item per line). Refused when a base class of the project sets
 * `decorators` (a list of its own would replace the base's).
 */
function limitClassView(route: Route, found: { view: Exclude<Source, { why: string }>; mod: ModuleFacts; cls: ClassDef }, project: Project, named: { name: string; edits: LineEdit[] }, rate: string, views: ReadonlySet<string>): { edits: LineEdit[] } | { why: string } {
  const { view, mod, cls } = found;
  const setsDecorators = (c: { mod: ModuleFacts; cls: ClassDef }): { line: number } | undefined => (c.mod.bindings[c.cls.bodyScope] ?? []).find((b) => b.name === 'decorators');
  const edits = [...named.edits];
  const limit = `${named.name}.limit(${JSON.stringify(rate)})`;
  const existing = setsDecorators({ mod, cls });
  // Without a list of its own, the one Python finds: a project base's, or Flask's empty one (`class Quote(ApiView, Limited)`).
  const owner = existing || !project.classAttribute({ mod, cls }, 'decorators') ? undefined : viewListOwner(project, { mod, cls }, 'decorators');
  if (owner && 'unread' in owner) return { why: `which \`decorators\` wrap \`${cls.name}\` cannot be read: add the limit by hand` };
  const decorated = owner && !('library' in owner) ? owner : undefined;
  if (decorated) {
    // A base that is a view too gets its own limit, which its subclasses inherit: a second one here would count twice.
    if (views.has(`${decorated.mod.file}:${lineOf(decorated.cls.loc)}`)) {
      return { why: `inherits \`decorators\` from \`${decorated.cls.name}\`, a view of its own: limit that one, and this class inherits its limit` };
    }
    // The class's own list, the base's decorators kept after the limit: `decorators = [limit, *Base.decorators]`,
    // naming the base in whose own order Python finds that list.
    const ctx = { mod, scope: cls.scope, line: lineOf(cls.loc) - 1 };
    const ownedBy = (ref: ClassRef): boolean => {
      const found = viewListOwner(project, ref, 'decorators');
      return 'cls' in found && found.cls === decorated.cls;
    };
    const base = cls.bases.find((b) => project.resolve(b, ctx).some((v) => v.kind === 'class' && ownedBy(v.ref)));
    const body = classBodyLine(view.tree, route.handlerLine);
    if (!base || !body) return { why: `a base class of \`${cls.name}\` sets \`decorators\`: add the limit to the list there by hand` };
    edits.push({ file: mod.file, before: body.before, text: `${body.indent}decorators = [${limit}, *${Project.describe(base)}.decorators]` });
    if (!body.afterDocstring) edits.push({ file: mod.file, before: body.before, text: '' });
    return { edits };
  }
  if (existing) {
    const line = view.lines[existing.line - 1] ?? '';
    // `decorators = [` with one item per line below: the limit becomes the first of them.
    if (/^\s*decorators\s*=\s*\[\s*(#.*)?$/.test(line)) {
      const indent = /^\s*/.exec(view.lines[existing.line] ?? '')?.[0] ?? '';
      edits.push({ file: mod.file, before: existing.line + 1, text: `${indent}${limit},` });
      return { edits };
    }
    const list = /^(\s*decorators\s*=\s*\[)(.*\]\s*(#.*)?)$/.exec(line);
    if (!list) return { why: `\`${cls.name}.decorators\` is not a list written out: add the limit to it by hand` };
    const [, head, tail] = list;
    const text = tail.trimStart().startsWith(']') ? `${head}${limit}${tail.trimStart()}` : `${head}${limit}, ${tail}`;
    edits.push({ file: mod.file, before: existing.line, remove: true }, { file: mod.file, before: existing.line, text });
    return { edits };
  }
  const body = classBodyLine(view.tree, route.handlerLine);
  if (!body) return { why: `the body of \`${cls.name}\` cannot be edited line by line` };
  edits.push({ file: mod.file, before: body.before, text: `${body.indent}decorators = [${limit}]` });
  if (!body.afterDocstring) edits.push({ file: mod.file, before: body.before, text: '' });
  return { edits };
}

/** A Django view's module, its lines and tree, and the class or function the route names. */
function djangoView(route: Route, source: (file: string) => Source, project: Project): { view: Exclude<Source, { why: string }>; mod: ModuleFacts; cls?: ClassDef; fn?: FunctionDef } | { why: string } {
  const view = source(route.handlerFile);
  if ('why' in view) return view;
  const found = definitionOf(route, project);
  return found ? { view, ...found } : { why: `${route.handlerFile} was not read` };
}

/**
 * DRF: a throttle class of the module's own with the policy's rate in its `rate` attribute (so no setting
 * has to change), a `UserRateThrottle` under its own scope (counted per user, per address when anonymous),
 * named in `throttle_classes` of the view class, or by `@throttle_classes([...])` under `@api_view`.
 */
function throttleView(route: Route, source: (file: string) => Source, project: Project, rates: string[]): { edits: LineEdit[] } | { why: string } {
  const found = djangoView(route, source, project);
  if ('why' in found) return found;
  const { view, mod, cls, fn } = found;
  const parsed = plainRates(rates);
  if ('unread' in parsed) return { why: `the policy rate \`${parsed.unread}\` is not one DRF reads (\`<count>/second|minute|hour|day\`)` };
  const file = mod.file;
  const top = afterImports(view.tree.rootNode);
  const edits: LineEdit[] = [...importUnlessBound(mod, top, 'rest_framework.throttling', 'UserRateThrottle')];
  // One throttle class per rate, each counted apart: DRF checks every class of `throttle_classes`.
  const names: string[] = [];
  for (const [i, rate] of rates.entries()) {
    const [count, unit] = parsed[i];
    const name = `${unit.charAt(0).toUpperCase()}${unit.slice(1)}${count}Throttle`; // `Minute5Throttle`
    if ((mod.bindings[0] ?? []).some((b) => b.name === name && b.kind !== 'class')) return { why: `\`${name}\` names something else in ${file}` };
    names.push(name);
    if (mod.classes.some((c) => c.name === name)) continue;
    // Right below the imports, so that a decorator written above the module's first class never lands on it.
    const block = [
      '',
      '',
      `class ${name}(UserRateThrottle):`,
      `    """Added by apiposture fix: ${count} requests a ${unit} per user (per address when anonymous)."""`,
      `    scope = ${JSON.stringify(`apiposture_${unit}_${count}`)}`,
      `    rate = ${JSON.stringify(rate)}`,
      ...(view.lines[top - 1]?.trim() ? ['', ''] : []),
    ];
    edits.push(...block.map((text) => ({ file, before: top, text })));
  }
  const listed = names.join(', ');
  if (cls) {
    if (project.classChain({ mod, cls }).some((c) => (c.mod.bindings[c.cls.bodyScope] ?? []).some((b) => b.name === 'throttle_classes'))) {
      return { why: `\`${cls.name}\` sets \`throttle_classes\` itself: add a throttle there by hand` };
    }
    const line = classBodyLine(view.tree, route.handlerLine);
    if (!line) return { why: `the body of \`${cls.name}\` cannot be edited line by line` };
    edits.push({ file, before: line.before, text: `${line.indent}throttle_classes = [${listed}]` });
    if (!line.afterDocstring) edits.push({ file, before: line.before, text: '' });
    return { edits };
  }
  if (fn?.decorators.some((d) => Project.describe(d.k === 'call' ? d.fn : d).endsWith('api_view'))) {
    const indent = /^\s*/.exec(view.lines[route.handlerLine - 1] ?? '')?.[0] ?? '';
    edits.push(...importUnlessBound(mod, top, 'rest_framework.decorators', 'throttle_classes'));
    edits.push({ file, before: route.handlerLine, text: `${indent}@throttle_classes([${listed}])` });
    return { edits };
  }
  return { why: 'the view is neither a class of the project nor an `@api_view` function: add a throttle by hand' };
}

/**
 * Django without DRF: django-ratelimit's decorator with the policy's rate, counted per client address and
 * blocking (`block=True`: 3.x does not block by default), above a function view's `def`, or through
 * `method_decorator(..., name="dispatch")` above a class view. The import follows the package the project
 * already uses (`ratelimit` up to 3.x, `django_ratelimit` from 4.0); a project using neither gets 4.x's.
 */
function ratelimitView(route: Route, source: (file: string) => Source, project: Project, rates: string[]): { edits: LineEdit[] } | { why: string } {
  const found = djangoView(route, source, project);
  if ('why' in found) return found;
  const { view, mod, cls, fn } = found;
  if (!cls && !fn) return { why: 'the view is neither a function nor a class of the project: add a limit by hand' };
  const decorators = cls?.decorators ?? fn!.decorators;
  // `@ratelimit(...)`, or `@method_decorator(ratelimit(...), ...)` on a class.
  const isRatelimit = (e: Expr): boolean => /(^|\.)ratelimit$/.test(Project.describe(e));
  if (decorators.some((d) => isRatelimit(d.k === 'call' ? d.fn : d) || (d.k === 'call' && d.args.some((a) => a.k === 'call' && isRatelimit(a.fn))))) {
    return { why: 'the view has a django-ratelimit decorator already (it does not block, or is off): mend it by hand' };
  }
  const oldPackage = project.modules.some((m) => Object.values(m.bindings).flat().some((b) => b.kind === 'import' && b.level === 0 && /^ratelimit(\.|$)/.test(b.module)));
  const top = afterImports(view.tree.rootNode);
  const edits = importUnlessBound(mod, top, oldPackage ? 'ratelimit.decorators' : 'django_ratelimit.decorators', 'ratelimit');
  const indent = /^\s*/.exec(view.lines[route.handlerLine - 1] ?? '')?.[0] ?? '';
  // One decorator per rate: django-ratelimit takes one rate each, and stacked ones all count.
  if (cls) edits.push(...importUnlessBound(mod, top, 'django.utils.decorators', 'method_decorator'));
  for (const rate of rates) {
    const limit = `ratelimit(key="ip", rate=${JSON.stringify(rate)}, block=True)`;
    edits.push({ file: mod.file, before: route.handlerLine, text: cls ? `${indent}@method_decorator(${limit}, name="dispatch")` : `${indent}@${limit}` });
  }
  return { edits };
}

/** Where a statement goes first in a class body, at its indentation: just below its docstring, or above its first statement. */
function classBodyLine(tree: Tree, classLine: number): { before: number; indent: string; afterDocstring: boolean } | undefined {
  let cls: ReturnType<Tree['rootNode']['descendantForPosition']> | null = tree.rootNode.descendantForPosition({ row: classLine - 1, column: 0 });
  while (cls && cls.type !== 'class_definition') cls = cls.parent;
  const first = cls?.childForFieldName('body')?.namedChildren.find((n) => n.type !== 'comment');
  if (!cls || !first || first.startPosition.row === cls.startPosition.row) return undefined; // `class X: pass` on one line
  const afterDocstring = first.type === 'expression_statement' && first.namedChildren[0]?.type === 'string';
  return { before: afterDocstring ? first.endPosition.row + 2 : first.startPosition.row + 1, indent: ' '.repeat(first.startPosition.column), afterDocstring };
}

/**
 * The framework's usual limiter (NEW_LIMITER) for an app that has none, named `limiter` where the route is: made
 * below the imports when all the app's routes are in its module, else (the app in `spread`) in a module of its own
 * beside the app's (LIMITER_MODULE), imported by the app's module and by the route's under the name the project's
 * imports give the app's package; wired under the app's creation (at module level or in a factory function). The
 * project must then depend on the library (the fix says so).
 */
function newLimiter(route: Route, mod: ModuleFacts, tree: Tree, project: Project, source: (file: string) => Source, spread: ReadonlySet<string>): { name: string; edits: LineEdit[] } | { why: string } {
  if (!route.app) return { why: 'the route is not reached from an app found statically (it is registered at run time), so no limiter can be wired for it: add one by hand' };
  const usual = NEW_LIMITER[route.framework];
  const appMod = project.modules.find((m) => m.file === route.app!.file);
  const appSource = appMod && source(appMod.file);
  if (!usual || !appMod || !appSource) return { why: 'no limiter is bound to its app, and the app was not found: create one and run fix again' };
  if ('why' in appSource) return appSource;
  const created = appCreation(appSource, route.app!.line);
  if (!created) return { why: `the app is not created by an assignment the fixer edits (${appMod.file}:${route.app!.line}): create a limiter by hand` };
  const wiring = (lines: string[]): LineEdit[] => lines.map((text) => ({ file: appMod.file, before: created.after, text: `${created.indent}${text.replaceAll('{app}', created.name)}` }));
  const names = (lines: string[]): string[] => lines.flatMap((l) => l.replace(/^from \S+ import /, '').split(', '));
  const top = afterImports(appSource.tree.rootNode);
  if (appMod === mod && !spread.has(`${route.app.file}:${route.app.line}`)) {
    const taken = ['limiter', ...names([...usual.imports, ...usual.wiringImports])].find((n) => bindsName(mod, n));
    if (taken) return { why: `\`${taken}\` already names something in ${mod.file}: wire a limiter by hand` };
    const imports = joinImports([...usual.imports, ...usual.wiringImports]).map((text) => ({ file: mod.file, before: top, text }));
    // Right below the imports: decorators run where they stand, and routes on a router or in a class may come
    // before the app's creation (or the app is made in a factory function).
    return { name: 'limiter', edits: [...imports, { file: mod.file, before: top, text: usual.limiter }, ...wiring(usual.wiring)] };
  }
  const file = path.posix.join(path.posix.dirname(appMod.file), `${LIMITER_MODULE}.py`);
  if (project.modules.some((m) => m.file === file) || !('why' in source(file))) return { why: `${file} exists already: create a limiter by hand` };
  const taken = [...names([...usual.wiringImports]), 'limiter'].find((n) => bindsName(appMod, n)) ?? (bindsName(mod, 'limiter') ? 'limiter' : undefined);
  if (taken) return { why: `\`${taken}\` already names something in ${bindsName(mod, taken) ? mod.file : appMod.file}: wire a limiter by hand` };
  const moduleName = [...importedName(project, appMod).split('.').slice(0, appMod.isPackage ? undefined : -1), LIMITER_MODULE].filter(Boolean).join('.');
  const importLimiter = `from ${moduleName} import limiter`;
  const comment = `# ${usual.library} limiter of the app in ${appMod.file}, in a module of its own so that route modules import it without importing the app`;
  return {
    name: 'limiter',
    edits: [
      ...[...usual.imports, '', '', comment, usual.limiter].map((text) => ({ file, before: 1, text })),
      ...[...usual.wiringImports, importLimiter].map((text) => ({ file: appMod.file, before: top, text })),
      ...wiring(usual.wiring),
      ...(mod === appMod ? [] : [{ file: mod.file, before: afterImports(tree.rootNode), text: importLimiter }]),
    ],
  };
}

/**
 * The name a module is imported by in the project: its own, or the one the project's imports find it by (bazarr's
 * `from app.server import app`, run with its package folder on the path, for `bazarr/app/server.py`).
 */
function importedName(project: Project, mod: ModuleFacts): string {
  const names = project.modules.flatMap((m) => (m.bindings[0] ?? []).flatMap((b) => (b.kind === 'import' && b.level === 0 && project.findModule(b.module, m) === mod ? [b.module] : [])));
  return names.includes(mod.module) || !names.length ? mod.module : names.sort()[0];
}

/** The assignment creating the app at `line` (at module level or in a function): the name, its indent and the line after it. */
function appCreation({ lines, tree }: { lines: string[]; tree: Tree }, line: number): { name: string; indent: string; after: number } | undefined {
  const column = /^\s*/.exec(lines[line - 1] ?? '')![0].length;
  let node: Tree['rootNode'] | null = tree.rootNode.descendantForPosition({ row: line - 1, column });
  while (node && !(node.type === 'expression_statement' && (node.parent?.type === 'module' || node.parent?.type === 'block'))) node = node.parent;
  const assignment = node?.namedChildren[0];
  const target = assignment?.type === 'assignment' ? assignment.childForFieldName('left') : undefined;
  if (!node || target?.type !== 'identifier') return undefined;
  return { name: target.text, indent: ' '.repeat(node.startPosition.column), after: node.endPosition.row + 2 };
}

/** `from m import a` and `from m import b` as `from m import a, b`, in the order first written. */
function joinImports(lines: string[]): string[] {
  const byModule = new Map<string, string[]>();
  for (const line of lines) {
    const [, module, names] = /^from (\S+) import (.+)$/.exec(line) ?? [];
    byModule.set(module, [...(byModule.get(module) ?? []), names]);
  }
  return [...byModule].map(([module, names]) => `from ${module} import ${names.join(', ')}`);
}

/**
 * A `request: Request` parameter first in a one-line `def` that takes no request yet (slowapi reads the request
 * from the endpoint's arguments), and the import of `Request` when the module has no name for it.
 */
function requestParameter(route: Route, project: Project, mod: ModuleFacts, view: { lines: string[]; tree: Tree }): { imports: LineEdit[]; signature: LineEdit[] } | { why: string } {
  const fn = mod.functions.find((f) => lineOf(f.loc) === route.handlerLine);
  // A method of a class-based view (fastapi-utils' `@cbv`, a project's own `@controller`): the request goes after `self`.
  const method = fn !== undefined && mod.scopes[fn.scope]?.kind === 'class';
  if (!fn || (fn.scope !== 0 && !method)) return { why: 'the endpoint is neither a module-level function nor a method' };
  if (fn.params.some((p) => p.name === 'request')) return { imports: [], signature: [] };
  const requestName = (mod.bindings[0] ?? []).find((b) => project.lookup(b.name, project.moduleCtx(mod), 0).some((v) => v.kind === 'external' && REQUEST_TYPES.includes(v.qname)))?.name;
  if (!requestName && bindsName(mod, 'Request')) return { why: `\`Request\` names something else in ${mod.file}` };
  const name = requestName ?? 'Request';
  const signature = requestSignature(view, route.handlerLine, name, method ? 1 : 0);
  if (!signature) return { why: 'the endpoint has no `request` parameter and its signature is written in a way the fixer does not edit: add `request: Request` by hand' };
  return {
    imports: requestName ? [] : [{ file: mod.file, before: afterImports(view.tree.rootNode), text: 'from fastapi import Request' }],
    signature: signature.map((e) => ({ file: mod.file, ...e })),
  };
}

/**
 * `request: <name>` as the first parameter: the `def` line rewritten when the signature is on it, or a line of
 * its own above the first parameter when each parameter has its line (`def create(\n    db: Session,\n):`).
 */
function requestSignature(view: { lines: string[]; tree: Tree }, defLine: number, name: string, after: 0 | 1): ({ before: number; text: string } | { before: number; remove: true })[] | undefined {
  const line = view.lines[defLine - 1] ?? '';
  const oneLine = /^(\s*(?:async\s+)?def\s+\w+\()(.*)(\)\s*(?:->.*)?:\s*(#.*)?)$/.exec(line);
  const def = view.tree.rootNode.descendantsOfType('function_definition').find((n) => n.startPosition.row === defLine - 1);
  const params = def?.childForFieldName('parameters')?.namedChildren.filter((c) => c.type !== 'comment') ?? [];
  if (oneLine) {
    // After `self` for a method: its own text, then the rest as written.
    const kept = after ? params[0]?.text : undefined;
    if (after && (!kept || !oneLine[2].startsWith(kept))) return undefined;
    const rest = oneLine[2].slice(kept?.length ?? 0).replace(/^\s*,\s*/, '');
    const text = [kept, `request: ${name}`, rest.trim() ? rest : undefined].filter((p) => p !== undefined).join(', ');
    return [{ before: defLine, remove: true }, { before: defLine, text: `${oneLine[1]}${text}${oneLine[3]}` }];
  }
  const next = params[after];
  if (!next || next.startPosition.row === defLine - 1 || !/\(\s*$/.test(line) || (after && params[0].startPosition.row === next.startPosition.row)) return undefined;
  const indent = /^\s*/.exec(view.lines[next.startPosition.row] ?? '')?.[0] ?? '';
  return [{ before: next.startPosition.row + 1, text: `${indent}request: ${name},` }];
}

/** Limiter instances of these classes bound to a module-level name. */
function limitersOf(project: Project, types: string[]): Limiter[] {
  const found: Limiter[] = [];
  for (const mod of project.modules) {
    for (const b of mod.bindings[0] ?? []) {
      if (b.kind !== 'assign' || b.value.k !== 'call') continue;
      const instance = project.resolve(b.value, { mod, scope: 0, line: b.line }).find((v): v is Extract<Value, { kind: 'instance' }> => Project.isInstance(v, types));
      if (instance) found.push({ mod, name: b.name, instance });
    }
  }
  return found;
}

/**
 * The limiter counts for the app: `Limiter(..., app=app)` or `limiter.init_app(app)` (Flask-Limiter), `app.state.limiter =
 * limiter` (slowapi, recorded as `app.state.__setattr__("limiter", limiter)`).
 */
function boundTo(project: Project, limiter: Limiter, app: { file: string; line: number }): boolean {
  const isApp = (v: Value): boolean => v.kind === 'instance' && v.site.ctx.mod.file === app.file && lineOf(v.site.call.loc) === app.line;
  const isLimiter = (v: Value): boolean => v.kind === 'instance' && v.site.key === limiter.instance.site.key;
  const { call, ctx } = limiter.instance.site;
  const given = call.kwargs.find(([k]) => k === 'app')?.[1];
  if (given && project.resolve(given, ctx).some(isApp)) return true;
  return project.modules.some((mod) =>
    mod.calls.some(({ call: c, scope }) => {
      const at = { mod, scope, line: lineOf(c.loc) };
      if (c.fn.k !== 'attr') return false;
      if (c.fn.name === 'init_app' && c.args[0]) return project.resolve(c.fn.obj, at).some(isLimiter) && project.resolve(c.args[0], at).some(isApp);
      const state = c.fn.name === '__setattr__' && c.fn.obj.k === 'attr' && c.fn.obj.name === 'state' && c.args[0]?.k === 'str' && c.args[0].v === 'limiter' ? c.fn.obj.obj : undefined;
      return !!state && !!c.args[1] && project.resolve(state, at).some(isApp) && project.resolve(c.args[1], at).some(isLimiter);
    }),
  );
}

/** A module-level name the route's module already has for the limiter. */
function nameIn(project: Project, mod: ModuleFacts, limiter: Limiter): string | undefined {
  // Plain names only: `app.state.limiter = limiter` binds the dotted target too.
  const names = [...new Set((mod.bindings[0] ?? []).map((b) => b.name).filter((n) => /^\w+$/.test(n)))].sort(compareText);
  return names.find((n) => project.lookup(n, project.moduleCtx(mod), 0).some((v) => v.kind === 'instance' && v.site.key === limiter.instance.site.key));
}

function importsModule(mod: ModuleFacts, module: string): boolean {
  return (mod.bindings[0] ?? []).some((b) => b.kind === 'import' && (b.module === module || (b.attr !== undefined && `${b.module}.${b.attr}` === module)));
}

/**
 * The line after the imports that open the module (its docstring and `from __future__` stay first): before any
 * code, so before every use of what is imported there; imports further down, after code, do not count.
 */
function afterImports(root: Tree['rootNode']): number {
  let line = 1;
  for (const node of root.namedChildren) {
    if (node.type === 'comment') continue;
    const opening = node.type === 'import_statement' || node.type === 'import_from_statement' || node.type === 'future_import_statement' || (line === 1 && node.type === 'expression_statement' && node.namedChildren[0]?.type === 'string');
    if (!opening) break;
    line = node.endPosition.row + 2;
  }
  return line;
}

/** True when the module binds `name` at its top level. */
function bindsName(mod: ModuleFacts, name: string): boolean {
  return (mod.bindings[0] ?? []).some((b) => b.name === name);
}

/** `from <module> import <name>` with the module's opening imports (line `top`), unless it already binds the name. */
function importUnlessBound(mod: ModuleFacts, top: number, module: string, name: string): LineEdit[] {
  return bindsName(mod, name) ? [] : [{ file: mod.file, before: top, text: `from ${module} import ${name}` }];
}

/** The edits of every fix, an edit two fixes both make once (a line repeated within one fix stays repeated). */
function dedupeLineEdits(fixes: LineEdit[][]): LineEdit[] {
  const kept = new Map<string, number>();
  const out: LineEdit[] = [];
  for (const edits of fixes) {
    const seen = new Map<string, number>();
    let previous = '';
    edits.forEach((e, i) => {
      // A blank line belongs to the lines around it: blocks of two fixes collapse only when they are the same.
      const next = edits.slice(i + 1).find((n) => 'text' in n && n.text);
      const around = 'text' in e && !e.text ? [previous, next && 'text' in next ? next.text : ''] : [];
      const key = JSON.stringify([e, around]);
      if ('text' in e && e.text) previous = e.text;
      const nth = (seen.get(key) ?? 0) + 1;
      seen.set(key, nth);
      if (nth > (kept.get(key) ?? 0)) {
        kept.set(key, nth);
        out.push(e);
      }
    });
  }
  // At one line, imports first: another fix's block inserted there must not come between them.
  const rank = (e: LineEdit): number => ('text' in e && /^(from \S+ )?import /.test(e.text) ? 0 : 1);
  return out.sort((a, b) => compareText(a.file, b.file) || a.before - b.before || rank(a) - rank(b));
}

/** Each file's text with the edits made; `created` for a file the edits make (a new limiter module). */
export function applyLineEdits(root: string, edits: LineEdit[]): Map<string, { before: string; after: string; created: boolean }> {
  const files = new Map<string, { before: string; after: string; created: boolean }>();
  for (const file of [...new Set(edits.map((e) => e.file))]) {
    const created = !existsSync(path.join(root, file));
    const before = created ? '' : readFileSync(path.join(root, file), 'utf8');
    const lines = diffLines(before, edits.filter((e) => e.file === file)).filter((l) => l.kind !== '-').map((l) => l.text);
    files.set(file, { before, after: lines.join('\n'), created });
  }
  return files;
}

/** The file as lines kept (' '), added ('+') and removed ('-'), in order. */
function diffLines(before: string, edits: LineEdit[]): { kind: ' ' | '+' | '-'; text: string }[] {
  const old = before.split('\n');
  const out: { kind: ' ' | '+' | '-'; text: string }[] = [];
  old.forEach((text, index) => {
    const here = edits.filter((e) => e.before === index + 1);
    const added = here.flatMap((e) => ('text' in e ? [{ kind: '+' as const, text: e.text }] : []));
    // A replaced line reads as diffs show it: the old line, then what takes its place.
    if (here.some((e) => 'remove' in e)) out.push({ kind: '-', text }, ...added);
    else out.push(...added, { kind: ' ', text });
  });
  return out;
}

/** A unified diff (3 lines of context) of the edits to one file, as `git apply` and `patch -p1` read it. */
export function unifiedDiff(file: string, before: string, edits: LineEdit[], created = false): string {
  // The last line of a file that ends with a newline is not a line of its own.
  const ops = diffLines(before, edits.filter((e) => e.file === file)).filter((o, i, all) => !(i === all.length - 1 && o.kind === ' ' && o.text === ''));
  const hunks: [number, number][] = [];
  ops.forEach((o, i) => {
    if (o.kind === ' ') return;
    const [from, to] = [Math.max(0, i - 3), Math.min(ops.length, i + 4)];
    const last = hunks[hunks.length - 1];
    if (last && from <= last[1]) last[1] = Math.max(last[1], to);
    else hunks.push([from, to]);
  });
  const out = [created ? '--- /dev/null' : `--- a/${file}`, `+++ b/${file}`];
  for (const [from, to] of hunks) {
    const ahead = ops.slice(0, from);
    const body = ops.slice(from, to);
    const count = (list: typeof ops, skip: string): number => list.filter((o) => o.kind !== skip).length;
    // A file made from nothing has no old lines: its range starts at 0.
    const oldStart = created ? 0 : count(ahead, '+') + 1;
    out.push(`@@ -${oldStart},${count(body, '+')} +${count(ahead, '-') + 1},${count(body, '-')} @@`, ...body.map((o) => `${o.kind}${o.text}`));
  }
  return `${out.join('\n')}\n`;
}
