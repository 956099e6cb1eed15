/** AP002: a limit looser than the policy for the route's class (reference G.4). */
import { rateLabel, routeLabel, type Limit, type Route } from '../src/model';
import { riskClass } from '../src/risk';
import { MESSAGING_KINDS } from '../src/cost-calls';
import { allowanceWithin, limitWindows } from '../src/ratelimit/windows';
import { drfScopedLogin, flaskLimiterApp, limitedLogin, slowapiLogin } from './examples';
import { defineRule } from './types';

const DAY = 86_400;

/** Limits that count every client, with their windows as the library reads them. */
function readableLimits(route: Route): { limit: Limit; windows: NonNullable<ReturnType<typeof limitWindows>> }[] {
  return route.limits.flatMap((limit) => {
    const windows = limit.principals ? undefined : limitWindows(limit);
    return windows ? [{ limit, windows }] : [];
  });
}

export default defineRule<'loose' | 'noDailyCap'>({
  id: 'AP002',
  name: 'weak-limit-on-sensitive-route',
  severity: 'warning',
  securitySeverity: 6.5,
  precision: 'medium',
  tags: ['security', 'external/cwe/cwe-307', 'external/cwe/cwe-770', 'owasp-api4:2023'],
  summary: 'Limit looser than the policy for the route (login, OTP, password reset; email/SMS without a daily cap)',
  docs: `## What it does
Compares a limited route's tightest limit with the policy for its class: authentication-sensitive routes
(login, token, password reset, OTP, signup) allow at most \`auth-max-per-minute\` requests per client per minute
(default 10); routes that send email or SMS need a limit with a window of a day or more. Rates are read with
each library's own grammar. Thresholds are set in \`[policy]\` of \`.apiposture.toml\`.

## Why is this bad?
A limit of 100 per minute on a login form still allows 144,000 password guesses a day per address; a six-digit
OTP falls in days. Message-sending routes without a daily cap let one client run up SMS bills (toll fraud) or
burn the domain's mail reputation a few messages per minute at a time.

## Example
\`\`\`python
@app.route("/login", methods=["POST"])
@limiter.limit("100/minute")
def login(): ...
\`\`\`

## Use instead
\`\`\`python
@app.route("/login", methods=["POST"])
@limiter.limit("5/minute;50/day")
def login(): ...
\`\`\`

## References
- https://owasp.org/API-Security/editions/2023/en/0xa4-unrestricted-resource-consumption/
- https://cheatsheetseries.owasp.org/cheatsheets/Authentication_Cheat_Sheet.html#login-throttling
- https://cwe.mitre.org/data/definitions/307.html`,
  examples: {
    bad: flaskLimiterApp('get_remote_address, app=app', limitedLogin('100/minute')),
    good: flaskLimiterApp('get_remote_address, app=app', limitedLogin('5/minute')),
  },
  otherFrameworks: [
    { framework: 'FastAPI, slowapi', bad: slowapiLogin('{route}\n@limiter.limit("100/minute")'), good: slowapiLogin('{route}\n@limiter.limit("5/minute")') },
    { framework: 'Django REST framework', bad: drfScopedLogin('100/minute'), good: drfScopedLogin('5/minute') },
  ],
  messages: {
    loose: '`{{route}}` allows up to {{allowed}} requests per minute per client ({{rates}}); the policy for authentication-sensitive routes is at most {{max}}',
    noDailyCap: '`{{route}}` sends {{what}} but no limit caps it per day ({{rates}})',
  },
  check(route, context) {
    if (route.status !== 'limited') return;
    const limits = readableLimits(route);
    if (!limits.length) return;
    const rates = limits.map(({ limit }) => `\`${rateLabel(limit)}\``).join(', ');
    const related = limits.map(({ limit }) => ({ file: limit.file, line: limit.line, message: `limit \`${rateLabel(limit)}\`` }));
    const max = context.policy.authMaxPerMinute;
    const allowed = Math.min(...limits.map(({ windows }) => allowanceWithin(windows, 60)));
    if (riskClass(route).risk === 'auth-sensitive' && allowed > max) {
      context.report({ messageId: 'loose', data: { route: routeLabel(route), allowed: String(allowed), rates, max: String(max) }, related });
    }
    const sends = [...new Set(route.expensive.filter((s) => s.strength === 'call' && MESSAGING_KINDS.includes(s.kind)).map((s) => s.kind.replace('outbound-', '')))];
    const capped = limits.some(({ windows }) => windows.some((w) => w.seconds >= DAY));
    if (context.policy.messagingDailyCap && sends.length && !capped) {
      context.report({ messageId: 'noDailyCap', data: { route: routeLabel(route), what: sends.join(' and '), rates }, related });
    }
  },
});
