/** AP015: the same handler or resource reachable by another route with weaker protection (shadow endpoints). */
import { declaredMethods, routeLabel, type ProtectionStatus, type Route } from '../src/model';
import { flaskLimiterApp } from './examples';
import { defineRule } from './types';
import { addTo } from '../src/collections';

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

/** What a twin shares with a route besides its resource or handler: the kind and a method (websockets have none). */
function methodKeys(route: Route): string[] {
  return route.kind === 'websocket' ? ['websocket'] : declaredMethods(route).map((m) => `${route.kind} ${m}`);
}

/** Two routes are twins when they share one of these keys: the same resource, or the same handler and tail, with a shared method. */
function twinKeys(route: Route): string[] {
  const handler = `${route.handlerFile}:${route.handlerLine}:${route.handler}`;
  return methodKeys(route).flatMap((m) => [`resource ${resourceKey(route)} ${m}`, `handler ${handler} ${tail(route)} ${m}`]);
}

/** Limited routes by twin key, indexed once per scan: a lookup costs the same however many routes share a path. */
const limitedByScan = new WeakMap<readonly Route[], Map<string, Route[]>>();

function limitedTwin(routes: readonly Route[], route: Route): Route | undefined {
  let index = limitedByScan.get(routes);
  if (!index) {
    index = new Map();
    for (const r of routes) if (STRENGTH[r.status] === 2) for (const key of twinKeys(r)) addTo(index, key, r);
    limitedByScan.set(routes, index);
  }
  for (const key of twinKeys(route)) {
    const twin = index.get(key)?.[0];
    if (twin) return twin;
  }
  return undefined;
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
    const twin = limitedTwin(context.routes, route);
    if (!twin) return;
    context.report({
      messageId: 'weaker',
      data: { route: routeLabel(route), status: route.status === 'exempt' ? 'exempt from rate limiting' : 'not rate limited', twin: routeLabel(twin), what: sameHandler(route, twin) ? 'handler' : 'resource' },
      related: [{ file: twin.file, line: twin.line, message: `limited twin \`${routeLabel(twin)}\`` }],
    });
  },
});
