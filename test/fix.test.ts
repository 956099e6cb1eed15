/**
 * `apiposture fix`: the edits limit every unguarded Flask route at the policy's rate, a second run changes
 * nothing, and the real Flask + Flask-Limiter answer 429 after exactly that many requests. A decorator written
 * above the route decorator instead (the classic mistake) must not pass that proof.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import fg from 'fast-glob';
import os from 'node:os';
import path from 'node:path';
import type * as Sarif from 'sarif';
import { scan } from '../src/scan';
import { counts, methodsLabel, type Route } from '../src/model';
import { sarifErrors } from './support/sarif-schema';
import { runCli } from './support/run-cli';
import { SYSTEM_PYTHON, pythonHas, requirePython } from './support/system-python';

const PROBE = path.join(__dirname, 'probe', 'flask_probe.py');
const ASGI_PROBE = path.join(__dirname, 'probe', 'asgi_probe.py');
const BOUND = 30;

// A pass-through decorator of the project's own, as apps wrap views (two blank lines after it).
const AUDITED = ['def audited(view):', '    @functools.wraps(view)', '    def wrapper(*args, **kwargs):', '        return view(*args, **kwargs)', '', '    return wrapper', '', ''];

const APP = {
  '.apiposture.toml': '[policy]\ndefault-rate = "7/minute"\nauth-max-per-minute = 4\n',
  'extensions.py': 'from flask_limiter import Limiter\nfrom flask_limiter.util import get_remote_address\n\nlimiter = Limiter(get_remote_address)\n',
  'views.py': [
    '"""Views that import nothing of the limiter yet."""',
    'import functools',
    '',
    'from flask import Blueprint',
    '',
    'bp = Blueprint("shop", __name__)',
    '',
    '',
    ...AUDITED,
    '@bp.post("/login")',
    'def login():',
    '    return "token"',
    '',
    '',
    '@bp.get("/items")',
    '@audited',
    'def items():',
    '    return "[]"',
    '',
  ].join('\n'),
  'app.py': 'from flask import Flask\n\nfrom extensions import limiter\nfrom views import bp\n\napp = Flask(__name__)\nlimiter.init_app(app)\napp.register_blueprint(bp)\n',
};

/** Runs `work` in a fresh folder holding `files`, removed afterwards. */
async function inProject(files: Record<string, string>, work: (dir: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'apiposture-fix-'));
  try {
    for (const [file, text] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
      writeFileSync(path.join(dir, file), text);
    }
    await work(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The first request the real Flask-Limiter answers over the limit, per route path (null: none within the bound). */
function thresholds(dir: string): Record<string, number | null> {
  const r = spawnSync(SYSTEM_PYTHON, [PROBE, dir, 'app:app', '--measure', String(BOUND)], { cwd: dir, encoding: 'utf8', env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' } });
  if (r.status !== 0) throw new Error(r.stderr);
  const routes = JSON.parse(r.stdout) as { path: string; verdicts: Record<string, { threshold: number | null }> }[];
  return Object.fromEntries(routes.map((route) => [route.path, Object.values(route.verdicts)[0]?.threshold ?? null]));
}

test('a limit decorator above the route decorator moves below it, keeping its rate; the diff applies with git apply', () =>
  inProject({}, async (dir) => {
    const app = 'from flask import Flask\nfrom flask_limiter import Limiter\nfrom flask_limiter.util import get_remote_address\n\napp = Flask(__name__)\nlimiter = Limiter(get_remote_address, app=app)\n\n\n@limiter.limit("3/hour")\n@app.post("/signup")\ndef signup():\n    return "ok"\n';
    writeFileSync(path.join(dir, 'app.py'), app);
    const diff = await runCli(['fix', dir, '--no-cache']);
    expect(diff.stdout).toBe(['--- a/app.py', '+++ b/app.py', '@@ -6,7 +6,7 @@', ' limiter = Limiter(get_remote_address, app=app)', ' ', ' ', '-@limiter.limit("3/hour")', ' @app.post("/signup")', '+@limiter.limit("3/hour")', ' def signup():', '     return "ok"', ''].join('\n'));
    expect(spawnSync('git', ['apply', '--check', '-'], { cwd: dir, input: diff.stdout, encoding: 'utf8' }).status).toBe(0);
    await runCli(['fix', dir, '--write', '--no-cache']);
    const after = await scan({ paths: [dir] });
    expect(after.routes.map((r) => `${r.status} ${r.limits.map((l) => l.rate).join()}`)).toEqual(['limited 3/hour']);
    expect(after.findings.map((f) => f.ruleId)).not.toContain('AP004');
  }));

test('fix --write limits each unguarded Flask route at the policy rate with the project limiter, and a second run changes nothing', () =>
  inProject(APP, async (dir) => {
    const before = await scan({ paths: [dir] });
    expect(before.routes.map((r) => `${r.path} ${r.status}`).sort()).toEqual(['/items unlimited', '/login unlimited']);
    const fixed = await runCli(['fix', dir, '--write', '--no-cache']);
    expect(fixed.code).toBe(0);
    expect(readFileSync(path.join(dir, 'views.py'), 'utf8')).toContain('from flask import Blueprint\nfrom extensions import limiter\n');
    const after = await scan({ paths: [dir] });
    expect(after.routes.map((r) => `${r.path} ${r.status} ${r.limits.map((l) => l.rate).join()}`).sort()).toEqual(['/items limited 7/minute', '/login limited 4/minute']);
    // No new finding: what remains was there before (fixed-window bursts, no Retry-After).
    const ids = new Set(before.findings.map((f) => f.ruleId));
    expect(after.findings.filter((f) => !ids.has(f.ruleId) && !['AP009', 'AP013'].includes(f.ruleId))).toEqual([]);
    const again = await runCli(['fix', dir, '--no-cache']);
    expect(again.stdout).toBe('');
  }));

const realFlask = requirePython('flask, flask_limiter', 'python3-flask, python3-flask-limiter');

realFlask('the real Flask-Limiter answers 429 after exactly the rate the fix wrote; the decorator above the route would not', () =>
  inProject(APP, async (dir) => {
    expect(thresholds(dir)).toEqual({ '/items': null, '/login': null });
    await runCli(['fix', dir, '--write', '--no-cache']);
    expect(thresholds(dir)).toEqual({ '/items': 7, '/login': 4 });
    // The mutation: the same line one decorator too high, above `@bp.get("/items")`.
    const views = path.join(dir, 'views.py');
    const text = readFileSync(views, 'utf8');
    writeFileSync(views, text.replace('@bp.get("/items")\n@audited\n@limiter.limit("7/minute")\n', '@limiter.limit("7/minute")\n@bp.get("/items")\n@audited\n'));
    expect(readFileSync(views, 'utf8')).not.toBe(text);
    expect(thresholds(dir)['/items']).toBeNull();
  }));

test('SARIF results carry the edits fix writes, as replacements GitHub can apply', () =>
  inProject(APP, async (dir) => {
    const report = await runCli(['scan', dir, '-f', 'sarif', '--no-cache']);
    const log = JSON.parse(report.stdout) as Sarif.Log;
    expect(sarifErrors(log)).toEqual([]);
    const fixes = log.runs[0].results!.filter((r) => r.ruleId === 'AP001').map((r) => r.fixes?.[0].artifactChanges.map((c) => [c.artifactLocation.uri, ...c.replacements.map((p) => `${p.deletedRegion.startLine}:${p.insertedContent?.text ?? ''}`)]));
    expect(fixes).toEqual(expect.arrayContaining([[['views.py', '5:from extensions import limiter\n', '18:@limiter.limit("4/minute")\n']]]));
  }));

realFlask('an app without a limiter gets Flask-Limiter\'s usual one, and the real library enforces the written rates', () =>
  inProject({}, async (dir) => {
    writeFileSync(path.join(dir, '.apiposture.toml'), APP['.apiposture.toml']);
    writeFileSync(path.join(dir, 'app.py'), '"""No limiter yet."""\nfrom flask import Flask\n\napp = Flask(__name__)\n\n\n@app.post("/login")\ndef login():\n    return "token"\n\n\n@app.get("/items")\ndef items():\n    return "[]"\n');
    const fixed = await runCli(['fix', dir, '--write', '--no-cache']);
    expect(fixed.stderr).toContain('add Flask-Limiter to the project\'s dependencies');
    expect(readFileSync(path.join(dir, 'app.py'), 'utf8')).toContain('from flask_limiter.util import get_remote_address\nlimiter = Limiter(get_remote_address)\n');
    expect(readFileSync(path.join(dir, 'app.py'), 'utf8')).toContain('app = Flask(__name__)\nlimiter.init_app(app)\n');
    expect(thresholds(dir)).toEqual({ '/items': 7, '/login': 4 });
    expect((await runCli(['fix', dir, '--no-cache'])).stdout).toBe('');
  }));

test('slowapi: the limit goes above the endpoint with the request parameter slowapi needs; a rescan finds the routes limited', () =>
  inProject({}, async (dir) => {
    writeFileSync(path.join(dir, '.apiposture.toml'), APP['.apiposture.toml']);
    const app = [
      'from fastapi import FastAPI',
      'from slowapi import Limiter, _rate_limit_exceeded_handler',
      'from slowapi.errors import RateLimitExceeded',
      'from slowapi.util import get_remote_address',
      '',
      'limiter = Limiter(key_func=get_remote_address)',
      'app = FastAPI()',
      'app.state.limiter = limiter',
      'app.add_exception_handler(RateLimitExceeded, _rate_limit_exceeded_handler)',
      '',
      '',
      '@app.post("/login")',
      'async def login(user: str) -> dict:',
      '    return {"token": user}',
      '',
      '',
      '@app.get("/items")',
      'def items():',
      '    return []',
      '',
      '',
      '@app.post("/orders")',
      'async def create_order(',
      '    item: str,',
      '    count: int = 1,',
      ') -> dict:',
      '    return {"item": item, "count": count}',
      '',
    ].join('\n');
    writeFileSync(path.join(dir, 'app.py'), app);
    const diff = await runCli(['fix', dir, '--no-cache']);
    expect(spawnSync('git', ['apply', '--check', '-'], { cwd: dir, input: diff.stdout, encoding: 'utf8' }).status).toBe(0);
    await runCli(['fix', dir, '--write', '--no-cache']);
    const fixed = readFileSync(path.join(dir, 'app.py'), 'utf8');
    expect(fixed).toContain('@app.post("/login")\n@limiter.limit("4/minute")\nasync def login(request: Request, user: str) -> dict:\n');
    expect(fixed).toContain('@app.get("/items")\n@limiter.limit("7/minute")\ndef items(request: Request):\n');
    expect(fixed).toContain('@app.post("/orders")\n@limiter.limit("7/minute")\nasync def create_order(\n    request: Request,\n    item: str,\n');
    const after = await scan({ paths: [dir] });
    expect(after.skipped).toEqual([]); // no syntax error
    expect(after.routes.map((r) => `${r.path} ${r.status} ${r.limits.map((l) => l.rate).join()}`).sort()).toEqual(['/items limited 7/minute', '/login limited 4/minute', '/orders limited 7/minute']);
    expect(after.findings.map((f) => f.ruleId).filter((id) => ['AP001', 'AP005'].includes(id))).toEqual([]);
    expect((await runCli(['fix', dir, '--no-cache'])).stdout).toBe('');
  }));

test('a FastAPI app without a limiter gets slowapi wired under it, and a rescan finds its routes limited', () =>
  inProject({ '.apiposture.toml': APP['.apiposture.toml'], 'main.py': 'from fastapi import FastAPI\n\napp = FastAPI()\n\n\n@app.post("/login")\ndef login(user: str):\n    return {"token": user}\n' }, async (dir) => {
    const fixed = await runCli(['fix', dir, '--write', '--no-cache']);
    expect(fixed.stderr).toContain('add slowapi to the project\'s dependencies');
    expect(readFileSync(path.join(dir, 'main.py'), 'utf8')).toBe(
      [
        'from fastapi import FastAPI',
        'from slowapi import Limiter, _rate_limit_exceeded_handler',
        'from slowapi.util import get_remote_address',
        'from slowapi.errors import RateLimitExceeded',
        'from fastapi import Request',
        'limiter = Limiter(key_func=get_remote_address, key_style="endpoint")',
        '',
        'app = FastAPI()',
        'app.state.limiter = limiter',
        'app.add_exception_handler(RateLimitExceeded, _rate_limit_exceeded_handler)',
        '',
        '',
        '@app.post("/login")',
        '@limiter.limit("4/minute")',
        'def login(request: Request, user: str):',
        '    return {"token": user}',
        '',
      ].join('\n'),
    );
    const after = await scan({ paths: [dir] });
    expect(after.routes.map((r) => `${r.path} ${r.status} ${r.limits.map((l) => l.rate).join()}`)).toEqual(['/login limited 4/minute']);
    expect(after.findings.map((f) => f.ruleId).filter((id) => ['AP001', 'AP003', 'AP005'].includes(id))).toEqual([]);
    expect((await runCli(['fix', dir, '--no-cache'])).stdout).toBe('');
  }));

test('routes in another module than their FastAPI app get a limiter module of their own beside the app\'s; the diff creates it and applies with git apply', () =>
  inProject(
    {
      '.apiposture.toml': APP['.apiposture.toml'],
      'app/__init__.py': '',
      'app/main.py': 'from fastapi import FastAPI\n\nfrom app.routes import router\n\napp = FastAPI()\napp.include_router(router)\n',
      'app/routes.py': 'from fastapi import APIRouter\n\nrouter = APIRouter()\n\n\n@router.post("/login")\ndef login(user: str):\n    return {"token": user}\n',
    },
    async (dir) => {
      const diff = await runCli(['fix', dir, '--no-cache']);
      expect(diff.stdout).toContain(['--- /dev/null', '+++ b/app/rate_limiting.py', '@@ -0,0 +1,6 @@', '+from slowapi import Limiter', '+from slowapi.util import get_remote_address', '+', '+'].join('\n'));
      expect(spawnSync('git', ['init', '-q'], { cwd: dir }).status).toBe(0);
      const applied = spawnSync('git', ['apply', '-'], { cwd: dir, input: diff.stdout, encoding: 'utf8' });
      expect(applied.stderr).toBe('');
      expect(readFileSync(path.join(dir, 'app/rate_limiting.py'), 'utf8')).toBe(
        'from slowapi import Limiter\nfrom slowapi.util import get_remote_address\n\n\n# slowapi limiter of the app in app/main.py, in a module of its own so that route modules import it without importing the app\nlimiter = Limiter(key_func=get_remote_address, key_style="endpoint")\n',
      );
      expect(readFileSync(path.join(dir, 'app/main.py'), 'utf8')).toBe(
        'from fastapi import FastAPI\n\nfrom app.routes import router\nfrom slowapi import _rate_limit_exceeded_handler\nfrom slowapi.errors import RateLimitExceeded\nfrom app.rate_limiting import limiter\n\napp = FastAPI()\napp.state.limiter = limiter\napp.add_exception_handler(RateLimitExceeded, _rate_limit_exceeded_handler)\napp.include_router(router)\n',
      );
      expect(readFileSync(path.join(dir, 'app/routes.py'), 'utf8')).toContain('from app.rate_limiting import limiter\nfrom fastapi import Request\n');
      const after = await scan({ paths: [dir] });
      expect(after.routes.map((r) => `${r.path} ${r.status} ${r.limits.map((l) => l.rate).join()}`)).toEqual(['/login limited 4/minute']);
      expect((await runCli(['fix', dir, '--no-cache'])).stdout).toBe('');
    },
  ));

test('--rule picks the findings fixed, --diff is the default output; an unknown rule or --diff with --write is a usage error', () =>
  inProject(APP, async (dir) => {
    expect((await runCli(['fix', dir, '--no-cache', '--rule', 'AP004'])).stdout).toBe(''); // the app has no misplaced limit
    const diff = await runCli(['fix', dir, '--no-cache', '--diff', '--rule', 'ap001']);
    expect(diff.stdout).toBe((await runCli(['fix', dir, '--no-cache'])).stdout);
    expect(diff.stdout).toContain('+@limiter.limit("7/minute")');
    const unknown = await runCli(['fix', dir, '--rule', 'AP002']);
    expect([unknown.code, unknown.stderr]).toEqual([2, expect.stringContaining('--rule AP002: fix writes edits for AP004 and AP001 only')]);
    expect((await runCli(['fix', dir, '--diff', '--write'])).code).toBe(2);
  }));

test('a project with an unfixable Django route beside a limited FastAPI app: a second run changes nothing', () =>
  inProject(
    {
      '.apiposture.toml': APP['.apiposture.toml'],
      'main.py': 'from fastapi import FastAPI\n\napp = FastAPI()\n\n\n@app.get("/items")\ndef items():\n    return []\n',
      'manage.py': DJANGO_APP['manage.py'],
      'settings.py': DJANGO_APP['settings.py'],
      // Django's own login view: not the project's code, so left unfixed (AP001) on every run.
      'urls.py': 'from django.contrib.auth.views import LoginView\nfrom django.urls import path\n\nurlpatterns = [path("login/", LoginView.as_view())]\n',
    },
    async (dir) => {
      expect((await runCli(['fix', dir, '--write', '--no-cache'])).code).toBe(0);
      const again = await runCli(['fix', dir, '--no-cache']);
      expect([again.code, again.stdout, again.stderr]).toEqual([0, '', expect.stringContaining('0 line edits to make')]);
    },
  ));

const SLOWAPI_SOURCE = process.env.APIPOSTURE_SLOWAPI_SOURCE;

test('a method of a class-based view (fastapi-utils style) gets the limit and `request` after `self`; with the real slowapi, 429 at the rate', () =>
  inProject(
    {
      '.apiposture.toml': APP['.apiposture.toml'],
      'cbv.py': readFileSync(path.join(__dirname, 'support', 'cbv.py'), 'utf8'),
      'app.py': 'from fastapi import APIRouter, FastAPI\n\nfrom cbv import controller\n\nrouter = APIRouter()\n\n\n@controller(router)\nclass Profile:\n    @router.post("/login")\n    def login(self):\n        return {}\n\n\napp = FastAPI()\napp.include_router(router)\n',
    },
    async (dir) => {
      await runCli(['fix', dir, '--write', '--no-cache']);
      expect(readFileSync(path.join(dir, 'app.py'), 'utf8')).toContain('    @router.post("/login")\n    @limiter.limit("4/minute")\n    def login(self, request: Request):\n');
      const after = await scan({ paths: [dir] });
      expect(after.routes.map((r) => `${r.path} ${r.status} ${r.limits.map((l) => l.rate).join()}`)).toEqual(['/login limited 4/minute']);
      if (!SLOWAPI_SOURCE) return; // the real slowapi runs from a checkout (see the README)
      const r = spawnSync(SYSTEM_PYTHON, [ASGI_PROBE, dir, 'app:app', '--measure', '10'], { cwd: dir, encoding: 'utf8', env: { ...process.env, PYTHONPATH: SLOWAPI_SOURCE, PROBE_STAND_INS: 'fastapi_limiter,pyrate_limiter,ratelimit' } });
      expect(r.stderr).toBe('');
      expect((JSON.parse(r.stdout) as { verdicts: Record<string, { threshold: number }> }[])[0].verdicts.POST.threshold).toBe(4);
    },
  ));

realFlask('an app made in a factory in another module: the limiter module is imported by the views and wired in the factory; the real Flask-Limiter enforces the rate', () =>
  inProject(
    {
      '.apiposture.toml': APP['.apiposture.toml'],
      'app.py': 'from flask import Flask\n\nfrom views import bp\n\n\ndef create_app():\n    flask_app = Flask(__name__)\n    flask_app.register_blueprint(bp)\n    return flask_app\n\n\napp = create_app()\n',
      'views.py': 'from flask import Blueprint\n\nbp = Blueprint("main", __name__)\n\n\n@bp.post("/login")\ndef login():\n    return "ok"\n',
    },
    async (dir) => {
      expect(thresholds(dir)).toEqual({ '/login': null });
      const fixed = await runCli(['fix', dir, '--write', '--no-cache']);
      expect(fixed.stderr).toContain('add Flask-Limiter to the project\'s dependencies');
      expect(readFileSync(path.join(dir, 'app.py'), 'utf8')).toContain('    flask_app = Flask(__name__)\n    limiter.init_app(flask_app)\n');
      expect(readFileSync(path.join(dir, 'views.py'), 'utf8')).toContain('from rate_limiting import limiter\n');
      expect(thresholds(dir)).toEqual({ '/login': 4 });
      expect((await runCli(['fix', dir, '--no-cache'])).stdout).toBe('');
    },
  ));

realFlask('imports go with the module\'s opening imports, above the code that uses them, not after a late import', () =>
  inProject(
    {
      '.apiposture.toml': APP['.apiposture.toml'],
      'helpers.py': 'def tool():\n    return "x"\n',
      'app.py': '"""Doc."""\nfrom flask import Flask\n\napp = Flask(__name__)\n\nfrom helpers import tool  # a late import\n\n\n@app.get("/x")\ndef x():\n    return tool()\n',
    },
    async (dir) => {
      await runCli(['fix', dir, '--write', '--no-cache']);
      expect(readFileSync(path.join(dir, 'app.py'), 'utf8')).toMatch(/^"""Doc."""\nfrom flask import Flask\nfrom flask_limiter import Limiter\nfrom flask_limiter\.util import get_remote_address\nlimiter = Limiter\(get_remote_address\)\n\napp = Flask\(__name__\)\nlimiter\.init_app\(app\)\n/);
      expect(thresholds(dir)).toEqual({ '/x': 7 });
    },
  ));

const CLASS_VIEWS = {
  '.apiposture.toml': '[policy]\ndefault-rate = "7/minute"\nauth-max-per-minute = 4\n',
  'extensions.py': APP['extensions.py'],
  'views.py': [
    'import functools',
    '',
    'from flask.views import MethodView',
    '',
    '',
    ...AUDITED,
    'class Items(MethodView):',
    '    def get(self):',
    '        return "[]"',
    '',
    '',
    'class Orders(MethodView):',
    '    """Orders of the signed-in user."""',
    '',
    '    decorators = [audited]',
    '',
    '    def get(self):',
    '        return "[]"',
    '',
    '',
    'class Reports(MethodView):',
    '    decorators = [',
    '        audited,',
    '    ]',
    '',
    '    def get(self):',
    '        return "[]"',
    '',
    '',
    'class Invoices(Orders):',
    '    def get(self):',
    '        return "[]"',
    '',
    '',
    'class Audited(MethodView):',
    '    decorators = [audited]',
    '',
    '',
    'class Ledger(Audited):',
    '    def get(self):',
    '        return "[]"',
    '',
  ].join('\n'),
  'app.py': [
    'from flask import Flask',
    '',
    'from extensions import limiter',
    'from views import Invoices, Items, Ledger, Orders, Reports',
    '',
    'app = Flask(__name__)',
    'limiter.init_app(app)',
    'app.add_url_rule("/items", view_func=Items.as_view("items"))',
    'app.add_url_rule("/orders", view_func=Orders.as_view("orders"))',
    'app.add_url_rule("/reports", view_func=Reports.as_view("reports"))',
    'app.add_url_rule("/invoices", view_func=Invoices.as_view("invoices"))',
    'app.add_url_rule("/ledger", view_func=Ledger.as_view("ledger"))',
    '',
  ].join('\n'),
};

realFlask('Flask class views: the limit joins `decorators` (new, one-line or one item per line, a subclass\'s own list keeping its base\'s; a subclass of a limited view inherits it); the real Flask-Limiter answers 429 right after it', () =>
  inProject(CLASS_VIEWS, async (dir) => {
    expect(thresholds(dir)).toEqual({ '/invoices': null, '/items': null, '/ledger': null, '/orders': null, '/reports': null });
    expect((await runCli(['fix', dir, '--write', '--no-cache'])).code).toBe(0);
    const views = readFileSync(path.join(dir, 'views.py'), 'utf8');
    expect(views).toContain('class Items(MethodView):\n    decorators = [limiter.limit("7/minute")]\n\n    def get(self):');
    expect(views).toContain('    decorators = [limiter.limit("7/minute"), audited]\n');
    expect(views).toContain('    decorators = [\n        limiter.limit("7/minute"),\n        audited,\n    ]\n');
    // Invoices inherits the limit fixed on Orders, a view itself: a second limit would count each request twice.
    expect(views).toContain('class Invoices(Orders):\n    def get(self):');
    // A base that is no view: the subclass gets its own list, the base's decorators kept after the limit.
    expect(views).toContain('class Ledger(Audited):\n    decorators = [limiter.limit("7/minute"), *Audited.decorators]\n\n    def get(self):');
    const after = await scan({ paths: [dir] });
    expect(after.routes.map((r) => `${r.path} ${r.status} ${r.limits.map((l) => l.rate).join()}`).sort()).toEqual(['/invoices limited 7/minute', '/items limited 7/minute', '/ledger limited 7/minute', '/orders limited 7/minute', '/reports limited 7/minute']);
    expect(thresholds(dir)).toEqual({ '/invoices': 7, '/items': 7, '/ledger': 7, '/orders': 7, '/reports': 7 });
    expect((await runCli(['fix', dir, '--no-cache'])).stdout).toBe(''); // a second run changes nothing
  }));

const DRF_APP = {
  '.apiposture.toml': '[policy]\ndefault-rate = "6/minute"\nauth-max-per-minute = 3\n',
  'manage.py': 'import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "settings")\n',
  'settings.py': 'SECRET_KEY = "fix-test"\nDEBUG = False\nALLOWED_HOSTS = ["*"]\nINSTALLED_APPS = ["django.contrib.auth", "django.contrib.contenttypes", "rest_framework"]\nROOT_URLCONF = "urls"\nCACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}\n',
  'urls.py': 'from django.urls import path\n\nimport views\n\nurlpatterns = [\n    path("login/", views.LoginView.as_view()),\n    path("items/", views.ItemsView.as_view()),\n    path("health/", views.health),\n]\n',
  'views.py': [
    '"""Shop API."""',
    'from rest_framework.decorators import api_view',
    'from rest_framework.response import Response',
    'from rest_framework.views import APIView',
    '',
    '',
    'class LoginView(APIView):',
    '    """Sign a user in."""',
    '',
    '    def post(self, request):',
    '        return Response({"ok": True})',
    '',
    '',
    'class ItemsView(APIView):',
    '    def get(self, request):',
    '        return Response([])',
    '',
    '',
    '@api_view(["GET"])',
    'def health(request):',
    '    return Response({"ok": True})',
    '',
  ].join('\n'),
};

/**
 * A script measuring, per path, the request the real Django project in the working folder first answers with
 * `status` (null: none within 20), for one anonymous client; caches cleared per path (routes fixed at one rate
 * share a budget per client, as DRF's UserRateThrottle does).
 */
function djangoMeasure(requests: [string, string][], status: number): string {
  return `
import django, json, os, sys
sys.path.insert(0, ".")
os.environ["DJANGO_SETTINGS_MODULE"] = "settings"
django.setup()
from django.core.cache import cache
from django.test import Client
out = {}
for path, method in ${JSON.stringify(requests)}:
    cache.clear()
    client = Client()
    out[path] = next((n for n in range(1, 21) if getattr(client, method)(path).status_code == ${status}), None)
print(json.dumps(out))
`;
}

const DRF_MEASURE = djangoMeasure([['/login/', 'post'], ['/items/', 'get'], ['/health/', 'get']], 429);

const realDrf = requirePython('django, rest_framework', 'python3-django, python3-djangorestframework');

realDrf('DRF: a throttle class with the policy rate on each view class and @api_view function; the real DRF answers 429 right after it', () =>
  inProject(DRF_APP, async (dir) => {
    const measure = (): Record<string, number | null> => JSON.parse(spawnSync(SYSTEM_PYTHON, ['-c', DRF_MEASURE], { cwd: dir, encoding: 'utf8', env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' } }).stdout);
    expect(measure()).toEqual({ '/login/': null, '/items/': null, '/health/': null });
    expect((await runCli(['fix', dir, '--write', '--no-cache'])).code).toBe(0);
    const after = await scan({ paths: [dir] });
    expect(after.routes.map((r) => `${r.path} ${r.status} ${r.limits.map((l) => l.rate).join()}`).sort()).toEqual(['/health/ limited 6/minute', '/items/ limited 6/minute', '/login/ limited 3/minute']);
    expect(after.findings.filter((f) => f.ruleId === 'AP001')).toEqual([]);
    expect(measure()).toEqual({ '/login/': 4, '/items/': 7, '/health/': 7 });
    expect((await runCli(['fix', dir, '--no-cache'])).stdout).toBe(''); // a second run changes nothing
  }));

test('fastapi-limiter: `dependencies=[Depends(RateLimiter(...))]` joins the one-line route decorator; a rescan finds the routes limited', () =>
  inProject(
    {
      '.apiposture.toml': '[policy]\ndefault-rate = "7/minute"\n',
      'main.py': readFileSync(path.join(__dirname, '..', 'fixtures', 'fastapi', 'limiter-deps', 'main.py'), 'utf8'),
    },
    async (dir) => {
      expect((await runCli(['fix', dir, '--write', '--no-cache'])).code).toBe(0);
      const text = readFileSync(path.join(dir, 'main.py'), 'utf8');
      expect(text).toContain('@app.get("/open", dependencies=[Depends(RateLimiter(times=7, minutes=1))])  # $ route=');
      const after = await scan({ paths: [dir] });
      const rows = after.routes.filter((r) => ['/open', '/gated/plain/ping', '/v0/reports/{report_id}'].includes(r.path)).map((r) => `${r.path} ${r.status} ${r.limits.map((l) => l.rate).join()}`);
      expect(rows.sort()).toEqual(['/gated/plain/ping limited 7/minute', '/open limited 7/minute', '/v0/reports/{report_id} limited 7/minute']);
      expect(after.findings.filter((f) => f.ruleId === 'AP001').map((f) => f.routeIds)).toEqual([['fastapi:WS:/ws-open']]); // a WebSocket endpoint is left to the user
      expect((await runCli(['fix', dir, '--no-cache'])).stdout).toBe('');
    },
  ));

test('fastapi-limiter 0.2: no per-client fix exists in its own idiom (one pyrate bucket for every client), so the route is left with the reason, not given slowapi', () =>
  inProject({ 'main.py': readFileSync(path.join(__dirname, '..', 'fixtures', 'fastapi', 'limiter-deps', 'pyrate.py'), 'utf8') + '\n\n@app.get("/open")\nasync def open_route():\n    return []\n' }, async (dir) => {
    const run = await runCli(['fix', dir, '--write', '--no-cache']);
    expect(run.stderr).toContain('not fixed: GET /open (main.py:19): the project limits with fastapi-limiter 0.2, whose `Limiter(Rate(...))` is one bucket every client shares');
    expect(readFileSync(path.join(dir, 'main.py'), 'utf8')).not.toContain('slowapi');
  }));

const DJANGO_APP = {
  '.apiposture.toml': '[policy]\ndefault-rate = "6/minute"\nauth-max-per-minute = 3\n',
  'manage.py': 'import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "settings")\n',
  'settings.py': 'SECRET_KEY = "fix-test"\nDEBUG = False\nALLOWED_HOSTS = ["*"]\nINSTALLED_APPS = ["django.contrib.auth", "django.contrib.contenttypes"]\nROOT_URLCONF = "urls"\nCACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}\n',
  'urls.py': 'from django.urls import path\n\nimport views\n\nurlpatterns = [\n    path("login/", views.login),\n    path("items/", views.Items.as_view()),\n]\n',
  'views.py': [
    '"""Shop pages."""',
    'from django.http import HttpResponse',
    'from django.views import View',
    'from django.views.decorators.http import require_POST',
    '',
    '',
    '@require_POST',
    'def login(request):',
    '    return HttpResponse("ok")',
    '',
    '',
    'class Items(View):',
    '    def get(self, request):',
    '        return HttpResponse("[]")',
    '',
  ].join('\n'),
};

const DJANGO_MEASURE = djangoMeasure([['/login/', 'post'], ['/items/', 'get']], 403); // django-ratelimit's Ratelimited is a 403

test('django-ratelimit: a blocking @ratelimit on each function view, method_decorator on each class view; a rescan finds them limited', () =>
  inProject(DJANGO_APP, async (dir) => {
    const fixed = await runCli(['fix', dir, '--write', '--no-cache']);
    expect(fixed.code).toBe(0);
    expect(fixed.stderr).toContain('add django-ratelimit to the project'); // a dependency to add
    const views = readFileSync(path.join(dir, 'views.py'), 'utf8');
    expect(views).toContain('@require_POST\n@ratelimit(key="ip", rate="3/minute", block=True)\ndef login(request):');
    expect(views).toContain('@method_decorator(ratelimit(key="ip", rate="6/minute", block=True), name="dispatch")\nclass Items(View):');
    const after = await scan({ paths: [dir] });
    expect(after.routes.map((r) => `${r.path} ${r.status} ${r.limits.map((l) => l.rate).join()}`).sort()).toEqual(['/items/ limited 6/minute', '/login/ limited 3/minute']);
    expect((await runCli(['fix', dir, '--no-cache'])).stdout).toBe(''); // a second run changes nothing
    // django-ratelimit is not in Debian: with its source (APIPOSTURE_DJANGO_RATELIMIT_SOURCE) the real one blocks right after the rate.
    const source = process.env.APIPOSTURE_DJANGO_RATELIMIT_SOURCE;
    if (source && pythonHas('django')) {
      const r = spawnSync(SYSTEM_PYTHON, ['-c', DJANGO_MEASURE], { cwd: dir, encoding: 'utf8', env: { ...process.env, PYTHONPATH: source, PYTHONDONTWRITEBYTECODE: '1' } });
      expect(JSON.parse(r.stdout)).toEqual({ '/login/': 4, '/items/': 7 });
    }
  }));

const FIXTURE_PROJECTS = fg.sync('*/*', { cwd: path.join(__dirname, '..', 'fixtures'), onlyDirectories: true }).sort();

test.each(FIXTURE_PROJECTS)('%s: every route fix says it fixed comes out limited at a policy rate, with no new kind of finding', async (project) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'apiposture-fixture-fix-'));
  try {
    cpSync(path.join(__dirname, '..', 'fixtures', project), dir, { recursive: true, filter: (from) => !from.includes('.apiposture-cache') });
    const before = await scan({ paths: [dir] });
    const fixed = await runCli(['fix', dir, '--write', '--no-cache']);
    expect(fixed.code).toBe(0);
    const notFixed = new Set([...fixed.stderr.matchAll(/^not fixed: (.+?) \(/gm)].map((m) => m[1]));
    const flagged = (r: Route, rule: string): boolean => before.findings.some((f) => f.ruleId === rule && counts(f) && f.routeIds.includes(r.id));
    const targets = before.routes.filter((r) => (flagged(r, 'AP001') || flagged(r, 'AP004')) && !notFixed.has(`${methodsLabel(r)} ${r.path}`));
    const after = await scan({ paths: [dir] });
    expect(after.skipped.filter((s) => !before.skipped.some((b) => b.file === s.file))).toEqual([]); // every edited file still parses
    // DEFAULT_POLICY: default, auth-sensitive, with the daily cap on routes that send email or SMS (one `limits`
    // string, or a limit of its own where the library takes one rate each).
    const rates = new Set(['60/minute', '10/minute', '60/minute;20/day', '10/minute;20/day']);
    const problems = targets.flatMap((r) => {
      const now = after.routes.find((a) => a.id === r.id);
      if (!now) return [`${r.id} is gone`];
      // A misplaced decorator (AP004) is moved with its own rate; a new limit has a policy rate. The project's own
      // limiter, once moved, runs but is not evaluated: unknown, naming it.
      const rated = flagged(r, 'AP004') || now.limits.some((l) => rates.has(l.rate));
      const ownMoved = flagged(r, 'AP004') && now.status === 'unknown' && now.evidence.some((e) => e.message.includes("the project's own rate limiter"));
      return (now.status === 'limited' && rated) || ownMoved ? [] : [`${r.id}: ${now.status} ${now.limits.map((l) => l.rate).join()}`];
    });
    expect(problems).toEqual([]);
    // What the fix adds may raise only notes the project's limiter setup already draws (bursts, Retry-After, storage,
    // keys); a route no app reaches turns from unlimited to unknown once the project has a limiter (AP016).
    const kinds = new Set(before.findings.map((f) => f.ruleId));
    const orphan = (f: (typeof after.findings)[number]): boolean => f.ruleId === 'AP016' && f.routeIds.every((id) => after.routes.find((r) => r.id === id)?.unresolved.length);
    expect([...new Set(after.findings.filter((f) => !orphan(f)).map((f) => f.ruleId))].filter((id) => !kinds.has(id) && !['AP006', 'AP009', 'AP011', 'AP013'].includes(id))).toEqual([]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
