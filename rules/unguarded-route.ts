/** AP001: a route with no effective rate limit. Severity follows the route's risk class. */
import { NO_LIMIT_APPLIES, routeLabel } from '../src/model';
import { costEvidence, riskReason, riskSeverity } from './severity';
import { drfLogin, drfScopedLogin, flaskLimiterApp, limitedLogin, slowapiLogin } from './examples';
import { defineRule } from './types';

export default defineRule<'unguarded'>({
  id: 'AP001',
  name: 'unguarded-route',
  severity: 'warning',
  securitySeverity: 7.5,
  precision: 'high',
  tags: ['security', 'external/cwe/cwe-770', 'external/cwe/cwe-307', 'owasp-api4:2023'],
  summary: 'Route has no effective rate limit',
  docs: `## What it does
Flags every route that no rate limit covers: no limit decorator or dependency, no default or application-wide
limit that reaches it, or a limiter that is never bound to the app. Severity follows the route's risk class
from its cost signals (calls in the handler and its helpers, words in its path and handler name): error for
authentication-sensitive routes (password checks, token issuing, OTP; login, password reset, signup, ...),
warning for expensive (email/SMS, payments, outbound HTTP, exports, uploads, search, ...) or state-changing
routes, note for read-only ones. Routes whose limits skip some methods or users are AP014's.

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
    good: flaskLimiterApp('get_remote_address, app=app', limitedLogin('5/minute')),
  },
  otherFrameworks: [
    { framework: 'FastAPI, slowapi', bad: slowapiLogin('{route}'), good: slowapiLogin('{route}\n@limiter.limit("5/minute")') },
    { framework: 'Django REST framework', bad: drfLogin('', ''), good: drfScopedLogin('5/minute') },
  ],
  messages: {
    unguarded: '`{{route}}` has no rate limit{{why}}',
  },
  check(route, context) {
    // Routes whose limits leave some methods or users open are AP014's.
    if (route.status !== 'unlimited' || route.limits.length) return;
    context.report({ messageId: 'unguarded', severity: riskSeverity(route), data: { route: routeLabel(route), why: riskReason(route) }, related: [...route.evidence.filter((e) => e.message !== NO_LIMIT_APPLIES), ...costEvidence(route)] });
  },
});
