/**
 * Django Channels (channels/routing.py, 4.0): a `ProtocolTypeRouter` maps each protocol (`"websocket"`, `"http"`) to
 * an ASGI application; a `URLRouter` in it routes by path with Django's `path()`/`re_path()` patterns, joined as
 * Django joins includes (a nested `URLRouter` is a prefix), usually behind middleware
 * (`AllowedHostsOriginValidator(AuthMiddlewareStack(URLRouter(patterns)))`). This module finds the URLRouters an
 * application holds and what each pattern serves; urls.ts walks their patterns.
 */
import type { CallExpr, Expr } from '../../python/ir';
import { eachCall, exprLine, lineOf } from '../../python/ir';
import { Project, type Ctx, type Value } from '../../python/project';
import type { AnalyzedRoute, Hook } from '../../model';
import type { RouteDraft } from '../common';
import { decoratorName } from '../common';

const URL_ROUTERS = ['channels.routing.URLRouter'];
const PROTOCOL_ROUTERS = ['channels.routing.ProtocolTypeRouter'];
// What `get_asgi_application()` gives: Django itself, whose routes come from ROOT_URLCONF whatever prefix routes to it.
const DJANGO_APPLICATIONS = ['django.core.asgi.get_asgi_application', 'django.core.handlers.asgi.ASGIHandler'];
// An application expression is followed through this many wrappers and names.
const MAX_WRAPPING = 12;

export type ChannelsProtocol = 'websocket' | 'http';

/** A `URLRouter(...)` call, with the project middleware found wrapping it on the way from the application. */
export interface UrlRouter {
  call: CallExpr;
  ctx: Ctx;
  middleware: Hook[];
  wrapped?: true; // inside another application (middleware), which hides it from a router above (see hidesNesting)
}

/** A URLRouter an application serves; `protocol` undefined for one no ProtocolTypeRouter found statically mounts. */
export interface ChannelsMount extends UrlRouter {
  protocol?: ChannelsProtocol;
}

/**
 * Each URLRouter the project's ProtocolTypeRouters mount under `"websocket"` or `"http"`, then every other
 * URLRouter built at a statement of its own (what start-up code or a router we cannot read may mount).
 */
export function channelsMounts(project: Project): ChannelsMount[] {
  const users = project.modules.filter((mod) => Project.imports(mod, ['channels']));
  const statements = users.flatMap((mod) => mod.calls.map((stmt) => ({ call: stmt.call, ctx: { mod, scope: stmt.scope, line: lineOf(stmt.call.loc) } })));
  const mounts: ChannelsMount[] = [];
  for (const { call, ctx } of statements) {
    const [mapping] = call.args;
    if (call.args.length !== 1 || mapping.k !== 'dict' || !mapping.entries.some(([key]) => protocolOf(key)) || !isProtocolRouter(project, call, ctx)) continue;
    for (const [key, value] of mapping.entries) {
      const protocol = protocolOf(key);
      if (protocol) mounts.push(...routersIn(project, value, ctx).map((router) => ({ ...router, protocol })));
    }
  }
  const mounted = new Set(mounts.map((m) => m.call));
  for (const { call, ctx } of statements) {
    eachCall(call, (inner) => {
      if (!mounted.has(inner) && isUrlRouter(project, inner, ctx)) mounts.push({ call: inner, ctx, middleware: [] });
    });
  }
  return mounts;
}

function protocolOf(key: Expr | undefined): ChannelsProtocol | undefined {
  return key?.k === 'str' && (key.v === 'websocket' || key.v === 'http') ? key.v : undefined;
}

/** `ProtocolTypeRouter({...})`, or a project subclass of it (AWX's `cls({...})`, `cls` defaulting to one). */
function isProtocolRouter(project: Project, call: CallExpr, ctx: Ctx): boolean {
  return project.resolve(call.fn, ctx).some((v) => (v.kind === 'external' && PROTOCOL_ROUTERS.includes(v.qname)) || (v.kind === 'class' && project.externalBases(v.ref).some((b) => PROTOCOL_ROUTERS.includes(b))));
}

/** `URLRouter(...)`, named so (read first: every call of the project is asked). */
function isUrlRouter(project: Project, call: CallExpr, ctx: Ctx): boolean {
  const named = call.fn.k === 'name' ? call.fn.id : call.fn.k === 'attr' ? call.fn.name : undefined;
  return named === 'URLRouter' && URL_ROUTERS.includes(decoratorName(project, call, ctx) ?? '');
}

/**
 * The URLRouters an application expression holds: itself, or inside the middleware wrapping it (call arguments,
 * names bound to them, a parameter through the calls passing it), with the project's middleware classes met on the way.
 */
export function routersIn(project: Project, expr: Expr, ctx: Ctx, middleware: Hook[] = [], depth = 0): UrlRouter[] {
  if (depth > MAX_WRAPPING) return [];
  if (expr.k === 'call') {
    if (isUrlRouter(project, expr, ctx)) return [{ call: expr, ctx, middleware }];
    const within = [...middleware, ...middlewareHook(project, expr, ctx)];
    const inner = [...expr.args, ...expr.kwargs.map(([, value]) => value)].flatMap((arg) => routersIn(project, arg, ctx, within, depth + 1));
    return inner.map((router): UrlRouter => ({ ...router, wrapped: true }));
  }
  if (expr.k !== 'name' && expr.k !== 'attr') return [];
  return project.resolve(expr, ctx).flatMap((v) => {
    const source = sourceOf(v);
    return source && source.expr !== expr ? routersIn(project, source.expr, source.ctx, middleware, depth + 1) : [];
  });
}

/**
 * Why Channels routes nothing below a pattern to a router (but its own empty patterns): URLRouter makes a pattern a
 * prefix only when what it routes to is a URLRouter itself; behind middleware it stays an endpoint, which `path()`
 * and a regex ending in `$` match against the whole path (channels/routing.py, URLRouter.__init__; checked with
 * Channels 4.0).
 */
export function hidesNesting(router: UrlRouter, kind: 'route' | 'regex', written: string | undefined): string | undefined {
  if (!router.wrapped || (kind === 'regex' && !/(^|[^\\])\$$/.test(written ?? ''))) return undefined;
  return `Channels routes no longer path through this pattern: the application around the URLRouter (${router.ctx.mod.file}:${lineOf(router.call.loc)}) hides it from the router above, so the pattern must match the whole path (only the inner router's empty patterns answer)`;
}

/** The expression a value was made by: a call's, or a literal's. */
function sourceOf(value: Value): { expr: Expr; ctx: Ctx } | undefined {
  if (value.kind === 'instance') return { expr: value.site.call, ctx: value.site.ctx };
  if (value.kind === 'result') return { expr: value.call, ctx: value.ctx };
  if (value.kind === 'literal') return { expr: value.expr, ctx: value.ctx };
  return undefined;
}

/** A project middleware class wrapping the routes (`TokenAuthMiddleware(URLRouter(...))`): its `__call__` runs first. */
function middlewareHook(project: Project, call: CallExpr, ctx: Ctx): Hook[] {
  return project.resolve(call.fn, ctx).flatMap((v) => {
    const method = v.kind === 'class' && project.methodOf(v.ref, '__call__');
    return method ? [{ file: method.mod.file, line: lineOf(method.fn.loc), middleware: `${v.ref.mod.module}.${v.ref.cls.qualname}` }] : [];
  });
}

/** What one pattern of a URLRouter serves. */
export type ChannelsEndpoint =
  | { kind: 'consumer'; handler: string; handlerFile: string; handlerLine: number }
  | { kind: 'django' } // Django's own application: its routes are read from ROOT_URLCONF
  | { kind: 'unread'; why: string };

/**
 * A consumer (`ChatConsumer.as_asgi()`, or the class itself as Channels 2 took it), a plain ASGI function, or Django's
 * own application.
 */
export function channelsEndpoint(project: Project, view: Expr, ctx: Ctx): ChannelsEndpoint {
  const target = view.k === 'call' && view.fn.k === 'attr' && view.fn.name === 'as_asgi' ? view.fn.obj : view;
  const values = project.resolve(target, ctx);
  if (values.some((v) => (v.kind === 'result' && v.callee.kind === 'external' && DJANGO_APPLICATIONS.includes(v.callee.qname)) || Project.isInstance(v, DJANGO_APPLICATIONS))) return { kind: 'django' };
  for (const v of values) {
    if (v.kind === 'class') return { kind: 'consumer', handler: `${v.ref.mod.module}.${v.ref.cls.qualname}`, handlerFile: v.ref.mod.file, handlerLine: lineOf(v.ref.cls.loc) };
    if (v.kind === 'function') return { kind: 'consumer', handler: `${v.ref.mod.module}.${v.ref.fn.qualname}`, handlerFile: v.ref.mod.file, handlerLine: lineOf(v.ref.fn.loc) };
    if (v.kind === 'external') return { kind: 'consumer', handler: v.qname, handlerFile: ctx.mod.file, handlerLine: exprLine(view, ctx.line) };
  }
  return { kind: 'unread', why: `the application \`${Project.describe(view)}\` (${ctx.mod.file}:${exprLine(view, ctx.line)}) cannot be resolved statically` };
}

/**
 * A consumer's route: Django's limiters (django-ratelimit, DRF throttling, django-allauth) limit HTTP views, none a
 * Channels consumer; a limiter of the project's own, in its middleware or consumer, is looked for as on any route.
 */
export function consumerProtection(route: RouteDraft<unknown>['route']): AnalyzedRoute {
  const message = "Django's rate limiters (django-ratelimit, DRF throttling, django-allauth) limit HTTP views: none limits a Channels consumer's connections or messages";
  return { ...route, status: 'unlimited', limits: [], evidence: [{ file: route.file, line: route.line, message }] };
}
