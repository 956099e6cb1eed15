/**
 * A generated service where every module is reachable, as in real services: per domain a models module
 * (classes with fields and methods), a schemas module, a services module (functions with loops, branches,
 * queries and helpers) and a routes module whose handlers call the service, all wired into one FastAPI app
 * with a slowapi limiter. `npm run bench` scans it as the floor of what users scan.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const ROUTES_PER_DOMAIN = 6;

function write(root: string, file: string, text: string): void {
  mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
  writeFileSync(path.join(root, file), text);
}

function models(d: number): string {
  const classes = Array.from({ length: 4 }, (_, k) => `class Item${d}_${k}(Base):
    __tablename__ = "item_${d}_${k}"
    id = Column(Integer, primary_key=True)
    name = Column(String(120), nullable=False, index=True)
    owner_id = Column(Integer, ForeignKey("user.id"))
    created_at = Column(DateTime, default=datetime.utcnow)

    def to_dict(self):
        return {"id": self.id, "name": self.name, "owner_id": self.owner_id, "created": self.created_at.isoformat()}

    def rename(self, name: str) -> None:
        if not name or len(name) > 120:
            raise ValueError(f"bad name for {self.id}: {name!r}")
        self.name = name.strip()
`).join('\n\n');
  return `from datetime import datetime

from sqlalchemy import Column, DateTime, ForeignKey, Integer, String

from ..db import Base


${classes}`;
}

function schemas(d: number): string {
  const classes = Array.from({ length: 4 }, (_, k) => `class Item${d}_${k}In(BaseModel):
    name: str = Field(..., min_length=1, max_length=120)
    tags: list[str] = []


class Item${d}_${k}Out(Item${d}_${k}In):
    id: int
    owner_id: int | None = None
`).join('\n\n');
  return `from pydantic import BaseModel, Field


${classes}`;
}

function services(d: number): string {
  const fns = Array.from({ length: ROUTES_PER_DOMAIN }, (_, k) => `def op_${d}_${k}(session, user, payload=None, *, limit: int = 50):
    """Loads, filters and updates items of domain ${d}."""
    query = session.query(Item${d}_${k % 4}).filter(Item${d}_${k % 4}.owner_id == user.id)
    if payload and payload.get("name"):
        query = query.filter(Item${d}_${k % 4}.name.ilike(f"%{payload['name']}%"))
    results = []
    for item in query.order_by(Item${d}_${k % 4}.created_at.desc()).limit(limit):
        data = item.to_dict()
        if data["name"].startswith("_"):
            continue
        results.append(data)
    totals = {}
    for row in results:
        totals[row["owner_id"]] = totals.get(row["owner_id"], 0) + 1
    log.info("domain ${d} op ${k}: %d items for %s", len(results), user.id)
    return {"items": results, "totals": totals, "count": len(results)}
`).join('\n\n');
  return `import logging

from ..models.m${d} import ${Array.from({ length: 4 }, (_, k) => `Item${d}_${k}`).join(', ')}

log = logging.getLogger(__name__)


${fns}`;
}

function routes(d: number): string {
  const handlers = Array.from({ length: ROUTES_PER_DOMAIN }, (_, k) => {
    const verb = ['get', 'post', 'put', 'delete', 'get', 'post'][k];
    return `@router.${verb}("/op${k}")
${k % 2 === 0 ? '@limiter.limit("30/minute")\n' : ''}async def op${k}(request: Request, payload: Item${d}_${k % 4}In | None = None, session=Depends(get_session), user=Depends(current_user)):
    result = services.op_${d}_${k}(session, user, payload.dict() if payload else None)
    if not result["count"]:
        raise HTTPException(status_code=404, detail="nothing found")
    return result
`;
  }).join('\n\n');
  return `from fastapi import APIRouter, Depends, HTTPException, Request

from ..deps import current_user, get_session
from ..limits import limiter
from ..schemas.s${d} import ${Array.from({ length: 4 }, (_, k) => `Item${d}_${k}In`).join(', ')}
from ..services import svc${d} as services

router = APIRouter(prefix="/d${d}", tags=["d${d}"])


${handlers}`;
}

/** Writes a service of about `modules` Python modules (4 per domain, plus the app's own); returns its route count. */
export function writeSyntheticService(root: string, modules: number): number {
  const domains = Math.max(1, Math.round(modules / 4));
  const pkg = 'service';
  write(root, 'pyproject.toml', '[project]\nname = "service"\nversion = "0"\n');
  write(root, `${pkg}/__init__.py`, '');
  for (const sub of ['models', 'schemas', 'services', 'routes']) write(root, `${pkg}/${sub}/__init__.py`, '');
  write(root, `${pkg}/db.py`, 'from sqlalchemy.orm import declarative_base\n\nBase = declarative_base()\n');
  write(root, `${pkg}/deps.py`, 'def get_session():\n    yield None\n\n\ndef current_user():\n    return None\n');
  write(root, `${pkg}/limits.py`, 'from slowapi import Limiter\nfrom slowapi.util import get_remote_address\n\nlimiter = Limiter(key_func=get_remote_address, default_limits=["1000/hour"])\n');
  const includes = Array.from({ length: domains }, (_, d) => `from .routes.r${d} import router as router${d}`).join('\n');
  const mounts = Array.from({ length: domains }, (_, d) => `api.include_router(router${d})`).join('\n');
  write(root, `${pkg}/main.py`, `from fastapi import APIRouter, FastAPI
from slowapi.middleware import SlowAPIMiddleware

from .limits import limiter
${includes}

app = FastAPI()
app.state.limiter = limiter
app.add_middleware(SlowAPIMiddleware)
api = APIRouter(prefix="/api/v1")
${mounts}
app.include_router(api)
`);
  for (let d = 0; d < domains; d++) {
    write(root, `${pkg}/models/m${d}.py`, models(d));
    write(root, `${pkg}/schemas/s${d}.py`, schemas(d));
    write(root, `${pkg}/services/svc${d}.py`, services(d));
    write(root, `${pkg}/routes/r${d}.py`, routes(d));
  }
  return domains * ROUTES_PER_DOMAIN;
}
