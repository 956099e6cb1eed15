/** AP014: limits exist, but leave some of the route's methods, or its signed-in users, without one. */
import { declaredMethods, routeLabel } from '../src/model';
import { riskReason, riskSeverity } from './severity';
import { flaskLimiterApp } from './examples';
import { defineRule } from './types';

export default defineRule<'methods' | 'anonymousOnly'>({
  id: 'AP014',
  name: 'limit-misses-methods-or-users',
  severity: 'warning',
  securitySeverity: 7.0,
  precision: 'high',
  tags: ['security', 'external/cwe/cwe-770', 'external/cwe/cwe-307', 'owasp-api4:2023'],
  summary: 'Rate limit skips some methods the route serves, or counts anonymous clients only',
  docs: `## What it does
Flags routes that carry a rate limit which does not reach every request: the limit names methods
(\`methods=[...]\` in Flask-Limiter and slowapi, \`method=\` in django-ratelimit) other than ones the route
serves, or it counts only anonymous clients (DRF \`AnonRateThrottle\` alone) while signed-in users can call
the route too.

## Why is this bad?
The limit looks like protection in review, but the uncovered method or user class is unlimited. slowapi gives
an excluded method no limit at all (decorated routes skip default limits); django-ratelimit neither counts nor
blocks other methods; an attacker with one free account is not throttled by \`AnonRateThrottle\`.

## Example
\`\`\`python
@app.route("/login", methods=["GET", "POST"])
@limiter.limit("5/minute", methods=["GET"])
def login(): ...
\`\`\`

## Use instead
\`\`\`python
@app.route("/login", methods=["GET", "POST"])
@limiter.limit("5/minute")  # every method
def login(): ...
\`\`\`
In DRF pair \`AnonRateThrottle\` with \`UserRateThrottle\` (or a \`ScopedRateThrottle\`) so both kinds of client are counted.

## References
- https://owasp.org/API-Security/editions/2023/en/0xa4-unrestricted-resource-consumption/
- https://cwe.mitre.org/data/definitions/770.html
- https://www.django-rest-framework.org/api-guide/throttling/`,
  examples: {
    bad: flaskLimiterApp('get_remote_address, app=app', `@app.route("/login", methods=["GET", "POST"])
@limiter.limit("5/minute", methods=["GET"])
def login():
    return "ok"
`),
    good: flaskLimiterApp('get_remote_address, app=app', `@app.route("/login", methods=["GET", "POST"])
@limiter.limit("5/minute")
def login():
    return "ok"
`),
  },
  messages: {
    methods: '`{{route}}` has no rate limit for {{methods}}{{why}}',
    anonymousOnly: '`{{route}}` is rate limited for anonymous clients only; signed-in users have no limit{{why}}',
  },
  check(route, context) {
    if (route.status !== 'unlimited' || !route.limits.length) return;
    const open = declaredMethods(route).filter((m) => !route.limits.some((l) => (!l.methods || l.methods.includes(m)) && !l.principals));
    const anonymousOnly = route.limits.every((l) => l.principals);
    context.report({
      messageId: anonymousOnly ? 'anonymousOnly' : 'methods',
      severity: riskSeverity(route),
      data: { route: routeLabel(route), methods: open.join(', '), why: riskReason(route) },
      related: route.evidence,
    });
  },
});
