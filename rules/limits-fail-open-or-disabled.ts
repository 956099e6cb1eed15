/** AP012: limits switched off by configuration, or set to vanish when their store fails. */
import { reportConcerns } from './concerns';
import { flaskLimiterApp, limitedLogin } from './examples';
import { defineRule } from './types';

export default defineRule<'failOpen'>({
  id: 'AP012',
  name: 'limits-fail-open-or-disabled',
  severity: 'warning',
  securitySeverity: 6.5,
  precision: 'high',
  perCause: true,
  tags: ['security', 'external/cwe/cwe-636', 'external/cwe/cwe-770', 'owasp-api4:2023'],
  summary: 'Limiter disabled by configuration, failing open, or storing nothing (DummyCache)',
  docs: `## What it does
Flags routes whose limiter is switched off or fails open: \`Limiter(enabled=False)\`,
\`RATELIMIT_ENABLED = False\` (Flask config or slowapi \`.env\`), django-ratelimit \`RATELIMIT_ENABLE = False\`,
slowapi \`auto_check=False\`; \`swallow_errors=True\` / \`RATELIMIT_SWALLOW_ERRORS\` and django-ratelimit
\`RATELIMIT_FAIL_OPEN = True\` (limits vanish while the store is down); a Django \`DummyCache\` behind
django-ratelimit or DRF throttling (nothing is stored, nothing is ever counted).

## Why is this bad?
A switch meant for tests or local development that reaches production turns every limit off at once; a
fail-open limiter turns a Redis outage, which an attacker may cause, into no limits at all.

## Example
\`\`\`python
limiter = Limiter(get_remote_address, app=app, enabled=False)
\`\`\`

## Use instead
\`\`\`python
limiter = Limiter(get_remote_address, app=app)  # enabled; set RATELIMIT_ENABLED only in test config
\`\`\`
Keep \`swallow_errors\` off (or enable the in-memory fallback knowingly) and use a real cache backend for
Django throttling.

## References
- https://cwe.mitre.org/data/definitions/636.html
- https://flask-limiter.readthedocs.io/en/stable/configuration.html
- https://django-ratelimit.readthedocs.io/en/stable/settings.html`,
  examples: {
    bad: flaskLimiterApp('get_remote_address, app=app, enabled=False', limitedLogin('5/minute')),
    good: flaskLimiterApp('get_remote_address, app=app', limitedLogin('5/minute')),
  },
  messages: { failOpen: '`{{route}}`: {{reason}}' },
  check(route, context) {
    reportConcerns(route, context, ['disabled', 'fail-open'], 'failOpen');
  },
});
