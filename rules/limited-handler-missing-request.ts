/** AP005: a slowapi-limited endpoint without a `request` parameter: slowapi raises when the app starts. */
import { reportConcerns } from './concerns';
import { defineRule } from './types';

export default defineRule<'missingRequest'>({
  id: 'AP005',
  name: 'limited-handler-missing-request',
  severity: 'error',
  securitySeverity: 5.0,
  precision: 'very-high',
  tags: ['security', 'external/cwe/cwe-770', 'owasp-api4:2023'],
  summary: 'slowapi-limited endpoint without a `request` (or `websocket`) parameter',
  docs: `## What it does
Flags FastAPI/Starlette endpoints decorated with slowapi's \`@limiter.limit\` whose signature has no parameter
named \`request\` (or \`websocket\`). slowapi finds the request object by that name.

## Why is this bad?
slowapi raises an exception when the decorator is applied, so the app fails at import time; code paths that
catch the error, or a limit added in a hurry, end with the endpoint unprotected or the service down.

## Example
\`\`\`python
@app.post("/login")
@limiter.limit("5/minute")
async def login(form: LoginForm): ...
\`\`\`

## Use instead
\`\`\`python
@app.post("/login")
@limiter.limit("5/minute")
async def login(request: Request, form: LoginForm): ...
\`\`\`

## References
- https://slowapi.readthedocs.io/en/latest/#limitations-and-known-issues
- https://cwe.mitre.org/data/definitions/770.html`,
  examples: {
    bad: `from fastapi import FastAPI
from slowapi import Limiter
from slowapi.util import get_remote_address
limiter = Limiter(key_func=get_remote_address)
app = FastAPI()
app.state.limiter = limiter

@app.post("/login")
@limiter.limit("5/minute")
async def login(username: str):
    return {}
`,
    good: `from fastapi import FastAPI, Request
from slowapi import Limiter
from slowapi.util import get_remote_address
limiter = Limiter(key_func=get_remote_address)
app = FastAPI()
app.state.limiter = limiter

@app.post("/login")
@limiter.limit("5/minute")
async def login(request: Request, username: str):
    return {}
`,
  },
  messages: { missingRequest: '`{{route}}`: {{reason}}' },
  check(route, context) {
    reportConcerns(route, context, ['missing-request'], 'missingRequest');
  },
});
