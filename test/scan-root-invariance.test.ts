/**
 * A route is the same whatever folder the user points at: `scan .` at the project root, `scan pkg`,
 * `scan pkg/module.py`, `cd pkg && scan .` all report it with the same methods, full path, status, limits
 * and findings, restricted to the routes declared in what was given. Checked on every fixture project,
 * for every folder holding Python files and every file declaring a route.
 */
import fg from 'fast-glob';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { routeJson } from '../src/report/json';
import { scan } from '../src/scan';
import { moduleNames } from '../src/python/module-names';
import { projectContext } from '../src/project-context';
import type { ScanResult } from '../src/model';
import { PER_CAUSE } from '../src/group-findings';
import { ROOT, spawnCli } from './support/run-cli';

const FIXTURES = path.join(ROOT, 'fixtures');
const projects = fg.sync('*/*', { cwd: FIXTURES, onlyDirectories: true }).sort();

/**
 * The routes, their findings and unresolved registrations under `scope` (a folder or file relative to the project
 * root). A finding reported once per cause lists the routes of what was scanned: it is compared route by route
 * (its cause, rule and fingerprint for each route in scope), as its message counts the routes it lists.
 */
function declaredIn(result: ScanResult, scope: string): string[] {
  const inside = (file: string): boolean => scope === '' || file === scope || file.startsWith(`${scope}/`);
  const routes = result.routes.filter((r) => inside(r.file));
  const ids = new Set(routes.map((r) => r.id));
  const findings = result.findings.flatMap((f) => {
    if (!PER_CAUSE.has(f.ruleId)) return ids.has(f.routeId) ? [JSON.stringify(f)] : [];
    return f.routeIds.filter((id) => ids.has(id)).map((id) => JSON.stringify({ ruleId: f.ruleId, fingerprint: f.fingerprint, cause: `${f.file}:${f.line}`, route: id }));
  });
  const registrations = result.unresolvedRegistrations.filter((r) => inside(r.file));
  return [...routes.map((r) => JSON.stringify(routeJson(r))), ...findings.sort(), ...registrations.map((r) => JSON.stringify(r))];
}

describe('scan-root invariance', () => {
  test.each(projects)('%s', async (project) => {
    const root = path.join(FIXTURES, project);
    const whole = await scan({ paths: [root] });
    expect(whole.routes.length).toBeGreaterThan(0);
    const folders = fg.sync('**', { cwd: root, onlyDirectories: true }).filter((d) => fg.sync('*.py', { cwd: path.join(root, d) }).length);
    const files = [...new Set(whole.routes.map((r) => r.file))];
    for (const scope of [...folders, ...files].sort()) {
      const part = await scan({ paths: [path.join(root, scope)] });
      expect({ scope, root: part.root, routes: declaredIn(part, '') }).toEqual({ scope, root: whole.root, routes: declaredIn(whole, scope) });
    }
  });

  test('`cd pkg && scan .` reports what `scan pkg` reports from the project root', () => {
    const fromRoot = spawnCli(['routes', 'app', '-f', 'json'], path.join(FIXTURES, 'fastapi/fullstack'));
    const fromInside = spawnCli(['routes', '.', '-f', 'json'], path.join(FIXTURES, 'fastapi/fullstack/app'));
    const routes = (stdout: string): unknown => JSON.parse(stdout).routes;
    expect(JSON.parse(fromRoot.stdout).routes.length).toBeGreaterThan(10);
    expect(routes(fromInside.stdout)).toEqual(routes(fromRoot.stdout));
    expect(JSON.parse(fromInside.stdout).project).toMatchObject({ root: '..', marker: 'pyproject.toml', paths: ['app'], importRoots: [''] });
  });
});

describe('project context', () => {
  let dir: string;
  const write = (files: Record<string, string>): void => {
    for (const [file, text] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
      writeFileSync(path.join(dir, file), text);
    }
  };
  beforeEach(() => (dir = mkdtempSync(path.join(os.tmpdir(), 'apiposture-context-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('the nearest marker above a package folder is the project root', () => {
    write({ 'repo/.git/HEAD': '', 'repo/backend/pyproject.toml': '', 'repo/backend/app/__init__.py': '', 'repo/backend/app/api/__init__.py': '' });
    const context = projectContext([path.join(dir, 'repo/backend/app/api')]);
    expect(context).toMatchObject({ root: path.join(dir, 'repo/backend'), marker: 'pyproject.toml', scanPaths: ['app/api'], rootPackage: '' });
    // configuration is looked for up to the repository top
    expect(context.configDirs).toEqual(['repo/backend/app/api', 'repo/backend/app', 'repo/backend', 'repo'].map((d) => path.join(dir, d)));
  });

  test('Django: the folder of manage.py; without any marker, the top of the package chain', () => {
    write({ 'site/manage.py': '', 'site/blog/__init__.py': '', 'loose/pkg/__init__.py': '', 'loose/pkg/sub/__init__.py': '' });
    expect(projectContext([path.join(dir, 'site/blog')])).toMatchObject({ root: path.join(dir, 'site'), marker: 'manage.py', scanPaths: ['blog'] });
    expect(projectContext([path.join(dir, 'loose/pkg/sub')])).toMatchObject({ root: path.join(dir, 'loose'), scanPaths: ['pkg/sub'] });
  });

  test('a project root that is itself a package names its modules from above it', () => {
    write({ 'myservice/.git/HEAD': '', 'myservice/__init__.py': '', 'myservice/web.py': '' });
    const context = projectContext([path.join(dir, 'myservice')]);
    expect(context).toMatchObject({ root: path.join(dir, 'myservice'), rootPackage: 'myservice' });
    expect(moduleNames(['__init__.py', 'web.py'], context.rootPackage).get('web.py')).toEqual({ module: 'myservice.web', aliases: [], importRoot: '..' });
  });

  test('a checkout named like no module (`mayan-edms/__init__.py`) is no package: its modules are named from inside it', async () => {
    write({
      'mayan-edms/setup.cfg': '',
      'mayan-edms/__init__.py': '',
      'mayan-edms/mayan/__init__.py': '',
      'mayan-edms/mayan/app.py': 'from flask import Flask\nfrom mayan.views import ping\napp = Flask(__name__)\napp.add_url_rule("/ping", view_func=ping)\n',
      'mayan-edms/mayan/views.py': 'def ping():\n    return "pong"\n',
    });
    const context = projectContext([path.join(dir, 'mayan-edms')]);
    expect(context).toMatchObject({ root: path.join(dir, 'mayan-edms'), rootPackage: '' });
    expect(moduleNames(['__init__.py', 'my-app/__init__.py', 'my-app/web.py']).get('my-app/web.py')).toEqual({ module: 'web', aliases: [], importRoot: 'my-app' });
    const scanned = await scan({ paths: [path.join(dir, 'mayan-edms')] });
    expect(scanned.routes.map((r) => [r.path, r.handler])).toEqual([['/ping', 'mayan.views.ping']]);
  });

  test('a project root inside a namespace package is also named through it (swh-web scanned as `swh/web`)', async () => {
    write({
      'repo/pyproject.toml': '',
      'repo/ns/web/manage.py': 'import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "ns.web.settings")\n',
      'repo/ns/web/__init__.py': '',
      'repo/ns/web/settings.py': 'SECRET_KEY = "x"\nROOT_URLCONF = "ns.web.urls"\n',
      'repo/ns/web/urls.py': 'from django.urls import path\nfrom ns.web.views import ping\nurlpatterns = [path("ping/", ping)]\n',
      'repo/ns/web/views.py': 'def ping(request):\n    return None\n',
    });
    const context = projectContext([path.join(dir, 'repo/ns/web')]);
    expect(context).toMatchObject({ root: path.join(dir, 'repo/ns/web'), rootPackage: 'web', namespace: ['ns'] });
    expect(moduleNames(['views.py'], context.rootPackage, context.namespace).get('views.py')).toEqual({ module: 'web.views', aliases: ['ns.web.views'], importRoot: '..' });
    const inside = await scan({ paths: [path.join(dir, 'repo/ns/web')] });
    expect(inside.routes.map((r) => [r.path, r.handler, r.unresolved])).toEqual([['/ping/', 'web.views.ping', []]]);
  });
});

test('module names follow package chains, with the other dotted tails of the path as aliases', () => {
  const names = moduleNames([
    'backend/app/__init__.py', 'backend/app/api/main.py', 'backend/app/views/orders.py', // `views` is a namespace portion of `app`
    'src/shop/__init__.py', 'src/shop/web.py', 'scripts/tools/seed.py', 'proj/manage.py', 'proj/proj/__init__.py', 'proj/proj/plugins.py',
  ]);
  expect(names.get('backend/app/api/main.py')).toEqual({ module: 'app.api.main', aliases: ['api.main', 'backend.app.api.main'], importRoot: 'backend' });
  expect(names.get('backend/app/views/orders.py')?.module).toBe('app.views.orders');
  expect(names.get('backend/app/__init__.py')?.module).toBe('app');
  expect(names.get('src/shop/web.py')).toEqual({ module: 'shop.web', aliases: ['src.shop.web'], importRoot: 'src' });
  // a stray `src/__init__.py` (code run from inside src/) and manage.py inside a package: the shorter tails resolve
  expect(moduleNames(['src/__init__.py', 'src/core/__init__.py', 'src/core/routes.py']).get('src/core/routes.py')).toEqual({ module: 'src.core.routes', aliases: ['core.routes'], importRoot: '' });
  expect(names.get('scripts/tools/seed.py')).toEqual({ module: 'seed', aliases: ['tools.seed', 'scripts.tools.seed'], importRoot: 'scripts/tools' });
  expect(names.get('proj/proj/plugins.py')).toEqual({ module: 'proj.plugins', aliases: ['proj.proj.plugins'], importRoot: 'proj' });
});
