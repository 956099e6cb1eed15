/** AP001: a route with no effective rate limit. Severity follows the route's risk class. */
import { declaredMethods, routeLabel } from '../src/model';
import { riskClass } from '../src/risk';
import { defineRule } from './types';

const SEVERITY_BY_RISK = { 'auth-sensitive': 'error', expensive: 'warning', 'state-changing': 'warning', 'read-only': 'note' } as const;

export default defineRule<'unguarded' | 'partly' | 'anonymousOnly'>({
  id: 'AP001',
  name: 'unguarded-route',
  severity: 'warning',
  securitySeverity: 7.5,
  precision: 'high',
  tags: ['security', 'external/cwe/cwe-770', 'external/cwe/cwe-307', 'owasp-api4:2023'],
  summary: 'Route has no effective rate limit',
  docs: `## What it does
Flags every route that no rate limit covers: no limit decorator or dependency, no default or application-wide
limit that reaches it, or a limiter that is never bound to the app. Severity follows the route's risk class:
error for authentication-sensitive routes (login, token, password reset, OTP, signup), warning for expensive or
state-changing routes, note for read-only ones.

## Why is this bad?
Without a limit, one client can send unbounded requests: brute-force credentials, pump SMS or email, run up
paid API bills or exhaust workers (OWASP API4:2023 Unrestricted Resource Consumption, CWE-770, CWE-307).

## Example
\`\`\`python
@app.route("/login", methods=["POST"])
def login(): ...
\`\`\`

## Use instead
\`\`\`python
limiter = Limiter(get_remote_address, app=app)

@app.route("/login", methods=["POST"])
@limiter.limit("5/minute")
def login(): ...
\`\`\`
Place the limit decorator *below* the route decorator, or set \`default_limits\` on the \`Limiter\`.

## References
- https://owasp.org/API-Security/editions/2023/en/0xa4-unrestricted-resource-consumption/
- https://cwe.mitre.org/data/definitions/770.html
- https://flask-limiter.readthedocs.io/`,
  examples: {
    bad: `from flask import Flask
app = Flask(__name__)

@app.route("/login", methods=["POST"])
def login():
    return "ok"
`,
    good: `from flask import Flask
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
app = Flask(__name__)
limiter = Limiter(get_remote_address, app=app)

@app.route("/login", methods=["POST"])
@limiter.limit("5/minute")
def login():
    return "ok"
`,
  },
  messages: {
    unguarded: '`{{route}}` has no rate limit{{why}}',
    partly: '`{{route}}` has no rate limit for {{methods}}{{why}}',
    anonymousOnly: '`{{route}}` is rate limited for anonymous clients only; signed-in users have no limit{{why}}',
  },
  check(route, context) {
    if (route.status !== 'unlimited') return;
    const { risk, kinds, words } = riskClass(route);
    const reasons = [...kinds, ...words.map((w) => `\`${w}\``)];
    const why = reasons.length ? ` (${risk}: ${reasons.join(', ')})` : '';
    // Limits that name methods cover only those: say which methods are left open.
    const open = declaredMethods(route).filter((m) => !route.limits.some((l) => (!l.methods || l.methods.includes(m)) && !l.principals));
    const anonymousOnly = route.limits.length > 0 && route.limits.every((l) => l.principals);
    const partly = route.limits.length > 0 && open.length > 0;
    context.report({
      messageId: anonymousOnly ? 'anonymousOnly' : partly ? 'partly' : 'unguarded',
      severity: SEVERITY_BY_RISK[risk],
      data: { route: routeLabel(route), methods: open.join(', '), why },
      related: route.evidence,
    });
  },
});
