/** AP015: the same handler or resource reachable by another route with weaker protection (shadow endpoints). */
import { declaredMethods, routeLabel, type ProtectionStatus, type Route } from '../src/model';
import { flaskLimiterApp } from './examples';
import { defineRule } from './types';

const STRENGTH: Record<ProtectionStatus, number> = { limited: 2, unknown: 1, unlimited: 0, exempt: 0 };

/**
 * The app and the path without version segments, parameter names or a trailing slash:
 * `/api/v1/users/<id>/` → `/api/users/{}`. Equal paths in different apps of a monorepo are not twins.
 */
function resourceKey(route: Route): string {
  const app = route.app ? `${route.app.file}:${route.app.line}` : route.framework === 'drf' ? 'django' : route.framework;
  const path = route.path
    .replace(/<[^>]*>|\{[^}]*\}|\(\?P<[^>]+>[^)]*\)/g, '{}')
    .replace(/\/v\d+(?:\.\d+)*(?=\/|$)/gi, '')
    .replace(/\/+$/, '');
  return `${app} ${path || '/'}`;
}

/** The path below its mount prefixes, so a blueprint or router registered twice gives equal tails. */
function tail(route: Route): string {
  const prefix = route.prefixes.map((p) => p.value).join('');
  return route.path.startsWith(prefix) ? route.path.slice(prefix.length) : route.path;
}

function sameHandler(a: Route, b: Route): boolean {
  return a.handler === b.handler && a.handlerFile === b.handlerFile && a.handlerLine === b.handlerLine;
}

function shareMethods(a: Route, b: Route): boolean {
  if (a.kind !== b.kind) return false;
  return a.kind === 'websocket' || declaredMethods(a).some((m) => declaredMethods(b).includes(m));
}

function areTwins(a: Route, b: Route): boolean {
  if (a === b || !shareMethods(a, b)) return false;
  if (resourceKey(a) === resourceKey(b)) return true;
  return sameHandler(a, b) && tail(a) === tail(b);
}

/** Limited routes grouped by resource key and by handler once per scan: the only twins a weaker route can have. */
const limitedByScan = new WeakMap<readonly Route[], Map<string, Route[]>>();

const handlerKey = (r: Route): string => `handler ${r.handlerFile}:${r.handlerLine}:${r.handler}`;

function limitedCandidates(routes: readonly Route[], route: Route): Route[] {
  let index = limitedByScan.get(routes);
  if (!index) {
    index = new Map();
    for (const r of routes.filter((x) => STRENGTH[x.status] === 2)) {
      for (const key of [`resource ${resourceKey(r)}`, handlerKey(r)]) index.set(key, [...(index.get(key) ?? []), r]);
    }
    limitedByScan.set(routes, index);
  }
  return [...(index.get(`resource ${resourceKey(route)}`) ?? []), ...(index.get(handlerKey(route)) ?? [])];
}

export default defineRule<'weaker'>({
  id: 'AP015',
  name: 'weaker-twin-route',
  severity: 'warning',
  securitySeverity: 6.5,
  precision: 'medium',
  tags: ['security', 'external/cwe/cwe-770', 'owasp-api4:2023', 'owasp-api9:2023'],
  summary: 'Same handler or resource reachable by another route with weaker protection',
  docs: `## What it does
Compares routes that reach the same code or resource: the same handler registered under several paths
(a blueprint or router mounted twice, \`add_url_rule\` next to a decorator), and paths equal but for an API
version segment, parameter names or a trailing slash (\`/v1/login\` next to \`/v2/login\`). When one of them
is rate limited and another with a shared method is not, the weaker one is reported.

## Why is this bad?
Attackers look for the old or forgotten door: the limit on \`/v2/login\` does nothing while \`/v1/login\`
still verifies passwords without one (OWASP API9:2023 Improper Inventory Management).

## Example
\`\`\`python
@app.route("/v2/login", methods=["POST"])
@limiter.limit("5/minute")
def login(): ...

@app.route("/v1/login", methods=["POST"])
def login_v1(): ...
\`\`\`

## Use instead
\`\`\`python
@app.route("/v1/login", methods=["POST"])
@limiter.limit("5/minute")  # or retire the old version
def login_v1(): ...
\`\`\`

## References
- https://owasp.org/API-Security/editions/2023/en/0xa9-improper-inventory-management/
- https://cwe.mitre.org/data/definitions/770.html`,
  examples: {
    bad: flaskLimiterApp('get_remote_address, app=app', `@app.route("/v2/login", methods=["POST"])
@limiter.limit("5/minute")
def login():
    return "ok"

@app.route("/v1/login", methods=["POST"])
def login_v1():
    return "ok"
`),
    good: flaskLimiterApp('get_remote_address, app=app', `@app.route("/v2/login", methods=["POST"])
@limiter.limit("5/minute")
def login():
    return "ok"

@app.route("/v1/login", methods=["POST"])
@limiter.limit("5/minute")
def login_v1():
    return "ok"
`),
  },
  messages: { weaker: '`{{route}}` is {{status}}, but `{{twin}}` reaches the same {{what}} with a rate limit' },
  check(route, context) {
    if (STRENGTH[route.status] > 0) return;
    const twin = limitedCandidates(context.routes, route).find((r) => areTwins(route, r));
    if (!twin) return;
    context.report({
      messageId: 'weaker',
      data: { route: routeLabel(route), status: route.status === 'exempt' ? 'exempt from rate limiting' : 'not rate limited', twin: routeLabel(twin), what: sameHandler(route, twin) ? 'handler' : 'resource' },
      related: [{ file: twin.file, line: twin.line, message: `limited twin \`${routeLabel(twin)}\`` }],
    });
  },
});
