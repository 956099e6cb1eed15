/**
 * A `@property` read on an object the project makes is what its getter returns, when that is a text or a number;
 * a getter that builds anything else leaves the attribute unread where it is read.
 */
import { extractFacts } from '../src/python/facts';
import { pythonParser } from '../src/parse';
import { analyzeModules } from '../src/scan';

function routesOf(source: string): { path: string; status: string; rates: string[]; unresolved: string[] }[] {
  const routes = analyzeModules([extractFacts(pythonParser().parse(source).rootNode, 'app.py')]);
  return routes.map((r) => ({ path: r.path, status: r.status, rates: r.limits.map((l) => l.rate), unresolved: r.unresolved }));
}

const SETTINGS = `from functools import cached_property
from fastapi import APIRouter, FastAPI
from vendored.config import load_prefix

class Settings:
    version = "2"
    parts = ["api", "internal"]

    @property
    def api_prefix(self):
        return f"/api/v{self.version}"

    @cached_property
    def admin_prefix(self):
        return "/admin"

    @property
    def joined_prefix(self):
        return "/" + "/".join(self.parts)

    @property
    def internal_prefix(self):
        return load_prefix("internal")

settings = Settings()
app = FastAPI()
`;

test('a property computing a text is the prefix it returns, a cached_property too', () => {
  const source = `${SETTINGS}
router = APIRouter(prefix=settings.api_prefix)
admin = APIRouter(prefix=settings.admin_prefix)
joined = APIRouter(prefix=settings.joined_prefix)

@router.get("/items")
def items():
    return []

@admin.get("/users")
def users():
    return []

@joined.get("/jobs")
def jobs():
    return []

app.include_router(router)
app.include_router(admin)
app.include_router(joined)
`;
  expect(routesOf(source).map((r) => r.path)).toEqual(['/admin/users', '/api/internal/jobs', '/api/v2/items']);
});

test('a property whose value cannot be read (a function outside the project) stays unread where it is used', () => {
  const source = `${SETTINGS}
router = APIRouter(prefix=settings.internal_prefix)

@router.get("/jobs")
def jobs():
    return []

app.include_router(router)
`;
  const [route] = routesOf(source);
  expect(route.path).toBe('{?}/jobs');
  expect(route.unresolved).toEqual([expect.stringContaining('`settings.internal_prefix` (app.py:28)')]);
});

test("a Flask-Limiter rate read from a property", () => {
  const source = `from flask import Flask
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

class Limits:
    per_minute = 5

    @property
    def login(self):
        return f"{self.per_minute}/minute"

limits = Limits()
app = Flask(__name__)
limiter = Limiter(get_remote_address, app=app)

@app.post("/login")
@limiter.limit(limits.login)
def login():
    return "ok"
`;
  expect(routesOf(source)).toEqual([{ path: '/login', status: 'limited', rates: ['5/minute'], unresolved: [] }]);
});
