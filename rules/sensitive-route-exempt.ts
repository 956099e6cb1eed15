/** AP008: an exemption on a route that most needs a limit: authentication or expensive work. */
import { routeLabel } from '../src/model';
import { concerned } from './concerns';
import { costEvidence, isSensitive, riskReason } from './severity';
import { flaskLimiterApp } from './examples';
import { defineRule } from './types';

export default defineRule<'exempt'>({
  id: 'AP008',
  name: 'sensitive-route-exempt',
  severity: 'warning',
  securitySeverity: 7.0,
  precision: 'medium',
  tags: ['security', 'external/cwe/cwe-307', 'external/cwe/cwe-770', 'owasp-api4:2023'],
  summary: 'Exemption from rate limiting on an authentication-sensitive or expensive route',
  docs: `## What it does
Flags exemptions on routes that authenticate users or do expensive work (reference risk classes): Flask-Limiter
and slowapi \`@limiter.exempt\`, fastapi-limiter \`@skip_limiter\`, DRF \`throttle_classes = []\`, and
conditions such as \`exempt_when\` or \`request_filter\` that read client-controlled input.

## Why is this bad?
Exemptions are meant for health checks and internal callers. On a login, token, password-reset or export
endpoint they remove the one control that slows brute force and resource abuse; a condition on a header the
client sends is an exemption anyone can claim.

## Example
\`\`\`python
@app.route("/login", methods=["POST"])
@limiter.exempt
def login(): ...
\`\`\`

## Use instead
\`\`\`python
@app.route("/login", methods=["POST"])
@limiter.limit("5/minute")
def login(): ...
\`\`\`
Keep exemptions for health and metrics endpoints; base exemption conditions on server-side facts (an
authenticated internal service), never on request headers.

## References
- https://owasp.org/API-Security/editions/2023/en/0xa4-unrestricted-resource-consumption/
- https://cwe.mitre.org/data/definitions/307.html`,
  examples: {
    bad: flaskLimiterApp('get_remote_address, app=app, default_limits=["100/hour"]', `@app.route("/login", methods=["POST"])
@limiter.exempt
def login():
    return "ok"
`),
    good: flaskLimiterApp('get_remote_address, app=app, default_limits=["100/hour"]', `@app.route("/health")
@limiter.exempt
def health():
    return "ok"
`),
  },
  messages: { exempt: '`{{route}}` is exempt from rate limiting{{why}}: {{reason}}' },
  check(route, context) {
    const found = concerned(route, ['exempt', 'client-condition']);
    if (!found.length || !isSensitive(route)) return;
    context.report({ messageId: 'exempt', data: { route: routeLabel(route), why: riskReason(route), reason: found.map((e) => e.message).join('; ') }, related: [...found, ...costEvidence(route)] });
  },
});
