/** AP004: a limit decorator above the route decorator: the framework registered the undecorated function. */
import { reportConcerns } from './concerns';
import { flaskLimiterApp, limitedLogin, slowapiLogin } from './examples';
import { defineRule } from './types';

export default defineRule<'order'>({
  id: 'AP004',
  name: 'limit-decorator-order',
  severity: 'error',
  securitySeverity: 7.5,
  precision: 'very-high',
  tags: ['security', 'external/cwe/cwe-770', 'owasp-api4:2023'],
  summary: 'Limit decorator placed where the route registers the undecorated function',
  docs: `## What it does
Flags limit decorators the framework never sees: \`@limiter.limit\` written above \`@app.route\` /
\`@app.get\` / \`@router.post\` (decorators apply bottom-up, so the route decorator registered the function
before the limit wrapped it), DRF \`@throttle_classes\` above \`@api_view\`, and django-ratelimit's
\`@ratelimit\` directly on a class-based view method without \`method_decorator\`; Quart-Rate-Limiter \`@rate_limit\` above
another decorator over the route decorator, or on a class view's method (it marks a function Quart never calls).

## Why is this bad?
The limit is written next to the route and passes review, but requests reach the undecorated function: no
limit applies (slowapi even skips default limits for it; Flask-Limiter keeps only application-wide limits;
DRF falls back to the default throttles; django-ratelimit fails on every request).

## Example
\`\`\`python
@limiter.limit("5/minute")
@app.route("/login", methods=["POST"])
def login(): ...
\`\`\`

## Use instead
\`\`\`python
@app.route("/login", methods=["POST"])
@limiter.limit("5/minute")
def login(): ...
\`\`\`
In DRF put \`@api_view\` on top; in Django class views use \`@method_decorator(ratelimit(...), name="post")\`.

## References
- https://flask-limiter.readthedocs.io/en/stable/recipes.html
- https://slowapi.readthedocs.io/en/latest/#limitations-and-known-issues
- https://cwe.mitre.org/data/definitions/770.html`,
  examples: {
    bad: flaskLimiterApp('get_remote_address, app=app', `@limiter.limit("5/minute")
@app.route("/login", methods=["POST"])
def login():
    return "ok"
`),
    good: flaskLimiterApp('get_remote_address, app=app', limitedLogin('5/minute')),
  },
  otherFrameworks: [
    { framework: 'FastAPI, slowapi', bad: slowapiLogin('@limiter.limit("5/minute")\n{route}'), good: slowapiLogin('{route}\n@limiter.limit("5/minute")') },
  ],
  messages: { order: '`{{route}}`: {{reason}}' },
  check(route, context) {
    reportConcerns(route, context, ['decorator-order'], 'order');
  },
});
