/**
 * A synthetic corpus for `npm run bench -- --synthetic 1000,10000`: a Flask, a FastAPI and a Django project
 * sharing N routes, 50 per module, each module mounted under a chain of prefixes (blueprints in
 * blueprints, routers in routers, include() in include()), every third route rate limited. The bench checks
 * the scan finds exactly N routes and prints how the scan time grows with N.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const ROUTES_PER_MODULE = 50;
const CHAIN = 3; // prefix levels above each module

function write(root: string, file: string, text: string): void {
  mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
  writeFileSync(path.join(root, file), text);
}

/** Module i's routes as `(decorator or path line, function)` pairs, in the framework's own syntax. */
function routeLines(i: number, count: number, route: (name: string, limited: boolean) => string): string {
  return Array.from({ length: count }, (_, j) => route(`r${i}_${j}`, j % 3 === 0)).join('\n');
}

function flask(root: string, modules: number[]): void {
  const imports = modules.map((i) => `from .m${i} import bp as bp${i}`).join('\n');
  // Each module's blueprint is registered on a chain of parent blueprints, each adding a prefix.
  const chains = modules
    .map((i) => {
      const parents = Array.from({ length: CHAIN }, (_, level) => `p${i}_${level}`);
      const defs = parents.map((p) => `${p} = Blueprint("${p}", __name__, url_prefix="/${p}")`).join('\n');
      const links = [...parents.slice(1).map((p, level) => `${parents[level]}.register_blueprint(${p})`), `${parents[CHAIN - 1]}.register_blueprint(bp${i})`].join('\n');
      return `${defs}\n${links}\napp.register_blueprint(${parents[0]})`;
    })
    .join('\n');
  write(root, 'flaskapp/__init__.py', `from flask import Blueprint, Flask\nfrom flask_limiter import Limiter\nfrom flask_limiter.util import get_remote_address\n\napp = Flask(__name__)\nlimiter = Limiter(get_remote_address, app=app)\n${imports}\n${chains}\n`);
  for (const i of modules) {
    const routes = routeLines(i, ROUTES_PER_MODULE, (name, limited) => `@bp.route("/${name}", methods=["POST"])\n${limited ? '@limiter.limit("5/minute")\n' : ''}def ${name}():\n    return "ok"\n`);
    write(root, `flaskapp/m${i}.py`, `from flask import Blueprint\n\nfrom . import limiter\n\nbp = Blueprint("m${i}", __name__, url_prefix="/m${i}")\n\n${routes}`);
  }
}

function fastapi(root: string, modules: number[]): void {
  const imports = modules.map((i) => `from .m${i} import router as router${i}`).join('\n');
  const chains = modules
    .map((i) => {
      const parents = Array.from({ length: CHAIN }, (_, level) => `p${i}_${level}`);
      const defs = parents.map((p) => `${p} = APIRouter(prefix="/${p}")`).join('\n');
      const links = [`${parents[CHAIN - 1]}.include_router(router${i})`, ...parents.slice(1).reverse().map((p) => `${parents[parents.indexOf(p) - 1]}.include_router(${p})`)].join('\n');
      return `${defs}\n${links}\napp.include_router(${parents[0]})`;
    })
    .join('\n');
  write(root, 'asgiapp/limits.py', `from slowapi import Limiter\nfrom slowapi.util import get_remote_address\n\nlimiter = Limiter(key_func=get_remote_address)\n`);
  write(root, 'asgiapp/main.py', `from fastapi import APIRouter, FastAPI\n\nfrom .limits import limiter\n${imports}\n\napp = FastAPI()\napp.state.limiter = limiter\n${chains}\n`);
  for (const i of modules) {
    const routes = routeLines(i, ROUTES_PER_MODULE, (name, limited) => `@router.post("/${name}")\n${limited ? '@limiter.limit("5/minute")\n' : ''}async def ${name}(request: Request):\n    return {}\n`);
    write(root, `asgiapp/m${i}.py`, `from fastapi import APIRouter, Request\n\nfrom .limits import limiter\n\nrouter = APIRouter(prefix="/m${i}")\n\n${routes}`);
  }
}

function django(root: string, modules: number[]): void {
  write(root, 'proj/settings.py', `ROOT_URLCONF = "proj.urls"\nINSTALLED_APPS = ["django.contrib.contenttypes"]\nCACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://redis:6379"}}\n`);
  write(root, 'proj/wsgi.py', `import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "proj.settings")\n`);
  // Each module's urls are included through CHAIN intermediate urlconfs.
  const top = modules.map((i) => `    path("p${i}_0/", include("proj.c${i}_1")),`).join('\n');
  write(root, 'proj/urls.py', `from django.urls import include, path\n\nurlpatterns = [\n${top}\n]\n`);
  for (const i of modules) {
    for (let level = 1; level < CHAIN; level++) {
      const next = level + 1 < CHAIN ? `proj.c${i}_${level + 1}` : `proj.m${i}`;
      write(root, `proj/c${i}_${level}.py`, `from django.urls import include, path\n\nurlpatterns = [path("p${i}_${level}/", include("${next}"))]\n`);
    }
    const views = routeLines(i, ROUTES_PER_MODULE, (name, limited) => `${limited ? '@ratelimit(key="ip", rate="5/m")\n' : ''}@require_POST\ndef ${name}(request):\n    return HttpResponse("ok")\n`);
    const patterns = Array.from({ length: ROUTES_PER_MODULE }, (_, j) => `    path("r${i}_${j}/", r${i}_${j}),`).join('\n');
    write(root, `proj/m${i}.py`, `from django.http import HttpResponse\nfrom django.urls import path\nfrom django.views.decorators.http import require_POST\nfrom django_ratelimit.decorators import ratelimit\n\n${views}\nurlpatterns = [\n${patterns}\n]\n`);
  }
}

/** Writes about `routes` routes (rounded to whole modules, split over the three frameworks); returns the exact count. */
export function writeSyntheticCorpus(root: string, routes: number): number {
  const modules = Math.max(3, Math.round(routes / ROUTES_PER_MODULE));
  const ids = Array.from({ length: modules }, (_, i) => i);
  flask(root, ids.filter((i) => i % 3 === 0));
  fastapi(root, ids.filter((i) => i % 3 === 1));
  django(root, ids.filter((i) => i % 3 === 2));
  return modules * ROUTES_PER_MODULE;
}
