/**
 * AP009: a fixed window on an authentication route without a short secondary limit: about 2N at the window edge,
 * the figure measured by the reference limiter as `apiposture simulate` does.
 */
import { rateLabel, routeLabel } from '../src/model';
import { riskClass } from '../src/risk';
import { limitWindows } from '../src/ratelimit/windows';
import { fixedWindowEdgeBurst } from '../src/limiter/worst-case';
import { flaskLimiterApp, limitedLogin, slowapiLogin } from './examples';
import { defineRule } from './types';

export default defineRule<'burst'>({
  id: 'AP009',
  name: 'fixed-window-burst',
  severity: 'note',
  securitySeverity: 4.0,
  precision: 'high',
  tags: ['security', 'external/cwe/cwe-307', 'owasp-api4:2023'],
  summary: 'Fixed-window limit on an auth route without a short secondary limit (2N burst at the window edge)',
  docs: `## What it does
Flags authentication-sensitive routes whose every limit counts in fixed windows (the default of Flask-Limiter,
slowapi, django-ratelimit and fastapi-limiter 0.1) and none has a short window (at most
\`short-window-seconds\`, default 10). The message gives the worst case that \`apiposture simulate\` measures
on the reference limiter: with \`N\` per window, \`2N − 1\` requests pass within moments where windows open at the
first hit (one hit opens the window, \`N − 1\` at its end, \`N\` at the start of the next), \`2N\` with
django-ratelimit's clock-aligned windows.

## Why is this bad?
Attackers time their bursts to window edges: \`5/minute\` admits ten guesses in one second, twice what the
policy intends, and ten times what a smooth limit allows within that second.

## Example
\`\`\`python
@limiter.limit("5/minute")
\`\`\`

## Use instead
\`\`\`python
@limiter.limit("5/minute;1/second")  # or Limiter(..., strategy="moving-window")
\`\`\`

## References
- https://limits.readthedocs.io/en/stable/strategies.html
- https://cwe.mitre.org/data/definitions/307.html`,
  examples: {
    bad: flaskLimiterApp('get_remote_address, app=app', limitedLogin('5/minute')),
    good: flaskLimiterApp('get_remote_address, app=app, strategy="moving-window"', limitedLogin('5/minute')),
  },
  otherFrameworks: [
    { framework: 'FastAPI, slowapi', bad: slowapiLogin('{route}\n@limiter.limit("5/minute")'), good: slowapiLogin('{route}\n@limiter.limit("5/minute")', ', strategy="moving-window"') },
  ],
  messages: { burst: '`{{route}}` is limited by fixed windows only ({{rates}}): up to {{burst}} requests pass within moments at a window edge; add a short limit such as `1/second` or count in a moving window' },
  check(route, context) {
    if (route.status !== 'limited' || riskClass(route).risk !== 'auth-sensitive') return;
    const counted = route.limits.filter((l) => !l.principals);
    if (!counted.length || counted.some((l) => l.algorithm !== 'fixed-window')) return;
    const perLimit = counted.map((limit) => limitWindows(limit)?.map((item) => ({ library: limit.library, item })));
    if (perLimit.some((w) => !w)) return;
    const windows = perLimit.flatMap((w) => w ?? []);
    if (windows.some(({ item }) => item.seconds <= context.policy.shortWindowSeconds)) return;
    // the tightest window bounds it; a count too large to simulate is not the tightest
    const bursts = windows.map(({ library, item }) => fixedWindowEdgeBurst(library, item)).filter((b) => b !== undefined);
    if (!bursts.length) return;
    const burst = Math.min(...bursts);
    if (burst === 0) return; // a count of 0 refuses every request: there is no edge to exploit
    context.report({
      messageId: 'burst',
      data: { route: routeLabel(route), rates: counted.map((l) => `\`${rateLabel(l)}\``).join(', '), burst: String(burst) },
      related: counted.map((l) => ({ file: l.file, line: l.line, message: `fixed-window limit \`${rateLabel(l)}\`` })),
    });
  },
});
