/** AP007: a limit that marks or delays over-limit requests instead of rejecting them. */
import { reportConcerns } from './concerns';
import { defineRule } from './types';

export default defineRule<'doesNotBlock'>({
  id: 'AP007',
  name: 'limit-does-not-block',
  severity: 'error',
  securitySeverity: 7.5,
  precision: 'high',
  tags: ['security', 'external/cwe/cwe-770', 'external/cwe/cwe-307', 'owasp-api4:2023'],
  summary: 'Limit that never rejects: django-ratelimit `block=False` unchecked, or requests made to wait',
  docs: `## What it does
Flags limits that let over-limit requests through: django-ratelimit with \`block=False\` (explicit, or the
default of the old \`ratelimit\` package) in a view that never reads \`request.limited\`, and
fastapi-limiter \`RateLimiter(..., blocking=True)\`, which makes requests wait for capacity instead of
answering 429.

## Why is this bad?
With \`block=False\` django-ratelimit only sets \`request.limited = True\`; unless the view turns that into an
error, brute force goes on at full speed. Waiting requests hold a worker or connection each: an attacker turns
the limit into resource exhaustion.

## Example
\`\`\`python
@ratelimit(key="ip", rate="5/m", block=False)
def login(request): ...  # never looks at request.limited
\`\`\`

## Use instead
\`\`\`python
@ratelimit(key="ip", rate="5/m", block=True)
def login(request): ...
\`\`\`
With fastapi-limiter drop \`blocking=True\` so the dependency answers 429.

## References
- https://django-ratelimit.readthedocs.io/en/stable/usage.html
- https://cwe.mitre.org/data/definitions/770.html`,
  examples: {
    bad: `from fastapi import Depends, FastAPI
from fastapi_limiter.depends import RateLimiter
from pyrate_limiter import Duration, Limiter, Rate
app = FastAPI()

@app.post("/login", dependencies=[Depends(RateLimiter(Limiter([Rate(5, Duration.MINUTE)]), blocking=True))])
async def login():
    return {}
`,
    good: `from fastapi import Depends, FastAPI
from fastapi_limiter.depends import RateLimiter
from pyrate_limiter import Duration, Limiter, Rate
app = FastAPI()

@app.post("/login", dependencies=[Depends(RateLimiter(Limiter([Rate(5, Duration.MINUTE)])))])
async def login():
    return {}
`,
  },
  messages: { doesNotBlock: '`{{route}}`: {{reason}}' },
  check(route, context) {
    reportConcerns(route, context, ['does-not-block'], 'doesNotBlock');
  },
});
