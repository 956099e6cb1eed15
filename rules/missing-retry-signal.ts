/** AP013: over-limit answers that do not tell clients to back off (no 429, no Retry-After). */
import { reportConcerns } from './concerns';
import { flaskLimiterApp, limitedLogin, slowapiLogin } from './examples';
import { defineRule } from './types';

export default defineRule<'noRetry'>({
  id: 'AP013',
  name: 'missing-retry-signal',
  severity: 'note',
  securitySeverity: 2.0,
  precision: 'medium',
  perCause: true,
  tags: ['security', 'external/cwe/cwe-770', 'owasp-api4:2023'],
  summary: 'Over-limit responses without 429 or Retry-After',
  docs: `## What it does
Flags limited routes whose over-limit response does not signal a retry: Flask-Limiter and slowapi without
\`headers_enabled\` (no \`Retry-After\`), django-ratelimit's default 403 (no \`RATELIMIT_VIEW\`), a custom
429 handler or \`on_breach\` that answers another status.

## Why is this bad?
Well-behaved clients, SDKs and proxies back off on 429 with \`Retry-After\`; without it they retry at once and
keep the limited endpoint busy, and monitoring cannot tell throttling from errors or authorization failures.

## Example
\`\`\`python
limiter = Limiter(get_remote_address, app=app)  # 429 without Retry-After
\`\`\`

## Use instead
\`\`\`python
limiter = Limiter(get_remote_address, app=app, headers_enabled=True)
\`\`\`
For django-ratelimit set \`RATELIMIT_VIEW\` to a view that answers 429 with \`Retry-After\`.

## References
- https://www.rfc-editor.org/rfc/rfc6585#section-4
- https://flask-limiter.readthedocs.io/en/stable/configuration.html#RATELIMIT_HEADERS_ENABLED`,
  examples: {
    bad: flaskLimiterApp('get_remote_address, app=app', limitedLogin('5/minute')),
    good: flaskLimiterApp('get_remote_address, app=app, headers_enabled=True', limitedLogin('5/minute')),
  },
  otherFrameworks: [
    { framework: 'FastAPI, slowapi', bad: slowapiLogin('{route}\n@limiter.limit("5/minute")'), good: slowapiLogin('{route}\n@limiter.limit("5/minute")', ', headers_enabled=True') },
  ],
  messages: { noRetry: '`{{route}}`: {{reason}}' },
  check(route, context) {
    if (route.status !== 'limited') return;
    reportConcerns(route, context, ['no-retry-signal'], 'noRetry');
  },
});
