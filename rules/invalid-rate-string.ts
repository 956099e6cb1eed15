/** AP010: a rate string the library drops, rejects, or reads differently from what it says. */
import { reportConcerns } from './concerns';
import { flaskLimiterApp, limitedLogin } from './examples';
import { defineRule } from './types';

export default defineRule<'invalidRate'>({
  id: 'AP010',
  name: 'invalid-rate-string',
  severity: 'error',
  securitySeverity: 7.0,
  precision: 'very-high',
  tags: ['security', 'external/cwe/cwe-770', 'owasp-api4:2023'],
  summary: 'Rate string the library drops, misparses or crashes on',
  docs: `## What it does
Checks each rate with the grammar of the library that reads it: \`limits\` notation for Flask-Limiter and
slowapi (\`"5/m"\` and \`"10/min"\` are rejected and the limit dropped), django-ratelimit (\`"5/M"\` and
unknown units mean per *second*, \`"5/month"\` means per minute), DRF (\`"5/month"\` means per minute,
\`"5/10m"\` or \`"5/week"\` raise on every request).

## Why is this bad?
The code says five per minute; the library enforces nothing, or five per second, or fails every request.
Nothing warns at start-up in most of these cases.

## Example
\`\`\`python
@limiter.limit("5/m")  # limits does not know "m": the limit is dropped
\`\`\`

## Use instead
\`\`\`python
@limiter.limit("5/minute")
\`\`\`
In django-ratelimit write lower-case units (\`"5/m"\`, \`"100/h"\`); in DRF use \`second\`, \`minute\`,
\`hour\` or \`day\` (only the first letter is read).

## References
- https://limits.readthedocs.io/en/stable/quickstart.html#rate-limit-string-notation
- https://django-ratelimit.readthedocs.io/en/stable/rates.html
- https://www.django-rest-framework.org/api-guide/throttling/`,
  examples: {
    bad: flaskLimiterApp('get_remote_address, app=app', limitedLogin('5/m')),
    good: flaskLimiterApp('get_remote_address, app=app', limitedLogin('5/minute')),
  },
  messages: { invalidRate: '`{{route}}`: {{reason}}' },
  check(route, context) {
    reportConcerns(route, context, ['invalid-rate'], 'invalidRate');
  },
});
