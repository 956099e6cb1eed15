/** AP016: the protection of a route could not be resolved statically: a visible coverage gap, not a verdict. */
import { routeLabel } from '../src/model';
import { defineRule } from './types';

export default defineRule<'unknown'>({
  id: 'AP016',
  name: 'protection-unknown',
  severity: 'note',
  securitySeverity: 1.0,
  precision: 'high',
  tags: ['security', 'external/cwe/cwe-770'],
  summary: 'Protection could not be resolved statically (dynamic configuration)',
  docs: `## What it does
Reports routes whose rate limiting apiposture could not decide from the source: rates or limiter settings
computed at run time, views chosen dynamically, custom throttle code. The message says what could not be read.

## Why is this bad?
Not a vulnerability by itself: it marks where the scan's answer stops, so a route is never counted as
protected on a guess. Review these routes by hand, or make the configuration static (or declare a custom
limiter in \`.apiposture.toml\`) so the scan can check them.

## Example
\`\`\`python
@app.route("/login", methods=["POST"])
@limiter.limit(os.environ["LOGIN_RATE"])
def login(): ...
\`\`\`

## Use instead
\`\`\`python
LOGIN_RATE = "5/minute"

@app.route("/login", methods=["POST"])
@limiter.limit(LOGIN_RATE)
def login(): ...
\`\`\`

## References
- https://owasp.org/API-Security/editions/2023/en/0xa4-unrestricted-resource-consumption/`,
  examples: {
    bad: `import os
from flask import Flask
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
app = Flask(__name__)
limiter = Limiter(get_remote_address, app=app)

@app.route("/login", methods=["POST"])
@limiter.limit(os.environ["LOGIN_RATE"])
def login():
    return "ok"
`,
    good: `from flask import Flask
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
app = Flask(__name__)
limiter = Limiter(get_remote_address, app=app)
LOGIN_RATE = "5/minute"

@app.route("/login", methods=["POST"])
@limiter.limit(LOGIN_RATE)
def login():
    return "ok"
`,
  },
  messages: { unknown: 'could not tell whether `{{route}}` is rate limited: {{reason}}' },
  check(route, context) {
    if (route.status !== 'unknown') return;
    const reason = route.evidence.map((e) => e.message).join('; ') || 'no reason recorded';
    context.report({ messageId: 'unknown', data: { route: routeLabel(route), reason }, related: route.evidence });
  },
});
