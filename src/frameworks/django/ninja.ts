/**
 * django-ninja: what `path("api/", api.urls)` serves for a `NinjaAPI`. Its operations (`@api.get(path)`,
 * `@router.post(path)`, `api_operation(methods, path)`, `add_api_operation(path, methods, view)`) on the API itself and
 * on the routers `add_router(prefix, router)` attaches, a router also by its dotted path ("app.api.router"), routers
 * inside routers under the joined prefixes; then the API's OpenAPI document, docs page and root view. Paths as ninja
 * hands them to Django: `{id}` becomes `<id>`, `{int:id}` `<int:id>`, prefix and path joined by `/` without doubles.
 */
import type { CallExpr, Expr } from '../../python/ir';
import { argument, lineOf } from '../../python/ir';
import { Project, type Ctx, type FunctionRef, type Value } from '../../python/project';
import { callSites, calling, functionCtx, httpMethods, UNRESOLVED_SEGMENT } from '../common';
import { addTo, lookupTable } from '../../collections';

type Instance = Extract<Value, { kind: 'instance' }>;

const NINJA_API = ['ninja.NinjaAPI', 'ninja.main.NinjaAPI'];
const NINJA_ROUTER = ['ninja.Router', 'ninja.router.Router'];
const SHORTCUTS = lookupTable<string>({ get: 'GET', post: 'POST', put: 'PUT', patch: 'PATCH', delete: 'DELETE' });

export const isNinjaApi = (v: Value): v is Instance => Project.isInstance(v, NINJA_API);
const isOwner = (v: Value): v is Instance => isNinjaApi(v) || Project.isInstance(v, NINJA_ROUTER);

/** One operation as the API serves it: its route text under the API's mount (`{?}` where a part cannot be read). */
export interface NinjaOperation {
  route: string;
  methods: string[] | undefined; // undefined when they cannot be read
  fn: FunctionRef;
  at: { call: CallExpr; ctx: Ctx }; // the decorator or call that declares it
  unresolved: string[];
}

/** An operation as declared on its API or router: its path under that owner. */
type Declared = Omit<NinjaOperation, 'route'> & { path: string };

// The views ninja adds to every API besides its operations (see ownViews).
const OPENAPI_VIEW = 'ninja.openapi.views.openapi_json';
const DOCS_VIEW = 'ninja.openapi.views.openapi_view';
const ROOT_VIEW = 'ninja.openapi.views.default_home';

export class NinjaApis {
  private operations?: Map<string, Declared[]>; // by owner site key
  private routers?: Map<string, { prefix: string; child: Instance; unresolved: string[] }[]>; // by owner site key

  constructor(private readonly project: Project) {}

  /** What the API serves, in the order ninja lists its URLs (its own views aside). */
  served(api: Instance): NinjaOperation[] {
    this.operations ??= this.readOperations();
    this.routers ??= this.readRouters();
    const out: NinjaOperation[] = [];
    const walk = (owner: Instance, prefix: string, unresolved: string[], seen: Set<string>): void => {
      if (seen.has(owner.site.key)) return;
      const inside = new Set([...seen, owner.site.key]);
      for (const op of this.operations!.get(owner.site.key) ?? []) {
        out.push({ ...op, route: joined(prefix, op.path), unresolved: [...unresolved, ...op.unresolved] });
      }
      for (const edge of this.routers!.get(owner.site.key) ?? []) walk(edge.child, joined(prefix, edge.prefix), [...unresolved, ...edge.unresolved], inside);
    };
    walk(api, '', [], new Set());
    return out;
  }

  /** The API's own views and their routes, but those its constructor turns off (`docs_url=None`). */
  ownViews(api: Instance): { route: string; handler: string }[] {
    const text = (option: string, fallback: string): string | null | undefined => {
      const given = this.project.constructionKeyword(api, option);
      if (!given) return fallback;
      return given.expr.k === 'none' ? null : this.project.stringValue(given.expr, given.ctx);
    };
    // The docs page is served only beside the OpenAPI document; the root view always, last.
    const openapi = text('openapi_url', '/openapi.json');
    const docs = openapi === null ? null : text('docs_url', '/docs');
    const shown = (route: string | undefined): string => (route ?? UNRESOLVED_SEGMENT).replace(/^\/+/, '');
    return [
      ...(openapi === null ? [] : [{ route: shown(openapi), handler: OPENAPI_VIEW }]),
      ...(docs === null ? [] : [{ route: shown(docs), handler: DOCS_VIEW }]),
      { route: '', handler: ROOT_VIEW },
    ];
  }

  private readOperations(): Map<string, Declared[]> {
    const byOwner = new Map<string, Declared[]>();
    const add = (owners: Instance[], path: { expr?: Expr; ctx: Ctx }, methods: string[] | undefined, fn: FunctionRef, at: { call: CallExpr; ctx: Ctx }): void => {
      const text = path.expr ? this.project.stringValue(path.expr, path.ctx) : undefined;
      const unresolved = text === undefined ? [`path \`${path.expr ? Project.describe(path.expr) : '?'}\` (${at.ctx.mod.file}:${lineOf(at.call.loc)}) is not a static string`] : [];
      for (const owner of owners) addTo(byOwner, owner.site.key, { path: djangoText(text), methods, fn, at, unresolved });
    };
    for (const mod of this.project.modules) {
      for (const fn of mod.functions) {
        const ctx = functionCtx(mod, fn);
        for (const dec of fn.decorators) {
          if (dec.k !== 'call' || dec.fn.k !== 'attr' || !(dec.fn.name in SHORTCUTS || dec.fn.name === 'api_operation')) continue;
          const owners = this.project.resolve(dec.fn.obj, ctx).filter(isOwner);
          if (!owners.length) continue;
          const shortcut = SHORTCUTS[dec.fn.name];
          const path = shortcut ? argument(dec, 0, 'path') : argument(dec, 1, 'path');
          add(owners, { expr: path, ctx }, shortcut ? [shortcut] : this.methods(argument(dec, 0, 'methods'), ctx), { mod, fn }, { call: dec, ctx });
        }
      }
    }
    for (const { call, ctx } of callSites(this.project, (c) => calling(c, ['add_api_operation']))) {
      if (call.fn.k !== 'attr') continue;
      const owners = this.project.resolve(call.fn.obj, ctx).filter(isOwner);
      const view = argument(call, 2, 'view_func');
      const fn = view && this.project.resolve(view, ctx).find((v) => v.kind === 'function');
      if (owners.length && fn?.kind === 'function') add(owners, { expr: argument(call, 0, 'path'), ctx }, this.methods(argument(call, 1, 'methods'), ctx), fn.ref, { call, ctx });
    }
    return byOwner;
  }

  private methods(expr: Expr | undefined, ctx: Ctx): string[] | undefined {
    return expr && httpMethods(this.project, expr, ctx);
  }

  /** `owner.add_router(prefix, router)`, the router an object or its dotted path. */
  private readRouters(): Map<string, { prefix: string; child: Instance; unresolved: string[] }[]> {
    const byOwner = new Map<string, { prefix: string; child: Instance; unresolved: string[] }[]>();
    for (const { call, ctx } of callSites(this.project, (c) => calling(c, ['add_router']))) {
      if (call.fn.k !== 'attr') continue;
      const owners = this.project.resolve(call.fn.obj, ctx).filter(isOwner);
      const prefixExpr = argument(call, 0, 'prefix');
      const routerExpr = argument(call, 1, 'router');
      if (!owners.length || !prefixExpr || !routerExpr) continue;
      const text = this.project.stringValue(prefixExpr, ctx);
      const unresolved = text === undefined ? [`router prefix \`${Project.describe(prefixExpr)}\` (${ctx.mod.file}:${lineOf(call.loc)}) is not a static string`] : [];
      for (const child of this.routerNamed(routerExpr, ctx)) {
        for (const owner of owners) addTo(byOwner, owner.site.key, { prefix: djangoText(text), child, unresolved });
      }
    }
    return byOwner;
  }

  /** A router given as an object or as the dotted path ninja imports (`"archivebox.api.v1_auth.router"`). */
  private routerNamed(expr: Expr, ctx: Ctx): Instance[] {
    const dotted = this.project.stringValue(expr, ctx);
    if (dotted === undefined) return this.project.resolve(expr, ctx).filter(isOwner);
    const cut = dotted.lastIndexOf('.');
    const mod = cut > 0 ? this.project.findModule(dotted.slice(0, cut), ctx.mod) : undefined;
    return mod ? this.project.resolve({ k: 'name', id: dotted.slice(cut + 1), loc: expr.k === 'str' ? expr.loc : 0 }, this.project.moduleCtx(mod)).filter(isOwner) : [];
  }
}

/** ninja's join: non-empty parts joined by `/`, doubled slashes folded, no leading one. */
function joined(prefix: string, path: string): string {
  return [prefix, path].filter((p) => p).join('/').replace(/\/{2,}/g, '/').replace(/^\/+/, '');
}

/** A path or prefix as ninja hands it to Django: `{id}` as `<id>`, `{int:id}` as `<int:id>`; `{?}` where unread. */
function djangoText(text: string | undefined): string {
  return text === undefined ? UNRESOLVED_SEGMENT : text.replace(/\{/g, '<').replace(/\}/g, '>');
}
