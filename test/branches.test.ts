/**
 * Names rebound on branches resolve as Python runs them: an assignment in one arm of an `if` never reaches
 * a read in another arm, and after the `if` every arm's value (and the one before it, when an arm may not
 * run) is possible. A value with several possible texts is not a static string: `{?}`, never a pick.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { scan } from '../src/scan';
import type { Profile } from '../src/python/profile';
import { spawnSync } from 'node:child_process';
import { requirePython, SYSTEM_PYTHON } from './support/system-python';
import { scanFiles } from './support/project';

async function routesOf(files: Record<string, string>, profile?: Profile): Promise<string[]> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'apiposture-branches-'));
  try {
    for (const [file, text] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
      writeFileSync(path.join(dir, file), text);
    }
    return (await scan({ paths: [dir], profile })).routes.map((r) => `${r.path}${r.unresolved.length ? ` (${r.unresolved.join('; ')})` : ''}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// A Django project whose settings module is `site.settings`.
const DJANGO_SITE = { 'manage.py': 'import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "site.settings")\n', 'site/__init__.py': '' };

const FLASK = 'from flask import Flask, Blueprint\nimport os\napp = Flask(__name__)\nbp = Blueprint("b", __name__)\n\n@bp.route("/x")\ndef x():\n    return ""\n\n';

test('a prefix rebound under a condition the scanner cannot decide is not a static string', async () => {
  const routes = await routesOf({ 'app.py': `${FLASK}prefix = "/admin"\nif os.path.exists("/etc/at-root"):\n    prefix = ""\napp.register_blueprint(bp, url_prefix=prefix)\n` });
  expect(routes).toEqual([expect.stringMatching(/^\{\?\}\/x \(url_prefix `prefix` \(app\.py:13\) is not a static string/)]);
});

test('the deployment profile decides branches on the environment: production by default, --define and profiles change it', async () => {
  const files = { 'app.py': `${FLASK}prefix = "/admin"\nif os.environ.get("AT_ROOT"):\n    prefix = ""\nelif not DEBUG and ENV == "production":\n    prefix = "/prod"\napp.register_blueprint(bp, url_prefix=prefix)\nDEBUG = True\nENV = "dev"\n` };
  expect(await routesOf(files)).toEqual(['/prod/x']); // AT_ROOT unset; DEBUG off and ENV production, whatever the module says
  expect(await routesOf(files, { name: 'development', defines: {} })).toEqual(['/admin/x']);
  expect(await routesOf(files, { name: 'production', defines: { AT_ROOT: '1' } })).toEqual(['/x']);
});

test('an assignment in the other arm never reaches a read; after an if/else both arms are possible', async () => {
  const inElse = `${FLASK}if os.environ.get("A"):\n    prefix = "/a"\nelse:\n    prefix = "/b"\n    app.register_blueprint(bp, url_prefix=prefix)\n`;
  expect(await routesOf({ 'app.py': inElse })).toEqual(['/b/x']);
  const both = `${FLASK}match os.environ.get("MODE"):\n    case "a":\n        prefix = "/a"\n    case _:\n        prefix = "/a"\napp.register_blueprint(bp, url_prefix=prefix)\n`;
  expect(await routesOf({ 'app.py': both })).toEqual(['/a/x']);
});

test('a list extended under many conditions is walked once per pattern, not once per combination of arms', async () => {
  const extensions = Array.from({ length: 30 }, (_, i) => `if os.path.exists("/etc/f${i}"):\n    urlpatterns = (*urlpatterns, path("p${i}/", view))\n`).join('');
  const routes = await routesOf({
    ...DJANGO_SITE,
    'site/settings.py': 'ROOT_URLCONF = "site.urls"\n',
    'site/urls.py': `import os\nfrom django.urls import path\n\ndef view(request):\n    return None\n\nurlpatterns = [path("base/", view)]\n${extensions}`,
  });
  expect(routes).toHaveLength(31); // 2^30 combinations of arms if each were walked
});

test('a prefix from the site URL an environment variable would give, with its default in the code', async () => {
  const files = {
    ...DJANGO_SITE,
    'site/settings.py': 'import os\nROOT_URLCONF = "site.urls"\nSITE_ROOT = os.getenv("SITE_ROOT", "http://localhost:8000").removesuffix("/")\n',
    'site/urls.py': 'from urllib.parse import urlparse\nfrom django.conf import settings\nfrom django.urls import path\n\ndef view(request):\n    return None\n\nprefix = ""\nif _path := urlparse(settings.SITE_ROOT).path.lstrip("/"):\n    prefix = f"{_path}/"\n\nurlpatterns = [path(f"{prefix}ping/", view)]\n',
  };
  expect(await routesOf(files)).toEqual(['/ping/']);
  // Under another site root the arm runs; the prefix it builds from the URL is not evaluated yet: unresolved, never a pick.
  expect(await routesOf(files, { name: 'production', defines: { SITE_ROOT: 'https://example.com/hc' } })).toEqual([expect.stringMatching(/^\/\{\?\}/)]);
});

test('settings named through a loop over name and value pairs decide branches on `settings.X`', async () => {
  const files = {
    // Only the loop names the settings module: its key is no literal, so it is read through the loop.
    'manage.py': 'import os\nos.environ["PYTHONUNBUFFERED"] = "1"\nfor name, value in [("DJANGO_SETTINGS_MODULE", "site.settings")]:\n    os.environ.setdefault(name, value)\n',
    'site/__init__.py': '',
    // The module it names overrides the base, which alone assigns ROOT_URLCONF (and would be taken without the name).
    'site/base.py': 'ROOT_URLCONF = "site.urls"\nFEATURE = True\n',
    'site/settings.py': 'from site.base import *\nFEATURE = False\n',
    'site/urls.py': 'from django.conf import settings\nfrom django.urls import path\n\ndef view(request):\n    return None\n\nurlpatterns = [path("base/", view)]\nif settings.FEATURE:\n    urlpatterns += [path("feature/", view)]\n',
  };
  expect(await routesOf(files)).toEqual(['/base/']);
});

test('a project helper the profile can run decides a branch: a rule scoped by an environment flag parsed by the project', async () => {
  const files = {
    'helpers.py': 'def parse_boolean(s):\n    s = s.strip().lower()\n    if s in ("yes", "true", "on", "1"):\n        return True\n    elif s in ("no", "false", "off", "0", "none"):\n        return False\n    else:\n        raise ValueError(s)\n',
    'settings.py': 'import os\nfrom helpers import parse_boolean\nMULTI_ORG = parse_boolean(os.environ.get("APP_MULTI_ORG", " False "))\n',
    'app.py': `${FLASK}import settings\n\ndef scoped(rule):\n    if settings.MULTI_ORG:\n        return "/<org>" + rule\n    return rule\n\n@app.route(scoped("/home"))\ndef home():\n    return ""\n\napp.register_blueprint(bp)\n`,
  };
  expect(await routesOf(files)).toEqual(['/home', '/x']);
  expect(await routesOf(files, { name: 'production', defines: { APP_MULTI_ORG: 'on' } })).toEqual(['/<org>/home', '/x']);
  // A value the helper refuses (it raises) decides nothing: both rules are possible.
  expect(await routesOf(files, { name: 'production', defines: { APP_MULTI_ORG: 'maybe' } })).toEqual(['/x', expect.stringMatching(/^\{\?\} \(rule `scoped\(…\)` is not a static string/)]);
});

test('a limiter switched on by a value the scanner cannot read is unknown, never limited', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'apiposture-branches-'));
  try {
    const limiter = (enabled: string): string =>
      `from flask import Flask\nfrom flask_limiter import Limiter\nfrom flask_limiter.util import get_remote_address\nfrom switches import flag\napp = Flask(__name__)\nlimiter = Limiter(get_remote_address, app=app, enabled=${enabled})\n\n@app.route("/login")\n@limiter.limit("5/minute")\ndef login():\n    return ""\n`;
    const statusWith = async (enabled: string): Promise<string> => {
      writeFileSync(path.join(dir, 'app.py'), limiter(enabled));
      return (await scan({ paths: [dir] })).routes.map((r) => r.status).join();
    };
    expect(await statusWith('flag("LIMITS")')).toBe('unknown'); // `switches` is not in the project
    expect(await statusWith('True')).toBe('limited');
    expect(await statusWith('False')).toBe('unlimited');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the defaults the profile takes are listed as assumptions, with where they are read', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'apiposture-branches-'));
  try {
    writeFileSync(path.join(dir, 'app.py'), `${FLASK}prefix = os.environ.get("API_PREFIX", "/v1")\nif os.environ.get("AT_ROOT"):\n    prefix = ""\napp.register_blueprint(bp, url_prefix=getattr(os, "NO_SUCH_PREFIX", prefix))\n`);
    const result = await scan({ paths: [dir] });
    expect(result.routes.map((r) => r.path)).toEqual(['/v1/x']);
    expect(result.project.assumptions.map((a) => `${a.line}: ${a.text}`)).toEqual([
      '10: API_PREFIX not set: the code\'s default "/v1"',
      '11: AT_ROOT not set: the code\'s default None',
      '13: `os.NO_SUCH_PREFIX` cannot be read: the default given to getattr',
    ]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a middleware factory picks its rules by the stage: limited in production, not where the stage says tests', async () => {
  const fixture = path.join(__dirname, '..', 'fixtures', 'fastapi', 'factories');
  const statusOf = async (profile?: Profile): Promise<string[]> => (await scan({ paths: [fixture], profile })).routes.map((r) => `${r.path} ${r.status}`);
  expect(await statusOf()).toEqual(['/archive unlimited', '/health unlimited', '/restore unlimited', '/v1/items limited', '/v1/login limited']);
  // The verdict rests on the branch the profile takes, and the evidence says so.
  const items = (await scan({ paths: [fixture] })).routes.find((r) => r.path === '/v1/items');
  expect(items?.evidence).toContainEqual({ file: 'main.py', line: 24, message: '`60/minute` is there because the production profile takes this branch: another deployment may run without it (see --profile, --define)' });
  expect(await statusOf({ name: 'production', defines: { STAGE: 'test' } })).toEqual(['/archive unlimited', '/health unlimited', '/restore unlimited', '/v1/items unlimited', '/v1/login unlimited']);
  // A stage the profile does not name is what the code computes it from: APP_STAGE, unset, gives its default.
  const unnamed = await scan({ paths: [fixture], profile: { name: 'production', defines: { STAGE: null } } });
  expect(unnamed.routes.map((r) => `${r.path} ${r.status}`)).toEqual(['/archive unlimited', '/health unlimited', '/restore unlimited', '/v1/items limited', '/v1/login limited']);
  expect(unnamed.project.assumptions.map((a) => `${a.file}:${a.line} ${a.text}`)).toEqual(['main.py:19 APP_STAGE not set: the code\'s default "production"']);
});

test('a rate formatted from pydantic settings fields is their defaults, listed as assumptions', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'apiposture-branches-'));
  try {
    writeFileSync(path.join(dir, 'settings.py'), 'from pydantic import Field\nfrom pydantic_settings import BaseSettings\n\nclass Limits(BaseSettings):\n    per: int = Field(default=200, ge=0)\n    unit: str = Field(default="minute")\n\nsettings = Limits()\n');
    writeFileSync(path.join(dir, 'app.py'), 'from fastapi import FastAPI, Request\nfrom slowapi import Limiter\nfrom slowapi.middleware import SlowAPIMiddleware\nfrom slowapi.util import get_remote_address\nfrom settings import settings\n\napp = FastAPI()\napp.state.limiter = Limiter(key_func=get_remote_address, default_limits=[f"{settings.per}/{settings.unit}"])\napp.add_middleware(SlowAPIMiddleware)\n\n@app.get("/x")\ndef x(request: Request):\n    return 1\n');
    const result = await scan({ paths: [dir] });
    expect(result.routes.map((r) => `${r.status} ${r.limits.map((l) => l.rate).join()}`)).toEqual(['limited 200/minute']);
    expect(result.project.assumptions.map((a) => `${a.file}:${a.line} ${a.text}`)).toEqual(['settings.py:5 setting `per` not set: the code\'s default "200"', 'settings.py:6 setting `unit` not set: the code\'s default "minute"']);
    expect(result.routes[0].assumptions?.map((a) => `${a.file}:${a.line}`)).toEqual(['settings.py:5', 'settings.py:6']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('what a branch the profile does not run registers is listed as not served, with its full path, and not checked', async () => {
  const project = path.join(__dirname, '..', 'fixtures', 'fastapi', 'fullstack');
  const production = await scan({ paths: [project] });
  expect(production.routes.some((r) => r.path.includes('private'))).toBe(false);
  expect(production.findings.some((f) => f.file.includes('private'))).toBe(false);
  expect(production.project.profile.notServed.map((n) => `${n.file}:${n.line} ${n.call} ${n.condition} (${n.branchLine})`)).toEqual([
    'app/api/main.py:13 api_router.include_router if settings.ENVIRONMENT == "local" (12)',
    'app/api/routes/private.py:8 POST /api/v1/private/users/ if settings.ENVIRONMENT == "local" (12)',
  ]);
  const local = await scan({ paths: [project], profile: { name: 'production', defines: { ENVIRONMENT: 'local' } } });
  expect(local.routes.filter((r) => r.path.includes('private')).map((r) => `${r.path} ${r.status}`)).toEqual(['/api/v1/private/users/ unlimited']);
  expect(local.project.profile.notServed).toEqual([]);
  // Django: patterns added under `if settings.DEBUG:` are listed, not dropped silently.
  const django = await scan({ paths: [path.join(__dirname, '..', 'fixtures', 'django', 'localized')] });
  expect(django.project.profile.notServed.map((n) => `${n.file}:${n.line} ${n.call} ${n.condition}`)).toEqual(['localsite/urls.py:15 path if settings.DEBUG']);
});

test('a project URLconf only a branch the profile does not run includes is not served: its routes are listed so, no orphans', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'apiposture-branches-'));
  const files: Record<string, string> = {
    ...DJANGO_SITE,
    'site/settings.py': 'import os\nROOT_URLCONF = "site.urls"\nANALYTICS = os.environ.get("ANALYTICS") == "on"\n',
    'site/urls.py': 'from django.conf import settings\nfrom django.urls import include, path\n\ndef view(request):\n    return None\n\nurlpatterns = [path("base/", view)]\nif settings.ANALYTICS:\n    urlpatterns += [path("analytics/", include("site.analytics"))]\n',
    'site/analytics.py': 'from django.urls import path\n\ndef report(request):\n    return None\n\nurlpatterns = [path("report/", report)]\n',
  };
  try {
    for (const [file, text] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
      writeFileSync(path.join(dir, file), text);
    }
    const production = await scan({ paths: [dir] });
    expect(production.routes.map((r) => r.path)).toEqual(['/base/']);
    expect(production.unresolvedRegistrations).toEqual([]);
    expect(production.project.profile.notServed.map((n) => `${n.file}:${n.line} ${n.call} ${n.condition}`)).toEqual(['site/analytics.py:6 DELETE,GET,HEAD,OPTIONS,PATCH,POST,PUT,TRACE /{?}report/ if settings.ANALYTICS', 'site/urls.py:9 path(…, include(…)) if settings.ANALYTICS']);
    const on = await scan({ paths: [dir], profile: { name: 'production', defines: { ANALYTICS: 'on' } } });
    expect([on.routes.map((r) => r.path), on.project.profile.notServed]).toEqual([['/analytics/report/', '/base/'], []]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a Starlette mount only a branch the profile does not run adds is not served: its routes are listed so, no orphans', async () => {
  const files: Record<string, string> = {
    // hostedapi's mock GitHub server: `if settings.MOCK_GITHUB: routes += [Mount(...)]`, read with Starlette's Config.
    'app.py': [
      'from starlette.applications import Starlette',
      'from starlette.config import Config',
      'from starlette.routing import Mount, Route',
      'from mock import routes as mock_routes',
      '',
      'config = Config()',
      'MOCK = config("MOCK", cast=bool, default=False)',
      '',
      'async def home(request):',
      '    return None',
      '',
      'routes = [Route("/", home)]',
      'if MOCK:',
      '    routes += [Mount("/mock", routes=mock_routes)]',
      'app = Starlette(routes=routes)',
      '',
    ].join('\n'),
    'mock.py': 'from starlette.routing import Route\n\nasync def user(request):\n    return None\n\nroutes = [Route("/user", user)]\n',
  };
  const production = await scanFiles(files);
  expect(production.routes.map((r) => r.path)).toEqual(['/']);
  expect(production.unresolvedRegistrations).toEqual([]);
  expect(production.project.profile.notServed.map((n) => `${n.file}:${n.line} ${n.call} ${n.condition}`)).toEqual(['mock.py:6 GET /mock/user if MOCK']);
  expect(production.project.assumptions.map((a) => `${a.file}:${a.line} ${a.text}`)).toEqual(["app.py:7 MOCK not set: the code's default False"]);
  const on = await scanFiles(files, { profile: { name: 'production', defines: { MOCK: true } } });
  expect([on.routes.map((r) => r.path), on.project.profile.notServed]).toEqual([['/', '/mock/user'], []]);
});

test('a `case` on an enum member compares as Python does: a StrEnum member equals its text, a plain Enum member equals no text', async () => {
  const stage = (base: string): string =>
    `${FLASK}import enum\n\nclass Stage(${base}):\n    production = "production"\n\nmatch os.environ.get("STAGE", "production"):\n    case Stage.production:\n        prefix = "/prod"\n    case _:\n        prefix = "/other"\napp.register_blueprint(bp, url_prefix=prefix)\n`;
  expect(await routesOf({ 'app.py': stage('enum.StrEnum') })).toEqual(['/prod/x']);
  expect(await routesOf({ 'app.py': stage('str, enum.Enum') })).toEqual(['/prod/x']);
  // `"production" == Stage.production` is False for a plain Enum: the scan does not pick an arm.
  expect(await routesOf({ 'app.py': stage('enum.Enum') })).toEqual([expect.stringMatching(/^\{\?\}\/x \(url_prefix `prefix`/)]);
  const byValue = stage('enum.Enum').replace('case Stage.production:', 'case Stage.production.value:');
  expect(await routesOf({ 'app.py': byValue })).toEqual(['/prod/x']);
});

test('`a if test else b` is the arm the profile takes, or either', async () => {
  const helper = 'def with_slash(value):\n    return f"/{value.strip(\'/\')}" if value else ""\n\n';
  expect(await routesOf({ 'app.py': `${FLASK}${helper}app.register_blueprint(bp, url_prefix=with_slash(os.environ.get("MOUNT", "")) + "/api")\n` })).toEqual(['/api/x']);
  expect(await routesOf({ 'app.py': `${FLASK}${helper}app.register_blueprint(bp, url_prefix=with_slash(os.environ.get("MOUNT", "docs")) + "/api")\n` })).toEqual(['/docs/api/x']);
  expect(await routesOf({ 'app.py': `${FLASK}app.register_blueprint(bp, url_prefix="/a" if os.path.exists("/etc/a") else "/b")\n` })).toEqual([expect.stringMatching(/^\{\?\}\/x /)]);
});

test('an `except` handler runs only when its `try` raises: what it binds or returns is one possibility, never the answer', async () => {
  const rebound = `${FLASK}prefix = "/full"\ntry:\n    import extras\nexcept ImportError:\n    prefix = "/lite"\napp.register_blueprint(bp, url_prefix=prefix)\n`;
  expect(await routesOf({ 'app.py': rebound })).toEqual([expect.stringMatching(/^\{\?\}\/x \(url_prefix `prefix`/)]);
  const returned = `${FLASK}def mount():\n    try:\n        import extras\n    except ImportError:\n        return "/lite"\n    return "/full"\n\napp.register_blueprint(bp, url_prefix=mount())\n`;
  expect(await routesOf({ 'app.py': returned })).toEqual([expect.stringMatching(/^\{\?\}\/x /)]);
  const inBody = `${FLASK}def mount():\n    try:\n        return os.environ.get("MOUNT", "/full")\n    except KeyError:\n        return "/lite"\n\napp.register_blueprint(bp, url_prefix=mount())\n`;
  expect(await routesOf({ 'app.py': inBody })).toEqual(['/full/x']);
});

test('a list changed in place after its assignment is tested as it is then: what `append` and `extend` add, in the arms that run', async () => {
  const settings = [
    'import os',
    'from importlib.metadata import entry_points',
    'ROOT_URLCONF = "site.urls"',
    'APPS = ["core"]',
    'if os.environ.get("NO_BUGS") is None:',
    '    APPS.append("bugs")',
    'APPS.extend(["audit"])',
    'INSTALLED_APPS = APPS + ["django.contrib.auth"]',
    'for plugin in entry_points().select(group="site.plugins"):',
    '    INSTALLED_APPS.append(plugin.value)',
    'RETIRED = ["old"]',
    'RETIRED.remove("old")',
  ];
  const urls = [
    'import os',
    'from django.conf import settings',
    'from django.urls import path',
    'def view(request):',
    '    return None',
    'urlpatterns = [path("base/", view)]',
    'if "bugs" in settings.INSTALLED_APPS:',
    '    urlpatterns += [path("bugs/", view)]',
    'if "bugs" in settings.APPS:',
    '    urlpatterns += [path("bugs-core/", view)]',
    'if "audit" in settings.INSTALLED_APPS:',
    '    urlpatterns += [path("audit/", view)]',
    // A plugin the loop may add, and an item `remove` may have taken out: both arms are possible.
    'if "plugin" in settings.INSTALLED_APPS:',
    '    urlpatterns += [path("plugin/", view)]',
    'if "old" in settings.RETIRED:',
    '    urlpatterns += [path("old/", view)]',
    'extra = [os.environ.get("EXTRA", "x")]',
    'if "y" in extra:', // appended only after this test
    '    urlpatterns += [path("early/", view)]',
    'extra.append("y")',
  ];
  const files = {
    ...DJANGO_SITE,
    'site/settings.py': `${settings.join('\n')}\n`,
    'site/urls.py': `${urls.join('\n')}\n`,
  };
  expect((await routesOf(files)).sort()).toEqual(['/audit/', '/base/', '/bugs-core/', '/bugs/', '/old/', '/plugin/']);
  // Without the append, APPS is known whole; INSTALLED_APPS may still get "bugs" from a plugin.
  expect((await routesOf(files, { name: 'production', defines: { NO_BUGS: '1' } })).sort()).toEqual(['/audit/', '/base/', '/bugs/', '/old/', '/plugin/']);
});

test('a setting rebound only in arms the profile rules out has the value of the binding that runs, also through getattr', async () => {
  const files = {
    ...DJANGO_SITE,
    // ArchiveBox's debug toolbar switch.
    'site/settings.py': 'DEBUG = False\nROOT_URLCONF = "site.urls"\nTOOLBAR = True\nTOOLBAR = TOOLBAR and DEBUG\nif TOOLBAR:\n    try:\n        import debug_toolbar\n        TOOLBAR = True\n    except ImportError:\n        TOOLBAR = False\n',
    'site/urls.py': 'from django.conf import settings\nfrom django.urls import path\n\ndef view(request):\n    return None\n\nurlpatterns = [path("base/", view)]\nif getattr(settings, "TOOLBAR", False):\n    urlpatterns += [path("toolbar/", view)]\n',
  };
  expect(await routesOf(files)).toEqual(['/base/']);
  // With DEBUG on the arm runs, and the import in it may fail: either value, both arms.
  expect((await routesOf(files, { name: 'development', defines: {} })).sort()).toEqual(['/base/', '/toolbar/']);
});

/**
 * A switch read with django-environ (`ENABLE_ANALYTICS = env.bool("ENABLE_ANALYTICS", default=False)`, as
 * safe-transaction-service's settings read it, or a default from the Env's scheme, `environ.Env(LEGACY=(bool,
 * False))`, as Archery's) decides `if settings.ENABLE_ANALYTICS:` in the URLconf as an `os.environ.get` default
 * does; `--define` sets it. The real Django with django-environ serves the same paths.
 */
const ENVIRON_SITE = {
  'manage.py': 'import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")\n',
  'portal/__init__.py': '',
  'portal/settings.py': 'import environ\nenv = environ.Env(LEGACY=(bool, False))\nROOT_URLCONF = "portal.urls"\nENABLE_ANALYTICS = env.bool("ENABLE_ANALYTICS", default=False)\nEXPORTS = env("EXPORTS", default="on")\nLEGACY = env("LEGACY")\n',
  'portal/urls.py': 'from django.conf import settings\nfrom django.urls import path\n\ndef view(request):\n    return None\n\nurlpatterns = [path("base/", view)]\nif settings.ENABLE_ANALYTICS:\n    urlpatterns += [path("analytics/", view)]\nif settings.EXPORTS == "on":\n    urlpatterns += [path("exports/", view)]\nif settings.LEGACY:\n    urlpatterns += [path("legacy/", view)]\n',
};

requirePython('django, environ', 'python3-django, python3-django-environ')('a switch read with django-environ decides branches by its default, as the real Django serves them', async () => {
  expect(await routesOf(ENVIRON_SITE)).toEqual(['/base/', '/exports/']);
  expect(await routesOf(ENVIRON_SITE, { name: 'production', defines: { ENABLE_ANALYTICS: true, EXPORTS: 'off', LEGACY: true } })).toEqual(['/analytics/', '/base/', '/legacy/']);
  expect(servedByDjango(ENVIRON_SITE, {})).toEqual(['/base/', '/exports/']);
  expect(servedByDjango(ENVIRON_SITE, { ENABLE_ANALYTICS: 'true', EXPORTS: 'off', LEGACY: 'true' })).toEqual(['/analytics/', '/base/', '/legacy/']);
});

/** The paths the real Django serves for a `portal.settings` site written to a folder, under an environment. */
function servedByDjango(site: Record<string, string>, env: Record<string, string>): string[] {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'apiposture-served-'));
  try {
    for (const [file, text] of Object.entries(site)) {
      mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
      writeFileSync(path.join(dir, file), text);
    }
    const code = 'import django\ndjango.setup()\nfrom django.urls import get_resolver\nprint(sorted("/" + str(p.pattern) for p in get_resolver().url_patterns))';
    const r = spawnSync(SYSTEM_PYTHON, ['-c', code], { cwd: dir, encoding: 'utf8', env: { ...process.env, DJANGO_SETTINGS_MODULE: 'portal.settings', PYTHONPATH: dir, ...env } });
    return JSON.parse(r.stdout.replace(/'/g, '"')) as string[];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * python-decouple's `config("EXPORTS", "on")` takes its default second, and `cast=bool` reads texts as decouple's
 * strtobool does (`"off"` is false); a test `x or CHANNEL in [...]` is true whatever `x` is when its right side is
 * (fx-private-relay's `if IN_PYTEST or RELAY_CHANNEL in ["local", "dev", "stage"]`, which picks its throttle rates).
 */
const DECOUPLE_SITE = {
  'manage.py': 'import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")\n',
  'portal/__init__.py': '',
  'portal/settings.py': [
    'import sys',
    'from decouple import config',
    'ROOT_URLCONF = "portal.urls"',
    'DEBUG = config("DEBUG", "False", cast=bool)',
    'EXPORTS = config("EXPORTS", "on")',
    'BETA = config("BETA", default="off", cast=bool)',
    'IN_PYTEST = "pytest" in sys.modules',
    'if IN_PYTEST or config("CHANNEL", "local") in ["local", "dev"]:',
    '    LEGACY = True',
    'else:',
    '    LEGACY = False',
    '',
  ].join('\n'),
  'portal/urls.py': 'from django.conf import settings\nfrom django.urls import path\n\ndef view(request):\n    return None\n\nurlpatterns = [path("base/", view)]\nif settings.DEBUG:\n    urlpatterns += [path("debug/", view)]\nif settings.EXPORTS == "on":\n    urlpatterns += [path("exports/", view)]\nif settings.BETA:\n    urlpatterns += [path("beta/", view)]\nif settings.LEGACY:\n    urlpatterns += [path("legacy/", view)]\n',
};

requirePython('django, decouple', 'python3-django, python3-decouple')('python-decouple settings decide branches by their defaults and casts, as the real Django serves them', async () => {
  expect(await routesOf(DECOUPLE_SITE)).toEqual(['/base/', '/exports/', '/legacy/']);
  expect(servedByDjango(DECOUPLE_SITE, {})).toEqual(['/base/', '/exports/', '/legacy/']);
  const defines = { DEBUG: 'yes', EXPORTS: 'off', BETA: 'on' };
  expect(await routesOf(DECOUPLE_SITE, { name: 'production', defines })).toEqual(['/base/', '/beta/', '/debug/', '/legacy/']);
  expect(servedByDjango(DECOUPLE_SITE, defines)).toEqual(['/base/', '/beta/', '/debug/', '/legacy/']);
});
