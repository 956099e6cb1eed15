/**
 * Per-route assumptions: each route lists the configuration values and code defaults its own path, methods
 * and protection rest on, and no other route's.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type * as Sarif from 'sarif';
import chalk from 'chalk';
import { scan } from '../src/scan';
import { sarifReport } from '../src/report/sarif';
import { textReport } from '../src/report/text';
import { spawnSync } from 'node:child_process';
import { requirePython, SYSTEM_PYTHON } from './support/system-python';
import { scanFiles } from './support/project';

const FIXTURES = path.join(__dirname, '..', 'fixtures');
const assumed = (r: { assumptions?: { file: string; line: number }[] }): string[] => (r.assumptions ?? []).map((a) => `${a.file}:${a.line}`);

test('a router included twice carries a prefix default only where that prefix is used', async () => {
  const result = await scan({ paths: [path.join(FIXTURES, 'fastapi', 'prefixes')] });
  const byPath = new Map(result.routes.map((r) => [r.path, assumed(r)]));
  expect(byPath.get('/api/v1/login')).toEqual(['svc/app.py:10']);
  expect(byPath.get('/legacy/login')).toEqual([]);
  expect(result.project.assumptions.map((a) => `${a.file}:${a.line}`)).toEqual(['svc/app.py:10', 'svc/basepath.py:11', 'svc/debuggable.py:6']);
  // SARIF results carry them; text prints them under the route.
  const log = JSON.parse(sarifReport(result)) as Sarif.Log;
  const login = log.runs[0].results!.find((r) => r.message.text?.includes('`POST /api/v1/login`'))!;
  expect(login.properties?.assumptions).toEqual(['API_PREFIX not set: the code\'s default "/api" (svc/app.py:10)']);
  expect(log.runs[0].results!.find((r) => r.message.text?.includes('`POST /legacy/login`'))!.properties).toBeUndefined();
  const text = textReport(result, new chalk.Instance({ level: 0 }), { displayRoot: '.' }).split('\n');
  const at = text.findIndex((l) => l.includes('POST /api/v1/login') && l.includes('unlimited'));
  expect(text[at + 1].trim()).toBe('assumes: API_PREFIX not set: the code\'s default "/api" (svc/app.py:10)');
});

test('a rate read with a default, a limiter switch and a config file count for the routes they limit', async () => {
  const flask = await scan({ paths: [path.join(FIXTURES, 'flask', 'configfile')] });
  const export_ = flask.routes.find((r) => r.path === '/api/v1/export')!;
  // The prefix comes from settings.json (line 14), the default limit from config.yml (line 11).
  expect(assumed(export_)).toEqual(['app.py:11', 'app.py:14']);
  // An INI file configparser reads (line 17), and an option it lacks: the fallback the code gives (line 73).
  expect(flask.routes.find((r) => r.path === '/api/v1/resend')!.assumptions?.map((a) => a.text)).toEqual([
    'values read from settings.json, as the repository holds it',
    'values read from limits.ini, as the repository holds it',
    'resend not set: the code\'s default "1/minute"',
  ]);
  const django = await scan({ paths: [path.join(FIXTURES, 'django', 'newsroom')] });
  const flag = django.routes.find((r) => r.path === '/comments/<int:pk>/flag/')!;
  expect(flag.limits.map((l) => l.rate)).toEqual(['20/hour']);
  expect(flag.assumptions?.map((a) => a.text)).toEqual(['NEWSROOM_ANON_RATE not set: the code\'s default "20/hour"']);
  // Of the /articles/ routes, only the one an anonymous-client throttle limits rests on that rate.
  expect(django.routes.filter((r) => r.path.startsWith('/articles/')).flatMap((r) => assumed(r).map((a) => `${r.path} ${a}`))).toEqual(['/articles/partner/ newsroom/settings.py:24']);
  // `Limiter(enabled=settings.RATELIMIT_ENABLED)`, read from the environment with a default.
  const orgscoped = await scan({ paths: [path.join(FIXTURES, 'flask', 'orgscoped')] });
  // Its path rests on `MULTI_ORG` too: without the variable the rule has no organisation prefix.
  expect(orgscoped.routes.find((r) => r.path === '/login')!.assumptions?.map((a) => a.text)).toEqual(['PORTAL_MULTI_ORG not set: the code\'s default "false"', 'PORTAL_RATELIMIT_ENABLED not set: the code\'s default "true"']);
});

test('`.env` counts only where the code loads it: python-decouple always, os.getenv after load_dotenv()', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'apiposture-dotenv-'));
  try {
    writeFileSync(path.join(dir, '.env'), 'HEALTH_PATH=/up\nITEMS_PATH=/things\n');
    writeFileSync(path.join(dir, 'app.py'), 'import os\nfrom decouple import config\nfrom fastapi import FastAPI\n\napp = FastAPI()\n\n@app.get(config("HEALTH_PATH", default="/health"))\ndef health():\n    return 1\n\n@app.get(os.getenv("ITEMS_PATH", "/items"))\ndef items():\n    return 1\n');
    const paths = async (): Promise<string[]> => (await scan({ paths: [dir] })).routes.map((r) => `${r.path} ${assumed(r).join()}`).sort();
    expect(await paths()).toEqual(['/items app.py:11', '/up .env:1']);
    writeFileSync(path.join(dir, 'settings.py'), 'from dotenv import load_dotenv\n\nload_dotenv()\n');
    writeFileSync(path.join(dir, 'app.py'), `import settings\n${readFileSync(path.join(dir, 'app.py'), 'utf8')}`);
    expect(await paths()).toEqual(['/things .env:2', '/up .env:1']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** Each route of a project written from `files`: path, status, rates and what it assumed. */
async function rateRows(files: Record<string, string>): Promise<unknown[]> {
  return (await scanFiles(files)).routes.map((r) => [r.path, r.status, r.limits.map((l) => l.rate).join(), r.assumptions?.map((a) => a.text)]);
}

// django-configurations' `values.Value(..., environ_name=...)` is read as it is made (La Suite meet's throttle rates); one
// without a variable name stays an object (as the library's source does: checked with it run against Django).
test('DRF rates given as django-configurations values: the default of the variable each names, an assumption', async () => {
  const files: Record<string, string> = {
    'manage.py': 'import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "settings")\n',
    'settings.py': [
      'from configurations import values',
      'ROOT_URLCONF = "urls"',
      'REST_FRAMEWORK = {"DEFAULT_THROTTLE_RATES": {',
      '    "join": values.Value(default="30/minute", environ_name="JOIN_THROTTLE_RATES", environ_prefix=None),',
      '    "invite": values.Value("5/hour", environ_name="INVITE_RATE"),',
      '    "export": values.Value("2/hour"),',
      '}}',
      '',
    ].join('\n'),
    'views.py': [
      'from rest_framework.throttling import ScopedRateThrottle',
      'from rest_framework.views import APIView',
      ...['Join', 'Invite', 'Export'].flatMap((name) => [`class ${name}(APIView):`, '    throttle_classes = [ScopedRateThrottle]', `    throttle_scope = "${name.toLowerCase()}"`, '    def post(self, request):', '        return None']),
      '',
    ].join('\n'),
    'urls.py': 'from django.urls import path\nfrom views import Export, Invite, Join\nurlpatterns = [path("join/", Join.as_view()), path("invite/", Invite.as_view()), path("export/", Export.as_view())]\n',
  };
  expect(await rateRows(files)).toEqual([
    ['/export/', 'unknown', '', undefined],
    ['/invite/', 'limited', '5/hour', ['DJANGO_INVITE_RATE not set: the code\'s default "5/hour"']],
    ['/join/', 'limited', '30/minute', ['JOIN_THROTTLE_RATES not set: the code\'s default "30/minute"']],
  ]);
});

// environs' own object (`from environs import env`, the `Env()` its package makes, as hypha reads its settings) or one of the project's.
test.each([['an Env of the project', 'from environs import Env\nenv = Env()'], ["environs' own env", 'from environs import env']])('DRF settings read with environs (%s): the defaults the code gives, a list among them, each an assumption of the routes it decides', async (_, made) => {
  const files: Record<string, string> = {
    'manage.py': 'import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "settings")\n',
    'settings.py': [
      made,
      'ROOT_URLCONF = "urls"',
      'LOGIN_THROTTLE_RATE = env("LOGIN_THROTTLE_RATE", "20/min")',
      'DEFAULT_THROTTLE_CLASSES = env.list("DEFAULT_THROTTLE_CLASSES", subcast=str, default=[])',
      'REST_FRAMEWORK = {"DEFAULT_THROTTLE_CLASSES": DEFAULT_THROTTLE_CLASSES, "DEFAULT_THROTTLE_RATES": {"login": LOGIN_THROTTLE_RATE}}',
      '',
    ].join('\n'),
    'views.py': [
      'from rest_framework.throttling import ScopedRateThrottle',
      'from rest_framework.views import APIView',
      'class Login(APIView):',
      '    throttle_classes = [ScopedRateThrottle]',
      '    throttle_scope = "login"',
      '    def post(self, request):',
      '        return None',
      'class Items(APIView):',
      '    def get(self, request):',
      '        return None',
      '',
    ].join('\n'),
    'urls.py': 'from django.urls import path\nfrom views import Items, Login\nurlpatterns = [path("login/", Login.as_view()), path("items/", Items.as_view())]\n',
  };
  expect(await rateRows(files)).toEqual([
    ['/items/', 'unlimited', '', ["DEFAULT_THROTTLE_CLASSES not set: the code's default []"]],
    ['/login/', 'limited', '20/min', ['LOGIN_THROTTLE_RATE not set: the code\'s default "20/min"']],
  ]);
});

test('a name an `if` the profile decides assigns anew rests on what deciding it took; one the `if` adds to does not', async () => {
  // healthchecks' `prefix` from SITE_ROOT and linkding's `urlpatterns = [path(LD_CONTEXT_PATH, include(urlpatterns))]`:
  // every path rests on the variable; `extra += [...]` in a decided arm leaves what came before as it was.
  const app = [
    'import os',
    'from flask import Flask',
    'app = Flask(__name__)',
    'prefix = ""',
    'if os.environ.get("MOUNT"):',
    '    prefix = "/mounted"',
    'paths = ["/a"]',
    'if os.environ.get("MORE"):',
    '    paths += ["/b"]',
    '',
    '@app.route(prefix + "/x")',
    'def x():',
    '    return ""',
    '',
    'for p in paths:',
    '    app.add_url_rule(p, p, x)',
    '',
  ];
  const result = await scanFiles({ 'app.py': app.join('\n') });
  expect(result.routes.map((r) => `${r.path} ${r.assumptions?.map((a) => `${a.line} ${a.text}`).join('; ') ?? ''}`)).toEqual(['/a ', '/x 5 MOUNT not set: the code\'s default None']);
});

/**
 * A pydantic settings class: each field the environment may set (after the class's `env_prefix`), so a route read
 * with a field's default in the code rests on it (full-stack-fastapi-template's `API_V1_STR: str = "/api/v1"`).
 * The real pydantic (1.x in Debian: `class Config: env_prefix`) serves the path the variable names.
 */
requirePython('fastapi, pydantic', 'python3-fastapi, python3-pydantic')('a route reading a BaseSettings field rests on the variable that would set it', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'apiposture-settings-'));
  try {
    const app = [
      'from fastapi import FastAPI',
      'from pydantic import BaseSettings',
      '',
      '',
      'class Settings(BaseSettings):',
      '    API_PREFIX: str = "/api"',
      '',
      '    class Config:',
      '        env_prefix = "SHOP_"',
      '',
      '',
      'settings = Settings()',
      'app = FastAPI()',
      '',
      '',
      '@app.get(settings.API_PREFIX + "/items")',
      'def items():',
      '    return []',
      '',
    ];
    writeFileSync(path.join(dir, 'main.py'), app.join('\n'));
    const [route] = (await scan({ paths: [dir] })).routes;
    expect([route.path, route.assumptions?.map((a) => `${a.line} ${a.text}`)]).toEqual(['/api/items', ['6 SHOP_API_PREFIX not set: the code\'s default "/api"']]);
    const served = (env: Record<string, string>): string => spawnSync(SYSTEM_PYTHON, ['-c', 'import main\nprint([r.path for r in main.app.routes][-1])'], { cwd: dir, encoding: 'utf8', env: { ...process.env, ...env } }).stdout.trim();
    expect(served({})).toBe('/api/items');
    expect(served({ SHOP_API_PREFIX: '/v2' })).toBe('/v2/items');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
