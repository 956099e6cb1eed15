/** AP011: the limit counts per a key the client controls: a forwarded header, a username, an empty value. */
import { reportConcerns } from './concerns';
import { drfScopedLogin, flaskLimiterApp, limitedLogin, slowapiLogin } from './examples';
import { defineRule } from './types';

export default defineRule<'key'>({
  id: 'AP011',
  name: 'spoofable-or-attacker-chosen-key',
  severity: 'warning',
  securitySeverity: 7.0,
  precision: 'medium',
  tags: ['security', 'external/cwe/cwe-348', 'external/cwe/cwe-307', 'owasp-api4:2023'],
  summary: 'Limit keyed on a value the client controls (X-Forwarded-For, username, possibly empty key)',
  docs: `## What it does
Flags limits whose counter key the client picks: \`get_ipaddr\` and key functions reading
\`X-Forwarded-For\` / \`X-Real-IP\` without a trusted-proxy setup, fastapi-limiter's default identifier and
Quart-Rate-Limiter's default key (the left-most \`X-Forwarded-For\` entry),
DRF throttles with \`NUM_PROXIES\` unset, django-ratelimit \`key="header:x-forwarded-for"\` or
\`RATELIMIT_IP_META_KEY\` pointing at a forwarded header; keys that are only a submitted value
(\`key="post:username"\`); keys that can be empty (Flask-Limiter and slowapi skip the limit then).

## Why is this bad?
A client that sends a new forwarded address, username or an empty header with each request gets a fresh
counter every time: the limit never triggers, so credential stuffing and brute force run unthrottled.

## Example
\`\`\`python
def client_ip():
    return request.headers.get("X-Forwarded-For", request.remote_addr)

limiter = Limiter(client_ip, app=app)
\`\`\`

## Use instead
\`\`\`python
app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1)  # trust exactly one proxy hop
limiter = Limiter(get_remote_address, app=app)
\`\`\`
In DRF set \`NUM_PROXIES\`; pair a username-keyed limit with an IP-keyed one.

## References
- https://cwe.mitre.org/data/definitions/348.html
- https://flask-limiter.readthedocs.io/en/stable/recipes.html#deploying-an-application-behind-a-proxy
- https://www.django-rest-framework.org/api-guide/throttling/#how-clients-are-identified`,
  examples: {
    bad: `from flask import Flask, request
from flask_limiter import Limiter
app = Flask(__name__)

def client_ip():
    return request.headers.get("X-Forwarded-For", request.remote_addr)

limiter = Limiter(client_ip, app=app)

@app.route("/login", methods=["POST"])
@limiter.limit("5/minute")
def login():
    return "ok"
`,
    good: flaskLimiterApp('get_remote_address, app=app', limitedLogin('5/minute')),
  },
  otherFrameworks: [
    { framework: 'FastAPI, slowapi', bad: slowapiLogin('{route}\n@limiter.limit("5/minute")', '', 'get_ipaddr'), good: slowapiLogin('{route}\n@limiter.limit("5/minute")') },
    { framework: 'Django REST framework', bad: drfScopedLogin('5/minute'), good: drfScopedLogin('5/minute', '"NUM_PROXIES": 1, ') },
  ],
  messages: { key: '`{{route}}`: {{reason}}' },
  check(route, context) {
    reportConcerns(route, context, ['spoofable-key', 'attacker-chosen-key', 'empty-key'], 'key');
  },
});
