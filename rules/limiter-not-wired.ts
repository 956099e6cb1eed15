/** AP003: a limiter exists but is not wired to the app, so its limits are never enforced. */
import { reportConcerns } from './concerns';
import { flaskLimiterApp, limitedLogin } from './examples';
import { defineRule } from './types';

export default defineRule<'notWired'>({
  id: 'AP003',
  name: 'limiter-not-wired',
  severity: 'error',
  securitySeverity: 7.5,
  precision: 'high',
  perCause: true,
  tags: ['security', 'external/cwe/cwe-770', 'owasp-api4:2023'],
  summary: 'Limiter created but never bound, initialised or installed, so its limits do not run',
  docs: `## What it does
Flags routes whose limiter is not wired to the application: a Flask-Limiter \`Limiter\` without \`app=\` and
never \`init_app(app)\`; slowapi \`default_limits\` or \`application_limits\` without \`SlowAPIMiddleware\` on
the app, or the middleware without \`app.state.limiter\`; fastapi-limiter \`RateLimiter\` dependencies without
\`FastAPILimiter.init(...)\`; Quart-Rate-Limiter \`@rate_limit\` marks on an app no \`RateLimiter\` is bound to, or on a
WebSocket route (it counts HTTP requests only); Flask-Limiter bound to a Quart app (it reads Flask's request context,
which Quart does not set).

## Why is this bad?
The decorators and settings read like protection, but nothing enforces them: requests pass unlimited, or every
request fails with a server error. Reviewers and scanners that only look for \`@limiter.limit\` miss it.

## Example
\`\`\`python
limiter = Limiter(get_remote_address)  # never bound to the app

@app.route("/login", methods=["POST"])
@limiter.limit("5/minute")
def login(): ...
\`\`\`

## Use instead
\`\`\`python
limiter = Limiter(get_remote_address, app=app)  # or limiter.init_app(app) in the factory
\`\`\`
For slowapi: \`app.state.limiter = limiter\` and \`app.add_middleware(SlowAPIMiddleware)\` when relying on
default limits. For fastapi-limiter 0.1: \`await FastAPILimiter.init(redis)\` at startup.

## References
- https://flask-limiter.readthedocs.io/en/stable/#initializing-the-extension
- https://slowapi.readthedocs.io/
- https://cwe.mitre.org/data/definitions/770.html`,
  examples: {
    bad: flaskLimiterApp('get_remote_address', limitedLogin('5/minute')),
    good: flaskLimiterApp('get_remote_address, app=app', limitedLogin('5/minute')),
  },
  messages: { notWired: '`{{route}}`: {{reason}}' },
  check(route, context) {
    reportConcerns(route, context, ['limiter-not-wired'], 'notWired');
  },
});
