/** AP006: counters kept per process while several processes serve the app: the limit is multiplied. */
import { rateLabel, routeLabel } from '../src/model';
import { concerned } from './concerns';
import { defineRule } from './types';

export default defineRule<'perProcess'>({
  id: 'AP006',
  name: 'per-process-limit-storage',
  severity: 'warning',
  securitySeverity: 5.3,
  precision: 'medium',
  perCause: true,
  tags: ['security', 'external/cwe/cwe-770', 'owasp-api4:2023'],
  summary: 'In-memory limit storage while several workers or replicas serve the app',
  docs: `## What it does
Flags limits stored per process (\`memory://\`, the default of Flask-Limiter and slowapi; Django's
\`LocMemCache\`, the default cache, behind django-ratelimit or DRF) when the deployment files show more than
one process: gunicorn/uvicorn \`--workers\`, \`workers =\` in gunicorn.conf.py, \`WEB_CONCURRENCY\`, uWSGI
\`processes\`, Procfile or Dockerfile commands, compose or Kubernetes \`replicas\`, \`uvicorn.run(workers=N)\`.

## Why is this bad?
Each process counts on its own, so \`5/minute\` with four workers lets up to twenty requests a minute through,
and every deploy or worker restart resets the counters.

## Example
\`\`\`python
limiter = Limiter(key_func=get_remote_address)  # memory:// by default
uvicorn.run(app, workers=4)
\`\`\`

## Use instead
\`\`\`python
limiter = Limiter(key_func=get_remote_address, storage_uri="redis://redis:6379")
\`\`\`
In Django configure a shared cache (Redis or memcached) in \`CACHES\`.

## References
- https://limits.readthedocs.io/en/stable/storage.html
- https://docs.djangoproject.com/en/stable/topics/cache/#local-memory-caching`,
  examples: {
    bad: `import uvicorn
from fastapi import FastAPI, Request
from slowapi import Limiter
from slowapi.util import get_remote_address
limiter = Limiter(key_func=get_remote_address)
app = FastAPI()
app.state.limiter = limiter

@app.post("/login")
@limiter.limit("5/minute")
async def login(request: Request):
    return {}

if __name__ == "__main__":
    uvicorn.run(app, workers=4)
`,
    good: `import uvicorn
from fastapi import FastAPI, Request
from slowapi import Limiter
from slowapi.util import get_remote_address
limiter = Limiter(key_func=get_remote_address, storage_uri="redis://redis:6379")
app = FastAPI()
app.state.limiter = limiter

@app.post("/login")
@limiter.limit("5/minute")
async def login(request: Request):
    return {}

if __name__ == "__main__":
    uvicorn.run(app, workers=4)
`,
  },
  messages: { perProcess: '`{{route}}`: {{reason}}; {{processes}} processes serve the app, so each allows the full rate ({{rates}} becomes up to {{processes}}× that)' },
  check(route, context) {
    const { processes, evidence } = context.deployment;
    const found = concerned(route, ['per-process-storage']);
    if (route.status !== 'limited' || processes < 2 || !found.length) return;
    context.report({
      messageId: 'perProcess',
      data: { route: routeLabel(route), reason: found.map((e) => e.message).join('; '), processes: String(processes), rates: route.limits.map((l) => `\`${rateLabel(l)}\``).join(', ') },
      related: evidence ? [...found, evidence] : found,
    });
  },
});
