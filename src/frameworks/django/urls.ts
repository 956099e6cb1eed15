/**
 * Walks Django URLconfs from each ROOT_URLCONF: `urlpatterns` (with `+=`, `.append`, `.extend`), `path`,
 * `re_path`, `url`, `include()` of dotted names, modules, lists and `(patterns, app_name)` tuples,
 * `i18n_patterns`, `format_suffix_patterns`, DRF routers (`router.urls`) and the admin site as one mount.
 * Full paths keep Django's syntax; regex anchors (`^`, `$`) are dropped when parts are joined.
 */
import type { Binding, CallExpr, Expr, FunctionDef, Loc, ModuleFacts } from '../../python/ir';
import { argument, columnOf, dottedName, exprLine, kwarg, lineOf, locAt, someExpr } from '../../python/ir';
import { Project, type ClassRef, type Ctx, type Value } from '../../python/project';
import { versionSide } from '../../manifests';
import { STANDARD_METHODS, type Hook, type PrefixPart, type SourceRef } from '../../model';
import { assumedFor, declaredAt, decoratorName, extendsList, listAddition, mappedByLambda, sequenceItems, sortedUnique, statementContexts, stringList, UNRESOLVED_SEGMENT, type CallSite, type RouteDraft } from '../common';
import type { DjangoSettings } from './settings';
import { addsNothing } from '../../python/mro';
import { BULK_LIST_ROUTE, BUNDLED_EXTRAS, BUNDLED_URLCONFS, externalView, isKnownPackage, standardRoutes, type BundledRoute, type RouteTemplate } from './tables';
import { lastSegment, ViewResolver, type DjangoView, type ViewOption } from './views';
import { adminUrls, isAdminSite } from './admin';
import { isNinjaApi, NinjaApis } from './ninja';
import { methodCallsOn } from '../../python/module-index';
import { channelsEndpoint, hidesNesting, routersIn, type ChannelsMount, type ChannelsProtocol } from './channels';

export interface DjangoRouteContext {
  view?: DjangoView; // undefined when the view (or a mounted urlconf) cannot be read statically
}

interface Prefix {
  path: string;
  parts: PrefixPart[];
  unresolved: string[];
  suffix: boolean; // inside format_suffix_patterns(): each endpoint also answers with a `.json`-style suffix
  protocol?: ChannelsProtocol; // patterns of a Django Channels URLRouter (see channels.ts), not of a URLconf
  middleware?: Hook[]; // with `protocol`: the project's Channels middleware the routes are behind
}

type Instance = Extract<Value, { kind: 'instance' }>;

/**
 * How a list's appends are read (see walkAppends): as a call of its helper runs it (`runBy`), under the bindings of the
 * code that reached it (`env`), and only the calls on `lines` (while its name holds that list).
 */
interface AppendsRead {
  runBy?: { call: CallExpr; ctx: Ctx; fn: FunctionDef };
  env?: Ctx['env'];
  lines?: { from: number; to: number };
}

/** A `register` call of a DRF router; with drf-extensions, the registration whose returned item it is called on. */
interface Registration {
  site: CallSite;
  parent?: Registration; // drf-extensions: the registration it is nested under
  nesting?: PrefixPart[] | null; // drf-nested-routers: its router's parent prefixes (see nestingParts); null when unread
}
type Located = { loc: Loc };

const PATTERN_FUNCTIONS = new Map<string, 'route' | 'regex'>(Object.entries({
  'django.urls.path': 'route',
  'django.urls.conf.path': 'route',
  'django.urls.re_path': 'regex',
  'django.urls.conf.re_path': 'regex',
  'django.conf.urls.url': 'regex',
}));
// DRF's routers and drf-extensions', drf-nested-routers' (whose module names DRF's too) and
// djangorestframework-bulk's built on them, the default ones (with a root view) first of each.
const NESTED_ROUTERS = ['rest_framework_nested.routers.NestedDefaultRouter', 'rest_framework_nested.routers.NestedSimpleRouter'];
const BULK_ROUTERS = ['rest_framework_bulk.routes.BulkRouter'];
const DEFAULT_ROUTERS = ['rest_framework.routers.DefaultRouter', 'rest_framework_extensions.routers.ExtendedDefaultRouter', 'rest_framework_nested.routers.DefaultRouter', NESTED_ROUTERS[0], ...BULK_ROUTERS];
const ROUTERS = [...DEFAULT_ROUTERS, 'rest_framework.routers.SimpleRouter', 'rest_framework_extensions.routers.ExtendedSimpleRouter', 'rest_framework_nested.routers.SimpleRouter', NESTED_ROUTERS[1]];
// drf-extensions' routers whose `register` returns what registers routes nested under it (rest_framework_extensions/routers.py).
const NESTING_ROUTERS = ['rest_framework_extensions.routers.NestedRouterMixin', 'rest_framework_extensions.routers.ExtendedRouterMixin', ...ROUTERS.filter((r) => r.startsWith('rest_framework_extensions.'))];
// Its DEFAULT_PARENT_LOOKUP_KWARG_NAME_PREFIX: the group a parent's lookup is captured in is named this and the lookup.
const PARENT_LOOKUP_PREFIX = 'parent_lookup_';
const RESOLVERS = ['django.urls.URLResolver', 'django.urls.resolvers.URLResolver'];
const LOCALE_PATTERNS = ['django.urls.LocalePrefixPattern', 'django.urls.resolvers.LocalePrefixPattern'];
const TEXT_PATTERNS = ['django.urls.RoutePattern', 'django.urls.resolvers.RoutePattern', 'django.urls.RegexPattern', 'django.urls.resolvers.RegexPattern'];
// DRF's format suffixes (rest_framework/urlpatterns.py): a regex suffix for re_path, a converter for path().
const REGEX_SUFFIX = String.raw`\.(?P<format>[a-z0-9]+)/?`;
const ROUTE_SUFFIX = '<drf_format_suffix:format>';
const MAX_INCLUDE_DEPTH = 24;
const MAX_ROUTES = 20000;
const MAX_NESTING = 8;
// DRF 3.15 builds DefaultRouter's API root with path('') instead of re_path('^$').
const DRF_PATH_ROOT = '3.15';

/** `router.registry.extend(other.registry)`: see UrlWalker.joinedRegistrations. */
export function extendsRegistry(call: CallExpr): boolean {
  const [other] = call.args;
  return call.fn.k === 'attr' && call.fn.name === 'extend' && call.fn.obj.k === 'attr' && call.fn.obj.name === 'registry' && other?.k === 'attr' && other.name === 'registry';
}

/** A view of Django's own that serves every method (the admin's pages check the user, not the method). */
function frameworkView(handler: string, ctx: Ctx, line: number): DjangoView {
  return { handler, handlerFile: ctx.mod.file, handlerLine: line, drf: false, handlers: new Map(), automatic: [], anyMethod: true, options: [], wrappers: [], unresolved: [] };
}

/** `super().get_urls()` in a ModelAdmin's own `get_urls`: its standard pages, which the admin site's mount stands for. */
function inheritedUrls(expr: Expr): boolean {
  return expr.k === 'call' && expr.fn.k === 'attr' && expr.fn.name === 'get_urls' && expr.fn.obj.k === 'call' && expr.fn.obj.fn.k === 'name' && expr.fn.obj.fn.id === 'super';
}

/** The `.json`-style variant format_suffix_patterns adds to a pattern (rest_framework/urlpatterns.py). */
function withSuffix(text: string, kind: 'route' | 'regex'): string {
  return trimSlash(text) + (kind === 'route' ? ROUTE_SUFFIX : REGEX_SUFFIX);
}

export class UrlWalker {
  readonly drafts: RouteDraft<DjangoRouteContext>[] = [];
  readonly reached = new Set<ModuleFacts>();
  readonly routersWalked = new Set<CallExpr>(); // Channels' URLRouters, also those nested in another's patterns
  private readonly appendsWalked = new Set<string>(); // lists whose appends were walked, per prefix (see walkAppends)
  private budgetSpent = false;
  private readonly views: ViewResolver;
  private readonly ninja: NinjaApis;
  private usesNinja?: boolean; // whether any module imports django-ninja (see ninjaApi)
  private readonly walked = new Map<Expr, { env: Ctx['env']; key: string }[]>(); // see walkPattern
  private settings?: DjangoSettings;
  private middleware: Hook[] = []; // what the project's own middleware runs for every request (see middlewareHooks)
  private app?: SourceRef & { name: string };

  constructor(private readonly project: Project, private readonly sites: CallSite[]) {
    this.views = new ViewResolver(project);
    this.ninja = new NinjaApis(project);
  }

  /** Every route of one project, from its root URLconf. */
  walkRoot(urlconf: ModuleFacts, settings: DjangoSettings | undefined, host?: string): void {
    this.settings = settings;
    this.middleware = settings ? middlewareHooks(this.project, settings) : [];
    this.app = settings ? { ...settings.origin, name: host === undefined ? settings.mod.module : `${settings.mod.module} (host \`${host}\`)` } : undefined;
    this.project.noting(() => this.walkModule(urlconf, { path: '', parts: [], unresolved: [], suffix: false }, []));
  }

  /**
   * The routes of a Django Channels URLRouter, from `/` (Channels strips the path's leading slashes and joins nested
   * routers' patterns as Django joins includes). One no ProtocolTypeRouter mounts is read as WebSocket routing, what
   * Channels' routers serve, and says so.
   */
  walkChannels(mount: ChannelsMount, settings: DjangoSettings | undefined): void {
    this.settings = settings;
    this.middleware = [];
    this.app = settings && { ...settings.origin, name: settings.mod.module };
    const line = lineOf(mount.call.loc);
    const unresolved = mount.protocol ? [] : [`no ProtocolTypeRouter found statically mounts this URLRouter (${mount.ctx.mod.file}:${line}): its routes are served only if code not read mounts it`];
    const [patterns] = mount.call.args;
    this.routersWalked.add(mount.call);
    if (patterns) this.project.noting(() => this.walkPatterns(patterns, mount.ctx, { path: '', parts: [], unresolved, suffix: false, protocol: mount.protocol ?? 'websocket', middleware: mount.middleware }, []));
  }

  /** A URLconf no root includes: its routes are listed under an unknown prefix. */
  walkOrphan(urlconf: ModuleFacts, settings: DjangoSettings | undefined): void {
    this.settings = settings;
    this.middleware = settings ? middlewareHooks(this.project, settings) : [];
    this.app = undefined;
    const why = `\`${urlconf.module}\` is not included from a ROOT_URLCONF found statically`;
    this.project.noting(() => this.walkModule(urlconf, { path: UNRESOLVED_SEGMENT, parts: [], unresolved: [why], suffix: false }, []));
  }

  private walkModule(mod: ModuleFacts, prefix: Prefix, stack: ModuleFacts[]): void {
    if (stack.includes(mod) || stack.length > MAX_INCLUDE_DEPTH) return;
    // Includes that fan out (each module including the next twice) grow exponentially: stop at a budget.
    if (this.drafts.length >= MAX_ROUTES) {
      if (!this.budgetSpent) this.unresolvedMount(prefix, this.project.moduleCtx(mod), 1, `more than ${MAX_ROUTES} routes: \`${mod.module}\` and further includes are not listed`);
      this.budgetSpent = true;
      return;
    }
    this.reached.add(mod);
    const ctx = this.project.moduleCtx(mod);
    const inner = [...stack, mod];
    this.walkPatterns({ k: 'name', id: 'urlpatterns', loc: locAt(1, 1) }, ctx, prefix, inner);
    this.walkAppends(mod, 0, 'urlpatterns', prefix, inner);
  }

  /**
   * `urlpatterns.append(path(...))`, `.insert(0, path(...))` and `.extend([...])` on a list of `scope`, also in `for`
   * loops; in a function, as `call` runs it (its arguments bound).
   */
  private walkAppends(mod: ModuleFacts, scope: number, list: string, prefix: Prefix, inner: ModuleFacts[], { runBy, env, lines = { from: 0, to: Infinity } }: AppendsRead = {}): void {
    const caller: Pick<Ctx, 'env' | 'via'> | undefined = runBy ? this.project.callContext(runBy.fn, runBy.call, runBy.ctx) : env && { env };
    const key = `${mod.file}\0${scope}\0${list}\0${prefix.path}\0${prefix.suffix}\0${prefix.unresolved.join()}\0${caller?.via ? `${caller.via.file}:${caller.via.line}:${caller.via.column}` : ''}\0${lines.from}\0${lines.to}`;
    if (this.appendsWalked.has(key)) return;
    this.appendsWalked.add(key);
    const ctx: Ctx = { mod, scope, line: Infinity, ...caller };
    for (const stmt of methodCallsOn(mod, list)) {
      const { call } = stmt;
      const addition = listAddition(call);
      if (stmt.scope !== scope || !addition || lineOf(call.loc) < lines.from || lineOf(call.loc) >= lines.to) continue;
      const { added, several } = addition;
      const contexts = statementContexts(this.project, mod, stmt, caller);
      if (!contexts.length) {
        const loop = stmt.loops.map((l) => Project.describe(l.iterable)).join(', ');
        this.unresolvedMount(prefix, ctx, lineOf(call.loc), `patterns added in a loop over \`${loop}\` (${mod.file}:${lineOf(call.loc)}), which is not static`, call);
      }
      for (const at of contexts) this.walkPatterns(several ? added : { k: 'seq', items: [added] }, at, prefix, inner);
    }
  }

  /** A list of patterns, however it is built. */
  private walkPatterns(expr: Expr, ctx: Ctx, prefix: Prefix, stack: ModuleFacts[], depth = 0): void {
    if (depth > MAX_INCLUDE_DEPTH) return;
    // One pattern where a list was expected: what a helper returns (`return re_path(route=..., view=view)`).
    const single = expr.k === 'call' ? decoratorName(this.project, expr, ctx) : undefined;
    if (single && (PATTERN_FUNCTIONS.has(single) || RESOLVERS.includes(single))) return this.walkPattern(expr, ctx, prefix, stack, depth);
    if (!this.firstVisit(expr, ctx, prefix) || inheritedUrls(expr)) return;
    if (expr.k === 'seq') {
      for (const item of expr.items) this.walkPattern(item, ctx, prefix, stack, depth);
      return;
    }
    const generated = expr.k === 'comp' || mappedByLambda(this.project, expr, ctx) ? sequenceItems(this.project, expr, ctx) : undefined;
    if (generated) {
      for (const item of generated) this.walkPattern(item.expr, item.ctx, prefix, stack, depth);
      return;
    }
    // Lists joined and names followed are no deeper (`urls += more` a dozen times); each visit is walked once.
    if (expr.k === 'concat') {
      for (const part of expr.parts) this.walkPatterns(part, ctx, prefix, stack, depth);
      return;
    }
    if (expr.k === 'attr' && expr.name === 'urls' && this.walkUrlsAttribute(expr, ctx, prefix, stack)) return;
    if (expr.k === 'call') {
      const name = decoratorName(this.project, expr, ctx);
      if (name === 'django.conf.urls.i18n.i18n_patterns') return this.walkI18n(expr, ctx, prefix, stack, depth);
      if (name === 'rest_framework.urlpatterns.format_suffix_patterns' && expr.args[0]) {
        return this.walkPatterns(expr.args[0], ctx, { ...prefix, suffix: true }, stack, depth + 1);
      }
      // `reduce(add, groups)`: every list of patterns in `groups`, as listed and as appended later.
      if (name === 'functools.reduce' && expr.args[1] && ['operator.add', 'operator.concat'].includes(decoratorName(this.project, expr.args[0], ctx) ?? '')) {
        return this.walkGroups(expr.args[1], ctx, prefix, stack, depth);
      }
      // `list(urls)`, `tuple(urls)`: the same patterns.
      const builtin = expr.fn.k === 'name' && (expr.fn.id === 'list' || expr.fn.id === 'tuple') && name === undefined;
      if (builtin && expr.args.length === 1 && !expr.splat) return this.walkPatterns(expr.args[0], ctx, prefix, stack, depth + 1);
      // Static and media file serving exists only with DEBUG = True.
      if (name === 'django.conf.urls.static.static' || name === 'django.contrib.staticfiles.urls.staticfiles_urlpatterns') return;
      if (expr.fn.k === 'attr' && expr.fn.name === 'get_urls' && this.walkRouterOf(expr.fn.obj, ctx, prefix)) return;
    }
    // A helper's own list, returned after its appends (`patterns.append(path(...))` in a loop): as the call runs it.
    // Its routes rest on what reading that call assumed, the patterns beside it do not.
    if (expr.k === 'call') {
      for (const v of this.project.resolve(expr.fn, ctx)) {
        if (v.kind !== 'function') continue;
        const runBy = { call: expr, ctx, fn: v.ref.fn };
        for (const r of v.ref.fn.returns) if (r.k === 'name') this.project.noting(() => this.walkAppends(v.ref.mod, v.ref.fn.bodyScope, r.id, prefix, stack, { runBy }));
      }
    }
    // Another list of patterns (`i18n_urls`) grows the same ways as urlpatterns.
    const defined = expr.k === 'name' && expr.id !== 'urlpatterns' ? this.project.definition(expr, ctx) : undefined;
    if (defined && expr.k === 'name') this.walkAppends(defined.ctx.mod, defined.ctx.scope, expr.id, prefix, stack, { env: defined.ctx.env });
    if (defined && inheritedUrls(defined.expr)) return;
    // `api_urls = list(map(lambda u: url(r'^', include(u)), modules))`: a builtin's result, which resolution cannot read.
    if (defined && mappedByLambda(this.project, defined.expr, defined.ctx)) return this.walkPatterns(defined.expr, defined.ctx, prefix, stack, depth + 1);
    const values = this.project.resolve(expr, ctx);
    // A name bound to a list, or to a call building one (`urlpatterns = i18n_patterns(...)`): walk that expression.
    const sources = values.map((v) => (v.kind === 'literal' ? { expr: v.expr, ctx: v.ctx } : v.kind === 'instance' ? { expr: v.site.call, ctx: v.site.ctx } : v.kind === 'result' ? { expr: v.call, ctx: v.ctx } : undefined));
    if (sources.length && sources.every((s) => s && s.expr !== expr)) {
      for (const s of sources) {
        if (!s) continue;
        this.walkPatterns(s.expr, expr.k === 'call' ? declaredAtCall(s, expr, ctx) : s.ctx, prefix, stack, expr.k === 'call' ? depth + 1 : depth);
        // A URLconf's own list under another name (`from .urls_v2 import urlpatterns as tenant_urls`, included as a
        // list): that URLconf is reached, and its list grows as it does when it is included by name.
        const listed = urlconfListed(s);
        if (listed) {
          this.reached.add(listed.mod);
          this.walkAppends(listed.mod, 0, 'urlpatterns', prefix, stack, { lines: listed.lines });
        }
      }
      return;
    }
    // `urlpatterns = router.urls`
    const member = values.find((v) => v.kind === 'member' && v.name === 'urls' && Project.isInstance(v.of, ROUTERS));
    if (member?.kind === 'member' && member.of.kind === 'instance') return this.emitRouter(member.of, prefix);
    const module = values.find((v) => v.kind === 'module');
    if (module?.kind === 'module') return this.walkModule(module.mod, prefix, stack);
    const line = exprLine(expr, ctx.line);
    this.unresolvedMount(prefix, ctx, line, `patterns \`${Project.describe(expr)}\` (${ctx.mod.file}:${line}) cannot be read statically`);
  }

  /** `i18n_patterns(...)`: the language code of the default language prefixes every pattern. */
  private walkI18n(call: CallExpr, ctx: Ctx, prefix: Prefix, stack: ModuleFacts[], depth: number): void {
    const noPrefix = kwarg(call, 'prefix_default_language');
    const language = this.settings?.string('LANGUAGE_CODE') ?? 'en-us';
    const inner = noPrefix?.k === 'bool' && !noPrefix.v ? prefix : { ...prefix, path: `${prefix.path}${language}/` };
    if (call.splat) this.unresolvedMount(inner, ctx, lineOf(call.loc), `\`i18n_patterns(*...)\` (${ctx.mod.file}:${lineOf(call.loc)}) takes patterns we do not follow`, call);
    for (const arg of call.args) this.walkPattern(arg, ctx, inner, stack, depth + 1);
  }

  /**
   * False when this list or pattern was walked already under this prefix: one reached again through another
   * alternative (`urlpatterns += [...]` in one arm of an `if`, the list before it in the other) is the same,
   * and walking every combination of arms would take exponential time.
   */
  private firstVisit(expr: Expr, ctx: Ctx, prefix: Prefix): boolean {
    const key = `${prefix.path}\0${prefix.suffix}\0${prefix.unresolved.join()}\0${prefix.protocol}`;
    const seen = this.walked.get(expr) ?? [];
    if (seen.some((s) => s.env === ctx.env && s.key === key)) return false;
    this.walked.set(expr, [...seen, { env: ctx.env, key }]);
    return true;
  }

  /** One entry of a pattern list: its routes rest on what it and the entries including it assumed. */
  private walkPattern(expr: Expr, ctx: Ctx, prefix: Prefix, stack: ModuleFacts[], depth: number): void {
    this.project.noting(() => this.walkEntry(expr, ctx, prefix, stack, depth));
  }

  private walkEntry(expr: Expr, ctx: Ctx, prefix: Prefix, stack: ModuleFacts[], depth: number): void {
    const call = expr.k === 'call' ? expr : undefined;
    const name = call ? decoratorName(this.project, call, ctx) ?? '' : '';
    if (call && RESOLVERS.includes(name)) return this.walkResolver(call, ctx, prefix, stack, depth);
    const kind = PATTERN_FUNCTIONS.get(name);
    if (!call || !kind) {
      // Not a path() call: a nested list or a name bound to patterns.
      this.walkPatterns(expr, ctx, prefix, stack, depth + 1);
      return;
    }
    if (!this.firstVisit(expr, ctx, prefix)) return;
    // `path()` and `re_path()` name it `route`; the old `url()`, `regex`.
    const routeExpr = argument(call, 0, name === 'django.conf.urls.url' ? 'regex' : 'route');
    const written = routeExpr ? this.project.stringValue(routeExpr, ctx) : undefined;
    const unresolved = written === undefined ? [`route \`${routeExpr ? Project.describe(routeExpr) : '?'}\` (${ctx.mod.file}:${lineOf(call.loc)}) is not a static string`] : [];
    const shown = written ?? (routeExpr && this.project.shownText(routeExpr, ctx));
    const text = shown === undefined ? UNRESOLVED_SEGMENT : kind === 'regex' ? stripAnchors(shown) : shown;
    const view = argument(call, 1, 'view');
    if (!view) return;
    const here: Prefix = { ...prefix, unresolved: [...prefix.unresolved, ...unresolved] };
    const part = { value: text, file: ctx.mod.file, line: lineOf(call.loc) };
    const under: Prefix = { ...here, path: here.path + text, parts: [...here.parts, part] };
    // A URLRouter nested in a Channels pattern (behind its middleware): its patterns, under this one.
    const routers = prefix.protocol ? routersIn(this.project, view, ctx) : [];
    for (const router of routers) {
      this.routersWalked.add(router.call);
      const [patterns] = router.call.args;
      const hidden = hidesNesting(router, kind, written);
      const inner = { ...under, unresolved: [...under.unresolved, ...(hidden ? [hidden] : [])], middleware: [...(under.middleware ?? []), ...router.middleware] };
      if (patterns) this.walkPatterns(patterns, router.ctx, inner, stack, depth + 1);
    }
    if (routers.length) return;
    const include = this.includeTarget(view, ctx);
    if (include) {
      this.walkInclude(include.expr, include.ctx, under, stack, call, depth);
      return;
    }
    this.emitEndpoint(call, ctx, view, here, text, kind);
  }

  /** A list of pattern lists: its items, and what `groups.append(...)`/`.extend(...)` add to it in the same scope. */
  private walkGroups(groups: Expr, ctx: Ctx, prefix: Prefix, stack: ModuleFacts[], depth: number): void {
    const listed = groups.k === 'seq' ? { expr: groups, ctx } : this.project.resolve(groups, ctx).map((v) => (v.kind === 'literal' && v.expr.k === 'seq' ? { expr: v.expr, ctx: v.ctx } : undefined))[0];
    if (!listed || listed.expr.k !== 'seq') return this.walkPatterns(groups, ctx, prefix, stack, depth + 1);
    for (const item of listed.expr.items) this.walkPatterns(item, listed.ctx, prefix, stack, depth + 1);
    if (groups.k !== 'name') return;
    for (const stmt of methodCallsOn(listed.ctx.mod, groups.id)) {
      const { args } = stmt.call;
      const fn = stmt.call.fn as Extract<Expr, { k: 'attr' }>;
      if (stmt.scope !== listed.ctx.scope || !args[0]) continue;
      const at = { mod: listed.ctx.mod, scope: stmt.scope, line: lineOf(stmt.call.loc) };
      if (fn.name === 'append') this.walkPatterns(args[0], at, prefix, stack, depth + 1);
      else if (fn.name === 'extend') this.walkGroups(args[0], at, prefix, stack, depth + 1);
    }
  }

  /**
   * `URLResolver(pattern, urlconf)` built by hand, as projects wrapping `i18n_patterns` do: the language prefix of
   * a `LocalePrefixPattern` (or a project subclass), or the text of a `RoutePattern`/`RegexPattern`.
   */
  private walkResolver(call: CallExpr, ctx: Ctx, prefix: Prefix, stack: ModuleFacts[], depth: number): void {
    const [pattern, urlconf] = call.args;
    if (!pattern || !urlconf || !this.firstVisit(call, ctx, prefix)) return;
    const made = this.project.resolve(pattern, ctx).find((v): v is Instance => v.kind === 'instance');
    let text: string | undefined;
    if (made && made.types.some((t) => LOCALE_PATTERNS.includes(t))) {
      const noDefault = kwarg(made.site.call, 'prefix_default_language');
      text = noDefault?.k === 'bool' && !noDefault.v ? '' : `${this.settings?.string('LANGUAGE_CODE') ?? 'en-us'}/`;
    } else if (made && made.types.some((t) => TEXT_PATTERNS.includes(t)) && made.site.call.args[0]) {
      const written = this.project.stringValue(made.site.call.args[0], made.site.ctx);
      text = written === undefined ? undefined : made.types.some((t) => t.endsWith('RegexPattern')) ? stripAnchors(written) : written;
    }
    const part = { value: text ?? UNRESOLVED_SEGMENT, file: ctx.mod.file, line: lineOf(call.loc) };
    const unresolved = text === undefined ? [`the pattern of \`URLResolver\` (${ctx.mod.file}:${lineOf(call.loc)}) cannot be read statically`] : [];
    this.walkPatterns(urlconf, ctx, { ...prefix, path: prefix.path + part.value, parts: [...prefix.parts, part], unresolved: [...prefix.unresolved, ...unresolved] }, stack, depth + 1);
  }

  /**
   * The project URLconfs an `include(...)` in a branch the profile does not run names (`if settings.ENABLE_ANALYTICS:
   * urlpatterns += [path("analytics/", include("app.analytics.urls"))]`), when no root reaches them: their routes are
   * not served, under that branch's condition, and the prefix above the include is not read.
   */
  walkNotServed(settings: DjangoSettings | undefined): void {
    this.settings = settings;
    this.middleware = settings ? middlewareHooks(this.project, settings) : [];
    this.app = undefined;
    for (const { call, ctx, notServed } of this.project.profileSkipped) {
      const target = this.includeTarget(call, ctx)?.expr;
      const named = target?.k === 'seq' ? target.items[0] : target;
      const text = named && this.project.stringValue(named, ctx);
      const mod = text === undefined ? undefined : this.project.findModule(text, ctx.mod);
      if (!mod || this.reached.has(mod)) continue;
      const first = this.drafts.length;
      const why = `included in a branch the deployment profile does not run (${notServed.file}:${notServed.line}), under a prefix not read`;
      this.project.noting(() => this.walkModule(mod, { path: UNRESOLVED_SEGMENT, parts: [], unresolved: [why], suffix: false }, []));
      for (const draft of this.drafts.slice(first)) draft.route.notServed = notServed;
    }
  }

  /** The urlconf an `include(...)` (or a 3-tuple such as `admin.site.urls`) points at, if the view is one. */
  private includeTarget(view: Expr, ctx: Ctx): { expr: Expr; ctx: Ctx } | undefined {
    if (view.k === 'call' && ['django.urls.include', 'django.urls.conf.include', 'django.conf.urls.include'].includes(decoratorName(this.project, view, ctx) ?? '')) {
      const arg = argument(view, 0, 'arg');
      return arg ? { expr: arg, ctx } : undefined;
    }
    if (view.k === 'seq') return { expr: view, ctx };
    if ((view.k === 'attr' && view.name === 'urls') || this.ninjaApi(view, ctx)) return { expr: view, ctx };
    return undefined;
  }

  /** The django-ninja API whose `urls` an expression is (`api.urls`, or a name bound to it). */
  private ninjaApi(expr: Expr, ctx: Ctx): Instance | undefined {
    this.usesNinja ??= this.project.modules.some((m) => Project.imports(m, ['ninja']));
    if (!this.usesNinja) return undefined;
    const urls = expr.k === 'attr' && expr.name === 'urls' ? this.project.resolve(expr.obj, ctx) : this.project.resolve(expr, ctx).flatMap((v) => (v.kind === 'member' && v.name === 'urls' ? [v.of] : []));
    return urls.find(isNinjaApi);
  }

  /** A django-ninja API's operations and its own views (see ninja.ts), each a route under the mount's prefix. */
  private emitNinja(api: Instance, prefix: Prefix, ctx: Ctx, at: Located): void {
    for (const op of this.ninja.served(api)) {
      const base = this.views.functionView(op.fn, []);
      const methods = op.methods ?? STANDARD_METHODS;
      const view: DjangoView = { ...base, handlers: new Map(methods.map((m) => [m, op.fn.fn.name])), automatic: [], anyMethod: !op.methods, unresolved: [...base.unresolved, ...op.unresolved] };
      this.emit(op.at.call, op.at.ctx, prefix, op.route, view);
    }
    for (const own of this.ninja.ownViews(api)) this.emit(at, ctx, prefix, own.route, frameworkView(own.handler, ctx, lineOf(at.loc)));
  }

  private walkInclude(target: Expr, ctx: Ctx, prefix: Prefix, stack: ModuleFacts[], at: CallExpr, depth: number): void {
    if (depth > MAX_INCLUDE_DEPTH) return;
    // `include((patterns_or_module, "app_name"))` and `(patterns, app_name, namespace)`: the urlconf comes first.
    if (target.k === 'seq' && target.items.length >= 2 && target.items.length <= 3 && target.items[1].k !== 'call') {
      return this.walkInclude(target.items[0], ctx, prefix, stack, at, depth + 1);
    }
    const text = ['str', 'name', 'attr', 'concat', 'fstr'].includes(target.k) ? this.project.stringValue(target, ctx) : undefined;
    if (text !== undefined) {
      const mod = this.project.findModule(text, ctx.mod);
      if (mod) return this.walkModule(mod, prefix, stack);
      const bundled = BUNDLED_URLCONFS.get(text);
      if (bundled) return this.emitBundled(text, bundled, at, ctx, prefix);
      return this.unresolvedMount(prefix, ctx, lineOf(at.loc), `\`${text}\` is not in the project nor in a virtualenv found beside it (see --python-path)`, at);
    }
    if (target.k === 'attr' && target.name === 'urls' && this.walkUrlsAttribute(target, ctx, prefix, stack, at)) return;
    const api = this.ninjaApi(target, ctx);
    if (api) return this.emitNinja(api, prefix, ctx, at);
    // `include(debug_toolbar.urls)`: a bundled URLconf named by its module object.
    const named = this.project.resolve(target, ctx).find((v) => v.kind === 'external' && BUNDLED_URLCONFS.has(v.qname));
    if (named?.kind === 'external') return this.emitBundled(named.qname, BUNDLED_URLCONFS.get(named.qname)!, at, ctx, prefix);
    this.walkPatterns(target, ctx, prefix, stack, depth + 1);
  }

  /** `router.urls` and `admin.site.urls`; false when the object is neither. */
  private walkUrlsAttribute(expr: Extract<Expr, { k: 'attr' }>, ctx: Ctx, prefix: Prefix, stack: ModuleFacts[], at?: CallExpr): boolean {
    const owners = this.project.resolve(expr.obj, ctx);
    if (isAdminSite(owners)) {
      this.emitAdmin(prefix, ctx, lineOf((at ?? expr).loc), at ?? expr);
      this.walkAdminUrls(owners, prefix, stack, { ctx, loc: (at ?? expr).loc });
      return true;
    }
    return this.walkRouterOf(expr.obj, ctx, prefix);
  }

  private walkRouterOf(obj: Expr, ctx: Ctx, prefix: Prefix): boolean {
    const router = this.project.resolve(obj, ctx).find((v): v is Instance => Project.isInstance(v, ROUTERS));
    if (!router) return false;
    this.emitRouter(router, prefix);
    return true;
  }

  private emitEndpoint(call: CallExpr, ctx: Ctx, viewExpr: Expr, prefix: Prefix, text: string, kind: 'route' | 'regex'): void {
    if (prefix.protocol) return this.emitChannels(call, ctx, viewExpr, prefix, text);
    const view = this.views.view(viewExpr, ctx);
    for (const path of prefix.suffix ? [text, withSuffix(text, kind)] : [text]) {
      if ('why' in view) this.emitUnknown(call, ctx, prefix, path, view.why);
      else this.emit(call, ctx, prefix, path, view);
    }
  }

  private emit(at: Located, ctx: Ctx, prefix: Prefix, text: string, view: DjangoView): void {
    const route = this.routeAt(at, ctx, prefix, text);
    this.drafts.push({
      route: {
        ...route,
        framework: view.drf ? 'drf' : 'django',
        methods: view.anyMethod ? STANDARD_METHODS : sortedUnique(view.handlers.keys()),
        automaticMethods: view.anyMethod ? [] : view.automatic,
        unresolved: [...prefix.unresolved, ...view.unresolved],
        handler: view.handler,
        handlerFile: view.handlerFile,
        handlerLine: view.handlerLine,
      },
      context: { view },
    });
  }

  /**
   * What a Channels pattern serves: a WebSocket consumer; on the HTTP side, Django itself (whose routes ROOT_URLCONF
   * lists) or an ASGI application of its own, whose routes are not read.
   */
  private emitChannels(call: CallExpr, ctx: Ctx, viewExpr: Expr, prefix: Prefix, text: string): void {
    const endpoint = channelsEndpoint(this.project, viewExpr, ctx);
    if (endpoint.kind === 'django') return;
    if (prefix.protocol === 'http') {
      const why = endpoint.kind === 'unread' ? endpoint.why : `\`${endpoint.handler}\` is an ASGI application Channels serves here: its routes are not read`;
      return this.emitUnknown(call, ctx, prefix, text + UNRESOLVED_SEGMENT, why, 'include');
    }
    const route = this.routeAt(call, ctx, prefix, text);
    const handler = endpoint.kind === 'consumer' ? { handler: endpoint.handler, handlerFile: endpoint.handlerFile, handlerLine: endpoint.handlerLine } : { unresolved: [...route.unresolved, endpoint.why] };
    this.drafts.push({ route: { ...route, kind: 'websocket', methods: [], ...handler }, context: {} });
  }

  /** A route whose view cannot be read: every method, status unknown. */
  private emitUnknown(at: Located, ctx: Ctx, prefix: Prefix, text: string, why: string, kind: 'http' | 'include' = 'http'): void {
    const route = this.routeAt(at, ctx, prefix, text);
    const shape = kind === 'include' ? { kind, methods: [] } : {};
    this.drafts.push({ route: { ...route, ...shape, unresolved: [...prefix.unresolved, why], handlerFile: ctx.mod.file, handlerLine: lineOf(at.loc) }, context: {} });
  }

  /** What every route declared at `at` under `prefix` has, before its view is known. */
  private routeAt(at: Located, ctx: Ctx, prefix: Prefix, text: string): RouteDraft<DjangoRouteContext>['route'] {
    return {
      framework: 'django', kind: 'http', methods: STANDARD_METHODS, automaticMethods: [], path: `/${prefix.path}${text}`, unresolved: prefix.unresolved,
      ...declaredAt(ctx, at), handler: '?', handlerFile: ctx.mod.file, handlerLine: lineOf(at.loc),
      ...(this.app ? { app: this.app } : {}), prefixes: prefix.parts, ...assumedFor(this.project),
      ...((prefix.middleware ?? this.middleware).length && { hooks: prefix.middleware ?? this.middleware }),
    };
  }

  /** A urlconf we cannot read: one `include` entry for everything under the prefix, no method claimed. */
  private unresolvedMount(prefix: Prefix, ctx: Ctx, line: number, why: string, at?: Located): void {
    this.emitUnknown(at ?? { loc: locAt(line, 1) }, ctx, prefix, UNRESOLVED_SEGMENT, why, 'include');
  }

  /** The admin site: one framework-provided mount serving its login and model pages. */
  private emitAdmin(prefix: Prefix, ctx: Ctx, line: number, at: Located): void {
    this.emit(at, ctx, prefix, '', frameworkView('django.contrib.admin.site.urls', ctx, line));
  }

  /** The URLs the site's ModelAdmins add (see adminUrls), each under its model's `<app_label>/<model_name>/`. */
  private walkAdminUrls(site: Value[], prefix: Prefix, stack: ModuleFacts[], mount: { ctx: Ctx; loc: Loc }): void {
    const settings = { installedApps: this.installedApps(), userModel: this.settings?.string('AUTH_USER_MODEL') };
    for (const { modelPath, why, urls, at } of adminUrls(this.project, this.sites, site, settings, mount)) {
      const part = { value: modelPath ?? UNRESOLVED_SEGMENT, file: at.ctx.mod.file, line: lineOf(at.loc) };
      const under: Prefix = { ...prefix, path: prefix.path + part.value, parts: [...prefix.parts, part], unresolved: [...prefix.unresolved, ...(why ? [why] : [])] };
      if (urls === 'user-password') {
        this.emit(at, at.ctx, under, '<id>/password/', frameworkView('django.contrib.auth.admin.UserAdmin.user_change_password', at.ctx, lineOf(at.loc)));
        continue;
      }
      const { getUrls, self } = urls;
      const body: Ctx = { mod: getUrls.mod, scope: getUrls.fn.bodyScope, line: lineOf(getUrls.fn.loc), env: new Map([[getUrls.fn.params[0]?.name ?? 'self', self]]) };
      for (const r of getUrls.fn.returns) this.walkPatterns(r, { ...body, line: exprLine(r, body.line) }, under, stack);
    }
  }

  /** A bundled urlconf's routes in the version the project declares (the newest when it declares none). */
  private emitBundled(urlconf: string, patterns: BundledRoute[], at: CallExpr, ctx: Ctx, prefix: Prefix): void {
    for (const [route, qname, since] of patterns) {
      const known = externalView(qname);
      if (!known || (since && versionSide(this.project.metadata.packages.get(since.package), since.version) === 'below')) continue;
      // Anchors drop out as for the project's own re_path() patterns; path() rows have none.
      this.emit(at, ctx, prefix, stripAnchors(route), this.views.library(qname, known, ctx));
    }
    const installed = this.installedApps();
    const extras = (BUNDLED_EXTRAS.get(urlconf) ?? []).filter((extra) => !installed || installed.includes(extra.app));
    if (extras.length) {
      const apps = extras.map((extra) => `\`${extra.app}\``).join(', ');
      const why = `\`${urlconf}\` also serves ${extras.map((extra) => extra.what).join(', ')}, which depend on settings and are not listed (${apps} ${installed ? 'in' : 'perhaps in'} INSTALLED_APPS)`;
      this.unresolvedMount(prefix, ctx, lineOf(at.loc), why, at);
    }
  }

  /** The project's INSTALLED_APPS; undefined when not a static list. */
  private installedApps(): string[] | undefined {
    const setting = this.settings?.read('INSTALLED_APPS');
    return setting?.kind === 'value' ? stringList(this.project, setting.expr, setting.ctx) : undefined;
  }

  /** DRF SimpleRouter/DefaultRouter (rest_framework/routers.py `get_urls`): per viewset, the routes of its actions. */
  private emitRouter(router: Instance, prefix: Prefix): void {
    const { call, ctx } = router.site;
    const { slash, sites } = this.routerSetup(router);
    const isDefault = router.types.some((t) => DEFAULT_ROUTERS.includes(t));
    const kind = this.routerKind(router);
    const nesting = Project.isInstance(router, NESTED_ROUTERS) ? this.nestingParts(router, 0) ?? null : undefined;
    const registrations: Registration[] = sites.map((site) => ({ site, ...(nesting !== undefined && { nesting }) }));
    if (router.types.some((t) => NESTING_ROUTERS.includes(t))) registrations.push(...this.nestedRegistrations(registrations));
    // DefaultRouter's class switches, which a project subclass may turn off.
    const enabled = (name: string): boolean => {
      const value = router.cls && this.project.literalAttribute(router.cls, name);
      return isDefault && !(value?.expr.k === 'bool' && !value.expr.v);
    };
    const inner = { ...prefix, suffix: prefix.suffix || enabled('include_format_suffixes') };
    const routes = this.routerRoutes(router);
    for (const registration of registrations) this.emitViewSet(registration, inner, slash, kind, routes);
    if (enabled('include_root_view')) {
      const root = this.views.library('rest_framework.routers.APIRootView', externalView('rest_framework.routers.APIRootView')!, ctx);
      const rootKind = versionSide(this.project.metadata.packages.get('djangorestframework'), DRF_PATH_ROOT) === 'below' ? 'regex' : 'route';
      for (const text of inner.suffix ? ['', withSuffix('', rootKind)] : ['']) this.emit(call, ctx, inner, text, root);
    }
  }

  /**
   * A router's `register` calls and its trailing slash: `trailing_slash=False` gives none, `router.trailing_slash =
   * "/?"` (recorded as `router.__setattr__("trailing_slash", "/?")`) that text; a drf-nested-routers router given
   * neither takes its parent router's.
   */
  private routerSetup(router: Instance, depth = 0): { slash: string; sites: CallSite[] } {
    const { call } = router.site;
    const slashArg = kwarg(call, 'trailing_slash');
    const parent = !slashArg && depth < MAX_NESTING ? this.parentRouter(router) : undefined;
    let slash = parent ? this.routerSetup(parent, depth + 1).slash : slashArg?.k === 'bool' && !slashArg.v ? '' : '/';
    const sites: CallSite[] = [];
    const isRouter = (site: CallSite, obj: Expr): boolean => this.project.resolve(obj, site.ctx).some((v) => v.kind === 'instance' && v.site.key === router.site.key);
    for (const site of this.sites) {
      const { fn, args } = site.call;
      if (fn.k !== 'attr') continue;
      if (extendsRegistry(site.call)) {
        if (fn.obj.k === 'attr' && isRouter(site, fn.obj.obj) && depth < MAX_NESTING) sites.push(...this.joinedRegistrations(router, site, depth));
        continue;
      }
      const setsSlash = fn.name === '__setattr__' && args[0]?.k === 'str' && args[0].v === 'trailing_slash';
      if ((fn.name !== 'register' && !setsSlash) || !isRouter(site, fn.obj)) continue;
      if (setsSlash) slash = this.project.stringValue(args[1], site.ctx) ?? slash;
      else sites.push(site);
    }
    return { slash, sites };
  }

  /**
   * The `register` calls of the routers whose registry `router.registry.extend(other.registry)` adds to this one's:
   * DRF builds a router's URLs from its registry, so they are served with this router's prefix and trailing slash
   * (kpi's API v2 router joins three apps' routers so). A nested router's registrations, which need its parent's
   * lookup, are left to the warning for unresolved registrations.
   */
  private joinedRegistrations(router: Instance, site: CallSite, depth: number): CallSite[] {
    const other = site.call.args[0];
    if (other.k !== 'attr') return [];
    const joined = this.project.resolve(other.obj, site.ctx).filter((v): v is Instance => Project.isInstance(v, ROUTERS) && !v.types.some((t) => NESTED_ROUTERS.includes(t)) && v.site.key !== router.site.key);
    return joined.flatMap((r) => this.routerSetup(r, depth + 1).sites);
  }

  /** Regex routes unless the router is built with `use_regex_path=False` (DRF 3.15). */
  private routerKind(router: Instance): 'route' | 'regex' {
    const regexArg = kwarg(router.site.call, 'use_regex_path');
    return regexArg?.k === 'bool' && !regexArg.v ? 'route' : 'regex';
  }

  /** The router a drf-nested-routers router nests under (its first argument). */
  private parentRouter(router: Instance): Instance | undefined {
    if (!Project.isInstance(router, NESTED_ROUTERS)) return undefined;
    const { call, ctx } = router.site;
    const parentExpr = argument(call, 0, 'parent_router');
    return parentExpr && this.project.resolve(parentExpr, ctx).find((v): v is Instance => Project.isInstance(v, ROUTERS));
  }

  /**
   * drf-nested-routers' NestedMixin: a nested router's routes start with its parent's registration under
   * `parent_prefix` and that viewset's lookup, captured as `{lookup}_{lookup_url_kwarg}` (`lookup=` defaults to
   * `nested_{level}`): `domains/(?P<domain_pk>[^/.]+)/`, after its parent's own parts when that is nested too (no
   * leading slash for an empty `parent_prefix`). Undefined when any of it cannot be read.
   */
  private nestingParts(router: Instance, depth: number): PrefixPart[] | undefined {
    const parent = depth < MAX_NESTING ? this.parentRouter(router) : undefined;
    if (!parent) return undefined;
    const { call, ctx } = router.site;
    const prefixExpr = argument(call, 1, 'parent_prefix');
    const parentPrefix = prefixExpr && this.project.stringValue(prefixExpr, ctx);
    const outer = Project.isInstance(parent, NESTED_ROUTERS) ? this.nestingParts(parent, depth + 1) : [];
    if (parentPrefix === undefined || !outer) return undefined;
    // Without `lookup=`, its `nest_count`: one more than its parent's, which gave one part per level.
    const lookupExpr = kwarg(call, 'lookup');
    const lookup = lookupExpr ? this.project.stringValue(lookupExpr, ctx) : `nested_${outer.length + 1}`;
    if (lookup === undefined) return undefined;
    const registered = this.routerSetup(parent).sites.find((site) => {
      const own = argument(site.call, 0, 'prefix');
      return own && this.project.stringValue(own, site.ctx) === parentPrefix;
    });
    const viewsetExpr = registered && argument(registered.call, 1, 'viewset');
    const viewset = viewsetExpr && this.project.resolve(viewsetExpr, registered.ctx).find((v) => v.kind === 'class');
    if (viewset?.kind !== 'class') return undefined;
    const value = `${parentPrefix}/${this.lookup(viewset.ref, this.routerKind(parent), `${lookup}_`)}/`;
    return [...outer, { value: parentPrefix ? value : value.slice(1), file: ctx.mod.file, line: lineOf(call.loc) }];
  }

  /**
   * The `register` calls on what a registration of drf-extensions' nesting router returned
   * (`projects = router.register(...)`, then `projects.register("versions", ..., parents_query_lookups=[...])`), at
   * any depth, each with the registration it nests under.
   */
  private nestedRegistrations(top: Registration[]): Registration[] {
    const nested: Registration[] = [];
    const seen = new Set<CallSite>(top.map((r) => r.site));
    for (let level = top, depth = 0; level.length && depth < MAX_NESTING; depth++) {
      const byCall = new Map(level.map((r) => [r.site.call, r]));
      level = this.sites.flatMap((site) => {
        const { fn } = site.call;
        if (fn.k !== 'attr' || fn.name !== 'register' || seen.has(site)) return [];
        const parent = this.project.resolve(fn.obj, site.ctx).map((v) => (v.kind === 'result' ? byCall.get(v.call) : undefined)).find((r) => r !== undefined);
        return parent ? [{ site, parent }] : [];
      });
      for (const r of level) seen.add(r.site);
      nested.push(...level);
    }
    return nested;
  }

  /**
   * The prefix a registration passes to `register` as written; with drf-extensions, its parents' before it, each
   * parent a part of the route's prefix (see parentParts): its routes rest on what was read at those registrations.
   */
  private registeredPrefix(registration: Registration): { written?: string; parts: PrefixPart[] } {
    const { call, ctx } = registration.site;
    const prefixExpr = argument(call, 0, 'prefix');
    const written = prefixExpr ? this.project.stringValue(prefixExpr, ctx) : undefined;
    const { nesting } = registration;
    if (nesting !== undefined) return nesting && written !== undefined ? { written: `${nesting.map((p) => p.value).join('')}${written}`, parts: nesting } : { parts: [] };
    if (!registration.parent || written === undefined) return { written, parts: [] };
    const parts = this.parentParts(registration.parent, argument(call, 3, 'parents_query_lookups'), ctx);
    return parts ? { written: `${parts.map((p) => p.value).join('').replace(/^\/+|\/+$/g, '')}/${written}`, parts } : { parts: [] };
  }

  /**
   * drf-extensions' NestedRegistryItem.get_parent_prefix: outermost first, each parent's own prefix and a group
   * capturing its lookup (`(?P<parent_lookup_project__slug>[^/.]+)`, the regex from the parent viewset's
   * `lookup_value_regex`), named by the lookups listed, the last for the nearest (a negative index counts from the end,
   * as Python's does).
   */
  private parentParts(parent: Registration, lookupsExpr: Expr | undefined, ctx: Ctx): PrefixPart[] | undefined {
    const lookups = lookupsExpr && stringList(this.project, lookupsExpr, ctx);
    if (!lookups) return undefined;
    const parts: PrefixPart[] = [];
    let index = lookups.length - 1;
    for (let item: Registration | undefined = parent; item; item = item.parent, index--) {
      const own = argument(item.site.call, 0, 'prefix');
      const ownText = own && this.project.stringValue(own, item.site.ctx);
      const lookup = lookups.at(index);
      if (ownText === undefined || lookup === undefined) return undefined;
      const value = `${ownText}/(?P<${PARENT_LOOKUP_PREFIX}${lookup}>${this.lookupValueRegex(item.site) ?? '[^/.]+'})/`;
      parts.unshift({ value, file: item.site.ctx.mod.file, line: lineOf(item.site.call.loc) });
    }
    return parts;
  }

  /** The registered viewset's `lookup_value_regex`, when it sets one. */
  private lookupValueRegex({ call, ctx }: CallSite): string | undefined {
    const viewsetExpr = argument(call, 1, 'viewset');
    const cls = viewsetExpr && this.project.resolve(viewsetExpr, ctx).find((v) => v.kind === 'class');
    const value = cls?.kind === 'class' ? this.project.literalAttribute(cls.ref, 'lookup_value_regex') : undefined;
    return value && this.project.stringValue(value.expr, value.ctx);
  }

  /**
   * The route templates a router serves each viewset with: its class's own `routes` (DRF's way to customise a
   * router: `Route(url=r"^{prefix}/{lookup}/edit/$", mapping={"get": "update", "post": "update"}, ...)`), else
   * DRF's. Own routes the scan cannot read give DRF's, saying so.
   */
  private routerRoutes(router: Instance): { templates: RouteTemplate[]; unread?: string } {
    const standard = standardRoutes(Project.isInstance(router, BULK_ROUTERS) ? BULK_LIST_ROUTE : undefined);
    const own = router.cls && this.project.classAttribute(router.cls, 'routes');
    if (!own || !router.cls) return { templates: standard };
    const written = own.length === 1 && own[0].kind === 'literal' ? own[0] : undefined;
    const templates = written?.expr.k === 'seq' ? written.expr.items.map((item) => this.routeTemplate(item, written.ctx)) : [];
    if (written && templates.length && templates.every((t) => t)) return { templates: templates as RouteTemplate[] };
    return { templates: standard, unread: `the \`routes\` of router class \`${router.cls.cls.qualname}\` cannot be read statically: DRF's standard routes are listed` };
  }

  /** `Route(url=..., mapping={...}, name=..., detail=..., initkwargs=...)` or `DynamicRoute(url=..., name=..., detail=..., initkwargs=...)`. */
  private routeTemplate(expr: Expr, ctx: Ctx): RouteTemplate | undefined {
    if (expr.k !== 'call') return undefined;
    const kind = lastSegment(decoratorName(this.project, expr, ctx) ?? '');
    const url = argument(expr, 0, 'url');
    const text = url && this.project.stringValue(url, ctx);
    const detail = argument(expr, kind === 'Route' ? 3 : 2, 'detail');
    if (text === undefined || detail?.k !== 'bool') return undefined;
    const template = { url: stripAnchors(text), detail: detail.v };
    if (kind === 'DynamicRoute') return template;
    const mapping = argument(expr, 1, 'mapping');
    if (kind !== 'Route' || mapping?.k !== 'dict' || mapping.spreads) return undefined;
    const entries = mapping.entries.map(([key, value]) => [this.project.stringValue(key, ctx), this.project.stringValue(value, ctx)]);
    return entries.every(([m, action]) => m !== undefined && action !== undefined) ? { ...template, mapping: Object.fromEntries(entries) } : undefined;
  }

  private emitViewSet(registration: Registration, prefix: Prefix, slash: string, kind: 'route' | 'regex', routerRoutes: { templates: RouteTemplate[]; unread?: string }): void {
    const { call, ctx } = registration.site;
    const { written, parts } = this.registeredPrefix(registration);
    const viewsetExpr = argument(call, 1, 'viewset');
    const cls = viewsetExpr ? this.project.resolve(viewsetExpr, ctx).find((v) => v.kind === 'class') : undefined;
    const at = `${ctx.mod.file}:${lineOf(call.loc)}`;
    const why = registration.nesting === null
      ? `nested router (${at}): its parent router, \`parent_prefix\` or \`lookup\`, or the viewset registered there, cannot be read statically`
      : registration.parent ? `nested router prefix (${at}): a prefix or \`parents_query_lookups\` is not static` : `router prefix (${at}) is not a static string`;
    const here = written === undefined ? { ...prefix, unresolved: [...prefix.unresolved, why] } : { ...prefix, parts: [...prefix.parts, ...parts] };
    const routePrefix = written ?? UNRESOLVED_SEGMENT;
    if (cls?.kind !== 'class') {
      this.emitUnknown(call, ctx, here, `${routePrefix}${slash}`, `viewset \`${viewsetExpr ? Project.describe(viewsetExpr) : '?'}\` cannot be resolved statically`);
      return;
    }
    const ref = cls.ref;
    const actions = this.views.viewsetActions(ref);
    // Actions inherited from a base outside the project and outside the known libraries cannot be listed, nor
    // those of a class with no DRF view among its bases (a metaclass may hand the router another class's): the
    // router's every standard route is kept, marked unresolved, rather than dropped.
    const bases = this.project.externalBases(ref);
    const unreadBase = bases.find((q) => !isKnownPackage(q) && !externalView(q) && !addsNothing(q));
    const unread = unreadBase
      ? `actions of base \`${unreadBase}\` are unknown`
      : !bases.some((q) => externalView(q)?.drf) && `\`${ref.cls.qualname}\` has no DRF view among its bases, so its actions are not its own`;
    const lookup = this.lookup(ref, kind);
    const extra = this.extraActions(ref);
    const routes: { url: string; mapping: Map<string, string>; options: ViewOption[]; unread?: string }[] = [];
    const own = (map: Record<string, string>): Map<string, string> => new Map(Object.entries(map).filter(([, action]) => unread || actions.has(action)));
    // Replaced by functions: a `$` in a prefix or lookup regex is text, not a replacement pattern.
    const filled = (url: string): string => url.replace('{prefix}', () => routePrefix).replace('{lookup}', () => lookup).replace('{trailing_slash}', () => slash);
    for (const t of routerRoutes.templates) {
      if (t.mapping) routes.push({ url: filled(t.url), mapping: own(t.mapping), options: [] });
      else for (const a of extra.filter((x) => x.detail === t.detail)) routes.push({ url: filled(t.url.replace('{url_path}', () => a.urlPath)), mapping: a.mapping, options: a.options, unread: a.unread });
    }
    for (const route of routes) {
      if (!route.mapping.size) continue;
      const url = !written && route.url.startsWith('/') ? route.url.slice(1) : route.url;
      const base = this.views.classView(ref, [], route.options);
      const view = this.views.withActions(base, route.mapping, ctx);
      if (!view.handlers.size) continue; // every method it maps is one `http_method_names` leaves out
      if (unread) view.unresolved.push(`${unread}: the router's standard methods are listed`);
      if (routerRoutes.unread) view.unresolved.push(routerRoutes.unread);
      if (route.unread) view.unresolved.push(route.unread);
      for (const text of prefix.suffix ? [url, withSuffix(url, kind)] : [url]) this.emit(call, ctx, here, text, view);
    }
  }

  /**
   * `(?P<pk>[^/.]+)` (or `<str:pk>` with use_regex_path=False), from the viewset's lookup attributes; the group named
   * after `lookupPrefix` too, as DRF's get_lookup_regex names it.
   */
  private lookup(ref: ClassRef, kind: 'route' | 'regex', lookupPrefix = ''): string {
    const attr = (name: string): string | undefined => {
      const value = this.project.literalAttribute(ref, name);
      return value && this.project.stringValue(value.expr, value.ctx);
    };
    const kwargName = lookupPrefix + (attr('lookup_url_kwarg') ?? attr('lookup_field') ?? 'pk');
    if (kind === 'route') return `<${attr('lookup_value_converter') ?? attr('lookup_value_regex') ?? 'str'}:${kwargName}>`;
    return `(?P<${kwargName}>${attr('lookup_value_regex') ?? '[^/.]+'})`;
  }

  /** `@action(detail=..., methods=[...], url_path=...)` methods of a viewset, with `@x.mapping.<method>` additions. */
  private extraActions(ref: ClassRef): { name: string; detail: boolean; urlPath: string; mapping: Map<string, string>; options: ViewOption[]; unread?: string }[] {
    const found: ReturnType<UrlWalker['extraActions']> = [];
    const seen = new Set<string>();
    const chain = this.project.classChain(ref);
    for (const c of chain) {
      for (const fn of c.mod.functions.filter((f) => f.scope === c.cls.bodyScope)) {
        if (seen.has(fn.name)) continue;
        seen.add(fn.name);
        const ctx = { mod: c.mod, scope: fn.scope, line: lineOf(fn.loc) };
        const decorator = fn.decorators
          .map((expr) => ({ expr, qname: decoratorName(this.project, expr, ctx) ?? '' }))
          .find(({ qname }) => qname.startsWith('rest_framework.') && ['action', 'detail_route', 'list_route'].includes(lastSegment(qname)));
        if (!decorator) continue;
        const kind = lastSegment(decorator.qname);
        const call = decorator.expr.k === 'call' ? decorator.expr : undefined;
        const detailArg = call ? kwarg(call, 'detail') : undefined;
        const detail = kind === 'detail_route' || (kind === 'action' && detailArg?.k === 'bool' && detailArg.v);
        const methodsArg = call ? argument(call, 0, 'methods') : undefined;
        const listed = methodsArg ? stringList(this.project, methodsArg, ctx) : ['get'];
        // Methods that cannot be read are not taken for GET: every method is listed, and the route says why.
        const methods = listed ?? STANDARD_METHODS;
        const unread = listed ? undefined : `the methods of \`@action\` \`${fn.name}\` (${c.mod.file}:${exprLine(decorator.expr, lineOf(fn.loc))}) cannot be read: every method is listed`;
        const urlPathArg = call ? kwarg(call, 'url_path') : undefined;
        const urlPath = (urlPathArg && this.project.stringValue(urlPathArg, ctx)) ?? fn.name;
        const mapping = new Map(methods.map((m) => [m.toLowerCase(), fn.name] as [string, string]));
        const options = (call?.kwargs ?? []).filter(([k]) => !['detail', 'methods', 'url_path', 'url_name'].includes(k)).map(([name, expr]) => ({ name, expr, ctx }));
        found.push({ name: fn.name, detail, urlPath, mapping, options, ...(unread && { unread }) });
      }
    }
    // `@set_price.mapping.delete` on another method adds DELETE to the `set_price` route, handled by that method.
    for (const c of chain) {
      for (const fn of c.mod.functions.filter((f) => f.scope === c.cls.bodyScope)) {
        for (const d of fn.decorators) {
          if (d.k !== 'attr' || d.obj.k !== 'attr' || d.obj.name !== 'mapping') continue;
          const owner = dottedName(d.obj.obj);
          found.find((a) => a.name === owner)?.mapping.set(d.name.toLowerCase(), fn.name);
        }
      }
    }
    return found;
  }
}

/**
 * The request methods (`__call__`, `process_request`, `process_view`) of the project's own middleware classes
 * MIDDLEWARE lists: code Django runs for every request, read for the project's own rate limiter.
 */
function middlewareHooks(project: Project, settings: DjangoSettings): Hook[] {
  const setting = settings.read('MIDDLEWARE');
  const listed = setting.kind === 'value' ? stringList(project, setting.expr, setting.ctx) ?? [] : [];
  return listed.flatMap((dotted) => {
    const mod = project.findModule(dotted.slice(0, dotted.lastIndexOf('.')));
    const cls = mod?.classes.find((c) => c.qualname === dotted.slice(dotted.lastIndexOf('.') + 1));
    if (!mod || !cls) return [];
    return ['__call__', 'process_request', 'process_view'].flatMap((name) => {
      const method = project.methodOf({ mod, cls }, name);
      return method ? [{ file: method.mod.file, line: lineOf(method.fn.loc), middleware: dotted }] : [];
    });
  });
}

function stripAnchors(regex: string): string {
  return regex.replace(/^\^/, '').replace(/\$$/, '');
}

function trimSlash(text: string): string {
  return text.replace(/\/$/, '');
}

/**
 * Patterns a helper returns, read with the call's arguments bound (`source.ctx.env`): declared at the call when
 * built from those arguments (`optional_slash_path("users", UserView.as_view())`), as other frameworks' helpers'
 * routes are; at the helper's own lines otherwise.
 */
function declaredAtCall(source: { expr: Expr; ctx: Ctx }, call: Expr & { k: 'call' }, ctx: Ctx): Ctx {
  const { env } = source.ctx;
  if (!env || source.ctx.via || !someExpr(source.expr, (e) => e.k === 'name' && env.has(e.id))) return source.ctx;
  return { ...source.ctx, via: ctx.via ?? { file: ctx.mod.file, line: lineOf(call.loc), column: columnOf(call.loc) } };
}

/**
 * The module whose `urlpatterns` a list is, when a module-level `urlpatterns` assignment gives it, with the lines over
 * which the name holds that list: until it is bound to another (`urlpatterns += more` extends the same list).
 */
function urlconfListed({ expr, ctx }: { expr: Expr; ctx: Ctx }): { mod: ModuleFacts; lines: { from: number; to: number } } | undefined {
  if (ctx.scope !== 0) return undefined;
  const bindings = (ctx.mod.bindings[0] ?? []).filter((b): b is Extract<Binding, { kind: 'assign' }> => b.kind === 'assign' && b.name === 'urlpatterns');
  const own = bindings.find((b) => b.value === expr);
  const next = own && bindings.find((b) => b.line > own.line && !extendsList(b));
  return own && { mod: ctx.mod, lines: { from: own.line, to: next?.line ?? Infinity } };
}
