/**
 * Ground truth from the frameworks (Debian's system interpreter, never a `python3` earlier on PATH).
 * Flask: each fixture app is loaded by the real Flask + Flask-Limiter through test/probe/flask_probe.py. Every
 * rule in Flask's URL map must be in apiposture's inventory with the same path and methods, and every
 * measured verdict must agree: a route apiposture calls limited answers over the limit (429, or a custom
 * handler's status) after exactly its smallest limit, an unlimited or exempt one never does within the bound.
 * FastAPI/Starlette: test/probe/asgi_probe.py loads each fixture app with the real FastAPI/Starlette and
 * walks its routes; both inventories must be equal (an unresolved `{?}` segment matches any text).
 * Django/DRF: test/probe/django_probe.py loads each fixture project with the real Django and DRF, walks its
 * URL resolver and asks DRF which throttles each view instantiates; inventories and DRF rates must agree.
 * Missing Debian packages fail these suites in CI; elsewhere they are skipped loudly.
 */
import { spawn, spawnSync } from 'node:child_process';
import { connect } from 'node:net';
import fg from 'fast-glob';
import path from 'node:path';
import { scan } from '../src/scan';
import { STANDARD_METHODS, type Route } from '../src/model';
import { limitWindows } from '../src/ratelimit/windows';
import { limitsFor } from '../src/limiter/predict';
import { parseDrfRate } from '../src/ratelimit/grammar';
import { defineValue } from '../src/python/profile';

import { SYSTEM_PYTHON, pythonHas, requirePython } from './support/system-python';
import { ASGI_LIBRARIES } from '../src/frameworks/fastapi';
import { DJANGO_LIBRARIES } from '../src/frameworks/django';
import type { LibraryDescriptor } from '../src/frameworks/library';

const FIXTURES = path.join(__dirname, '..', 'fixtures');
const PROBE = path.join(__dirname, 'probe', 'flask_probe.py');
const QUART_PROBE = path.join(__dirname, 'probe', 'quart_probe.py');
const ASGI_PROBE = path.join(__dirname, 'probe', 'asgi_probe.py');
/** What the probes stand in for: the limiter libraries Debian does not package and what they pull in, from their descriptors. */
const standIns = (libraries: { descriptor: LibraryDescriptor }[]): string =>
  libraries.flatMap(({ descriptor: d }) => (d.debian ? [] : [...d.packages, ...(d.dependencies ?? [])])).join(',');
const ASGI_STAND_INS = standIns(ASGI_LIBRARIES);
const DJANGO_STAND_INS = standIns(DJANGO_LIBRARIES);
const BOUND = 60;

/**
 * How the probe finds each fixture's apps: `module[:attribute]`. Every Flask fixture must be listed; the apps of
 * one fixture serve distinct paths.
 */
const ENTRY_POINTS: Record<string, string[]> = {
  'flask/shop': ['app'],
  'flask/factory': ['wsgi:app'],
  'flask/discovered': ['wsgi:app'],
  'flask/server': ['wsgi:app'],
  'flask/modules': ['wsgi:app'],
  'flask/restful': ['api:app'],
  'flask/misconfigured': ['storage', 'legacy', 'strategy', 'keys', 'failure', 'swallowing', 'answers', 'refusing', 'exemptions', 'previews', 'exempted', 'costs', 'rates', 'mixins', 'fromenv', 'switched', 'either', 'boundfirst:quiet_first', 'boundfirst:loud_first', 'toggled', 'toggled:maybe_app', 'toggled:attr_app', 'configvars'],
  'flask/branches': ['app:app'],
  'flask/appconfig': ['wsgi:app'],
  'flask/orgscoped': ['wsgi:app'],
  'flask/own-limiter': ['app'],
  'flask/aliases': ['app'],
  'flask/service': ['svc.app:app', 'svc.admin:admin_app', 'svc.console:create_console'],
  'flask/configfile': ['app'],
  'flask/limiter-1x': [], // pins 1.5, Debian packages 3.3: the README says how to probe it on 1.5/2.0.4 source
  'flask/restx': [], // Debian packages neither Flask-RESTX nor flask-smorest: probed from their source (FLASK_FROM_SOURCE)
  'flask/smorest': [],
  'flask/classful': [], // Debian does not package Flask-Classful: probed from its source (FLASK_FROM_SOURCE)
  'flask/appbuilder': [], // nor Flask-AppBuilder
  'flask/admin': [], // nor Flask-Admin
  'flask/security': ['app', 'plain'], // twofactor.py: views apiposture does not list
  'flask/scripted': [], // run as a script, its own folder on the path: probed below
};

/** A route as a probe measured it: per method, the request the library first answered over the limit (null: none within BOUND). */
interface MeasuredRoute {
  path: string;
  verdicts: Record<string, { threshold: number | null; errored?: boolean }>;
}

/** A framework's probe (test/probe/), and the names its problems are told in. */
interface Prober {
  script: string;
  framework: string;
  library: string;
  measure: boolean; // a probe not measuring gives the inventory only
}
const FLASK: Prober = { script: PROBE, framework: 'Flask', library: 'Flask-Limiter', measure: true };

interface ProbeRoute extends MeasuredRoute {
  methods: string[];
  endpoint: string;
}

function probe(project: string, entryPoint: string, pythonPath?: string, env: Record<string, string> = {}, skip?: RegExp, prober = FLASK): ProbeRoute[] {
  const r = spawnSync(SYSTEM_PYTHON, [prober.script, path.join(FIXTURES, project), entryPoint, ...(prober.measure ? ['--measure', String(BOUND)] : []), ...(skip ? ['--skip', skip.source] : [])], {
    encoding: 'utf8',
    cwd: path.join(FIXTURES, project),
    env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1', ...(pythonPath && { PYTHONPATH: pythonPath }), ...env },
  });
  if (r.status !== 0) throw new Error(`probe failed for ${project} ${entryPoint} (are python3-flask, python3-flask-limiter, python3-flask-restful installed?):\n${r.stderr}`);
  return JSON.parse(r.stdout) as ProbeRoute[];
}

/**
 * The first rejection apiposture predicts for a method: the smallest count among the limits counting anonymous
 * `method` requests (the probe's client is anonymous), each read in its library's grammar.
 */
function predictedThreshold(route: Route, method: string): number | null {
  const counts = limitsFor(route, method).flatMap((l) => limitWindows(l)?.map((i) => i.count) ?? []);
  const min = counts.length ? Math.min(...counts) : null;
  return min !== null && min < BOUND ? min : null;
}

const probeTest = requirePython('flask, flask_limiter, flask_restful, flask_login, yaml, flask_security, flask_sqlalchemy, flask_dance', 'python3-flask, python3-flask-limiter, python3-flask-restful, python3-flask-login, python3-yaml, python3-flask-security, python3-flask-sqlalchemy, python3-flask-dance');
const asgiProbeTest = requirePython('fastapi, starlette, pydantic, dotenv', 'python3-fastapi, python3-starlette, python3-pydantic, python3-dotenv');

test('every Flask fixture has an entry point for the probe', () => {
  expect(fg.sync('flask/*', { cwd: FIXTURES, onlyDirectories: true }).sort()).toEqual(Object.keys(ENTRY_POINTS).sort());
});

/** `text` matched by `ours` where `ours` says it was not resolved: a `{?}` stands for any text. */
function unresolvedMatch(ours: Route, ourText: string, text: string): boolean {
  return ours.unresolved.length > 0 && new RegExp(`^${ourText.split('{?}').map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`).test(text);
}

probeTest.each(Object.keys(ENTRY_POINTS).filter((project) => ENTRY_POINTS[project].length))('%s: routes and verdicts match the real Flask', async (project) => {
  expect(await flaskProblems(project, ENTRY_POINTS[project])).toEqual([]);
});

// `python bazaar/main.py` puts bazaar/ on the import path; libs/ holds vendored packages the app does not run.
probeTest('flask/scripted: routes match the real Flask, run as its script runs', async () => {
  expect(await flaskProblems('flask/scripted', ['main:app'], path.join(FIXTURES, 'flask/scripted/bazaar'))).toEqual([]);
});

/**
 * A limiter chosen from what the deployment says (`SWITCHED` in the environment, parsed as JSON, which the scan does
 * not evaluate): each route apiposture calls unknown there answers over the limit after a different number of
 * requests in the two deployments, so no static verdict would be right; each other route matches in both.
 */
probeTest('flask/misconfigured switched.py, either.py and toggled.py: unknown where the deployment decides, in both deployments', async () => {
  const result = await scan({ paths: [path.join(FIXTURES, 'flask/misconfigured')] });
  const [off, on] = SWITCHED.map((value) => ['switched', 'either', 'toggled:maybe_app'].flatMap((entry) => probe('flask/misconfigured', entry, undefined, { SWITCHED: value })));
  expect(off.map((r) => r.path).sort()).toEqual(['/either/search', '/switched/maybe', '/switched/search', '/toggled/maybe']);
  expect(switchedProblems(result.routes, off, on, 'Flask-Limiter')).toEqual([]);
});

/** The two deployments of the `switched` fixtures: `SWITCHED` false, then true. */
const SWITCHED = ['false', 'true'];

/**
 * Where the thresholds measured in the two deployments disagree with apiposture: a route it calls unknown must answer
 * over the limit after a different number of requests in each, any other route as predicted in both.
 */
function switchedProblems(routes: Route[], off: MeasuredRoute[], on: MeasuredRoute[], library: string): string[] {
  const problems: string[] = [];
  for (const real of off) {
    const ours = routes.find((r) => r.path === real.path)!;
    const other = on.find((r) => r.path === real.path)!;
    for (const [method, verdict] of Object.entries(real.verdicts)) {
      const thresholds = [verdict.threshold, other.verdicts[method].threshold];
      if (ours.status === 'unknown' ? thresholds[0] === thresholds[1] : thresholds.some((t) => t !== predictedThreshold(ours, method))) {
        problems.push(`${method} ${real.path}: apiposture says ${ours.status}; ${library} answered over the limit after ${thresholds.map((t) => t ?? `none of ${BOUND}`).join(' and ')} requests`);
      }
    }
  }
  return problems;
}

/**
 * Flask libraries Debian does not package, probed from their source (the folder holding the package, given in
 * `variable`) with the Debian packages they import: flask-smorest (e.g. marshmallow-code/flask-smorest at 0.39.0,
 * the last on Debian's apispec 5), Flask-RESTX (python-restx/flask-restx at 1.1.0, the last before it imports
 * `referencing`), Flask-Classful (pallets-eco/flask-classful at v0.16.0, the folder holding flask_classful.py),
 * Flask-Admin (pallets-eco/flask-admin at v1.6.1), Flask-AppBuilder (dpgaspar/Flask-AppBuilder at v4.3.7, with pallets-eco/flask-sqlalchemy at 2.5.1 before it, as
 * Debian's Flask-SQLAlchemy 3 is too new for it: two folders joined by `:`). The views Flask-AppBuilder adds itself
 * that apiposture does not list (`ownViews`) are left out of the comparison: it says so at the AppBuilder. Its apps
 * all serve `/login/`: each app's routes are compared with apiposture's routes of the app its module makes (`byModule`).
 * Without the variable the test is skipped with a message.
 */
const FLASK_FROM_SOURCE: { project: string; apps: string[]; variable: string; library: string; imports: string; ownViews?: RegExp; byModule?: boolean }[] = [
  { project: 'flask/smorest', apps: ['petstore.app:app'], variable: 'APIPOSTURE_FLASK_SMOREST_SOURCE', library: 'flask-smorest', imports: 'flask, flask_limiter, marshmallow, webargs, apispec' },
  { project: 'flask/restx', apps: ['app:app'], variable: 'APIPOSTURE_FLASK_RESTX_SOURCE', library: 'Flask-RESTX', imports: 'flask, flask_limiter, aniso8601, jsonschema, pytz' },
  { project: 'flask/classful', apps: ['app'], variable: 'APIPOSTURE_FLASK_CLASSFUL_SOURCE', library: 'Flask-Classful', imports: 'flask, flask_limiter' },
  {
    project: 'flask/appbuilder', apps: ['app', 'quiet', 'defaults', 'late', 'early'], variable: 'APIPOSTURE_FLASK_APPBUILDER_SOURCE', library: 'Flask-AppBuilder', byModule: true,
    imports: 'flask, flask_limiter, flask_babel, flask_login, flask_wtf, flask_jwt_extended, marshmallow, marshmallow_sqlalchemy, apispec, prison, jsonschema, sqlalchemy_utils, email_validator, dateutil',
    ownViews: /^(IndexView|UtilView|LocaleView|UserDBModelView|RoleModelView|PermissionModelView|ViewMenuModelView|PermissionViewModelView|ResetPasswordView|ResetMyPasswordView|UserInfoEditView|UserStatsChartView|MenuApi|appbuilder)\./,
  },
  { project: 'flask/admin', apps: ['app'], variable: 'APIPOSTURE_FLASK_ADMIN_SOURCE', library: 'Flask-Admin', imports: 'flask, flask_limiter, flask_sqlalchemy, wtforms' },
];

for (const { project, apps, variable, library, imports, ownViews, byModule } of FLASK_FROM_SOURCE) {
  const source = process.env[variable];
  if (!source) process.stderr.write(`skipping the ${library} probe: set ${variable} to a checkout of it\n`);
  (source && pythonHas(imports) ? test : test.skip)(`${project}: routes and verdicts match the real ${library}`, async () => {
    if (!byModule) expect(await flaskProblems(project, apps, source, ownViews)).toEqual([]);
    else for (const app of apps) expect(await flaskProblems(project, [app], source, ownViews, `${app.replace(/\./g, '/')}.py`)).toEqual([]);
  });
}

/**
 * Quart fixtures, one app per module, each compared with apiposture's routes of that app: Debian's Quart (0.18) gives the
 * inventory, Quart-Rate-Limiter and quart-cors standing in (Debian packages neither). With
 * APIPOSTURE_QUART_RATE_LIMITER_SOURCE, a folder holding pgjones/quart-rate-limiter 0.12.1's package with pallets/quart
 * 0.20.0, flask 3.1.3, werkzeug 3.1.8, pallets-eco/blinker 1.9.0 and pgjones/quart-cors 0.8.0 (from 0.9 Quart-Rate-Limiter
 * needs Quart 0.19, which needs Flask 3), the real ones run and each threshold is
 * measured too; 0.8.0, the last on Quart 0.18, adds the blueprint and default limits to a view's own again on every
 * request (fixed in 0.11), so a view with both is refused early.
 */
const QUART_ENTRY_POINTS: Record<string, string[]> = {
  'quart/service': ['app:app', 'unwired:app', 'disabled:app', 'configured:app', 'newer:app', 'flasklimiter:app', 'factory:app', 'corsed:app'],
};

test('every Quart fixture has entry points for the probe', () => {
  expect(fg.sync('quart/*', { cwd: FIXTURES, onlyDirectories: true }).sort()).toEqual(Object.keys(QUART_ENTRY_POINTS).sort());
});

const quartProbeTest = requirePython('quart', 'python3-quart');
const quartSource = process.env.APIPOSTURE_QUART_RATE_LIMITER_SOURCE;
if (!quartSource) process.stderr.write('measuring no Quart-Rate-Limiter verdicts: set APIPOSTURE_QUART_RATE_LIMITER_SOURCE to a checkout of it\n');
quartProbeTest.each(Object.keys(QUART_ENTRY_POINTS))('%s: routes match the real Quart (verdicts too, with Quart-Rate-Limiter)', async (project) => {
  const prober: Prober = { script: QUART_PROBE, framework: 'Quart', library: 'Quart-Rate-Limiter', measure: !!quartSource };
  for (const app of QUART_ENTRY_POINTS[project]) expect(await flaskProblems(project, [app], quartSource, undefined, `${app.split(':')[0]}.py`, prober)).toEqual([]);
});

/**
 * Where apiposture's inventory and verdicts differ from what the real Flask serves and answers (but for `ignored`
 * endpoints); with `appFile`, apiposture's routes of the app made in that file only.
 */
async function flaskProblems(project: string, entryPoints: string[], pythonPath?: string, ignored?: RegExp, appFile?: string, prober = FLASK): Promise<string[]> {
  const truth = entryPoints.flatMap((entryPoint) => probe(project, entryPoint, pythonPath, {}, ignored, prober));
  const result = await scan({ paths: [path.join(FIXTURES, project)] });
  if (appFile) result.routes = result.routes.filter((r) => r.app?.file === appFile);
  const problems: string[] = [];
  for (const real of truth) {
    // A route whose methods apiposture says it cannot read (`methods=upload_methods()`) claims its path only.
    const ours = result.routes.find((r) => (r.path === real.path || unresolvedMatch(r, r.path, real.path)) && (r.methods.join() === real.methods.join() || r.unresolved.includes('methods are not static')));
    if (!ours) {
      const samePath = result.routes.filter((r) => r.path === real.path).map((r) => r.methods.join(','));
      problems.push(`${prober.framework} serves ${real.methods.join(',')} ${real.path}; apiposture has ${samePath.length ? samePath.join(' / ') : 'no such path'}`);
      continue;
    }
    if (ours.status === 'unknown') continue;
    for (const [method, verdict] of Object.entries(real.verdicts ?? {})) {
      if (ours.unknownMethods?.includes(method)) continue;
      const expected = predictedThreshold(ours, method);
      if (verdict.threshold !== expected) {
        problems.push(`${method} ${real.path}: ${prober.library} answered over the limit after ${verdict.threshold ?? `none of ${BOUND}`} requests; apiposture says ${ours.status} (${ours.limits.map((l) => l.rate).join(', ') || 'no limits'})`);
      }
    }
  }
  for (const ours of result.routes) {
    // A route apiposture finds on no app (a namespace or blueprint never registered) is one no app serves.
    const onNoApp = !ours.app && ours.unresolved.length > 0;
    if (!onNoApp && !truth.some((t) => t.path === ours.path || unresolvedMatch(ours, ours.path, t.path))) problems.push(`apiposture reports ${ours.methods.join(',')} ${ours.path}, which ${prober.framework} does not serve`);
  }
  return problems;
}

/** The apps of each FastAPI/Starlette fixture (`module:attribute`, a factory is called), and the environment they need. */
const ASGI_ENTRY_POINTS: Record<string, { apps: string[]; env?: Record<string, string> }> = {
  'fastapi/costly': { apps: ['shop.main:app'] },
  'fastapi/dotenv-loaded': { apps: ['main:app'] },
  'fastapi/factories': { apps: ['main:app'] },
  'fastapi/custom-limiters': { apps: ['shop.main:app', 'shop.main:partner_app'] },
  'fastapi/fullstack': { apps: ['app.main:app'], env: { ENVIRONMENT: 'production' } }, // as the production profile runs it
  'fastapi/prefixes': { apps: ['svc.app:app', 'svc.factory:create_app', 'svc.debuggable:app', 'svc.timed:app', 'svc.classbased:app', 'svc.basepath:app', 'svc.console:create_console', 'svc.restful:app'], env: { ADMIN_PREFIX: '/adm' } },
  'fastapi/slowapi-app': { apps: ['api:app'] },
  'fastapi/slowapi-new': { apps: ['main:app'] },
  'fastapi/slowapi-dotenv': { apps: ['main:app'] },
  'fastapi/slowapi-unpinned': { apps: ['main:app'] },
  'fastapi/limiter-deps': { apps: ['main:app', 'pyrate:app'] },
  'fastapi/limiter-helpers': { apps: ['service.main:app'] },
  'fastapi/users-routers': { apps: ['portal.main:app'] },
  'fastapi/misconfigured': {
    apps: [
      'storage:app', 'keys:app', 'key_style:app', 'failure:app', 'answers:app', 'answers:forbidding', 'answers:bare',
      'algorithms:app', 'exemptions:app', 'costs:app', 'pyrate_limits:app', 'starlette_app:in_memory', 'starlette_app:in_redis', 'starlette_app:sliding',
      'switched:app', 'switched:maybe_app', 'switched:either_app', 'attribute_off:app', 'dependency_limits:app', 'starlette_config:app',
    ],
  },
  'fastapi/slowapi-envfile': { apps: ['main:app'] },
  'fastapi/own-limiter': { apps: ['main:app', 'gateway:gateway', 'gateway:portal'] },
  'starlette/lifespan': { apps: ['service.main:app'], env: { PROBE_LIFESPAN: '1' } },
  'starlette/routes-app': { apps: ['app:app', 'subclassed:app'] },
  'starlette/src-rooted': { apps: ['asgi:app'], env: { PYTHONPATH: 'src' } },
};

/**
 * FastAPI fixtures built on a library Debian does not package: probed only with its source checked out (the folder
 * holding its package), skipped with a message otherwise, in CI too. fastapi-users (10.4 to 15.0 serve the same
 * routes) needs Debian's python3-email-validator, python3-makefun and python3-passlib.
 */
const ASGI_FROM_SOURCE: Record<string, { variable: string; library: string }> = {
  'fastapi/users-routers': { variable: 'APIPOSTURE_FASTAPI_USERS_SOURCE', library: 'fastapi-users/fastapi-users (v10.4.2)' },
};

interface AsgiProbeRoute {
  kind: Route['kind'];
  path: string;
  methods: string[];
}

test('every FastAPI and Starlette fixture has entry points for the probe', () => {
  expect(fg.sync(['fastapi/*', 'starlette/*'], { cwd: FIXTURES, onlyDirectories: true }).sort()).toEqual(Object.keys(ASGI_ENTRY_POINTS).sort());
});

asgiProbeTest.each(Object.keys(ASGI_ENTRY_POINTS))('%s: routes match the real FastAPI/Starlette', async (project) => {
  const { apps, env } = ASGI_ENTRY_POINTS[project];
  const source = librarySource(project);
  if (source === null) return;
  const r = spawnSync(SYSTEM_PYTHON, [ASGI_PROBE, path.join(FIXTURES, project), ...apps], {
    encoding: 'utf8',
    cwd: path.join(FIXTURES, project),
    env: { ...process.env, ...env, PYTHONDONTWRITEBYTECODE: '1', PROBE_STAND_INS: ASGI_STAND_INS, ...(source && { PYTHONPATH: source }) },
  });
  if (r.status !== 0) throw new Error(`probe failed for ${project}:\n${r.stderr}`);
  const truth = JSON.parse(r.stdout) as AsgiProbeRoute[];
  const result = await scan({ paths: [path.join(FIXTURES, project)] });
  const key = (route: { kind: string; methods: string[]; path: string }): string => `${route.kind} ${route.methods.join(',')} ${route.path}`;
  const ours = result.routes.map((route) => ({ route, key: key(route) }));
  const problems: string[] = [];
  for (const real of truth) {
    if (!ours.some((o) => o.key === key(real) || unresolvedMatch(o.route, o.key, key(real)))) problems.push(`the framework serves ${key(real)}; apiposture does not report it`);
  }
  for (const o of ours) {
    if (!truth.some((real) => o.key === key(real) || unresolvedMatch(o.route, o.key, key(real)))) {
      if (!o.route.unresolved.length || o.route.app) problems.push(`apiposture reports ${o.key}, which the framework does not serve`);
    }
  }
  expect(problems).toEqual([]);
});

/**
 * slowapi and fastapi-limiter are not in Debian: with a library's source checked out (APIPOSTURE_SLOWAPI_SOURCE,
 * e.g. laurentS/slowapi at v0.1.9 or master; APIPOSTURE_FASTAPI_LIMITER_SOURCE, long2ice/fastapi-limiter at
 * v0.1.6; APIPOSTURE_ASGI_RATELIMIT_SOURCE, abersheeran/asgi-ratelimit at v0.8.0; the last two with a redis-server
 * on localhost:6379, started here, as their fixtures connect there), the probe runs each
 * app with it and measures, per route and method, when the real library first answers over the limit; it must be
 * after exactly the smallest limit apiposture reports (a client sending no key headers, like the probe, is not
 * counted by a limit whose key can be empty: apiposture reports that as AP011; a route failing on every request
 * is not measured). Without a checkout its tests are skipped with a message, in CI too: CI cannot fetch it.
 */
/** True when something accepts connections on the loopback port. */
function answers(port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = connect(port, '127.0.0.1', () => socket.end(() => done(true)));
    socket.on('error', () => done(false));
  });
}

interface SourceProbe {
  variable: string;
  library: string;
  apps: Record<string, string[]>;
  env?: Record<string, string>;
  redis?: boolean;
}
const FROM_SOURCE: SourceProbe[] = [
  {
    variable: 'APIPOSTURE_SLOWAPI_SOURCE',
    library: 'slowapi',
    apps: {
      'fastapi/slowapi-new': ['main:app'],
      'fastapi/slowapi-unpinned': ['main:app'],
      'fastapi/slowapi-dotenv': ['main:app'],
      'fastapi/slowapi-envfile': ['main:app'],
      'fastapi/dotenv-loaded': ['main:app'],
      // exemptions.py: one-parameter `exempt_when` needs slowapi after 0.1.9 (0.1.9 calls it without the request: 500).
      'fastapi/misconfigured': ['storage:app', 'keys:app', 'key_style:app', 'failure:app', 'answers:app', 'algorithms:app', 'exemptions:app', 'costs:app', 'switched:app', 'switched:maybe_app', 'switched:either_app', 'attribute_off:app', 'dependency_limits:app', 'starlette_config:app'],
    },
  },
  // pyrate.py is fastapi-limiter 0.2's API: another version of the package, not loaded with 0.1.6.
  { variable: 'APIPOSTURE_FASTAPI_LIMITER_SOURCE', library: 'fastapi-limiter', apps: { 'fastapi/limiter-deps': ['main:app'], 'fastapi/limiter-helpers': ['service.main:app'] }, env: { PROBE_LIFESPAN: '1' }, redis: true },
  // 0.2 on pyrate-limiter 4 (PYTHONPATH form: <fastapi-limiter>:<pyrate-limiter>); `skip=` is master's (after v0.2.0).
  {
    variable: 'APIPOSTURE_FASTAPI_LIMITER_PYRATE_SOURCE',
    library: 'fastapi-limiter 0.2',
    apps: { 'fastapi/limiter-deps': ['pyrate:app'], 'fastapi/misconfigured': ['pyrate_limits:app'] },
  },
  // The fixture's `RedisBackend()` without a client is 0.8's API (0.9 takes one): check it with the v0.8.0 tag.
  { variable: 'APIPOSTURE_ASGI_RATELIMIT_SOURCE', library: 'asgi-ratelimit', apps: { 'fastapi/misconfigured': ['starlette_app:in_memory', 'starlette_app:in_redis', 'starlette_app:sliding'] }, redis: true },
];

for (const probe of FROM_SOURCE) {
  const source = process.env[probe.variable];
  const sourceTest = source && pythonHas('fastapi, starlette, limits, redis') ? test : test.skip;
  if (!source) process.stderr.write(`skipping the ${probe.library} measurements: set ${probe.variable} to a checkout of it\n`);
  let redis: ReturnType<typeof spawn> | undefined;
  beforeAll(async () => {
    if (!source || !probe.redis) return;
    redis = spawn('redis-server', ['--port', '6379', '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    // Serving once the port answers (this one, or one already running there).
    for (let i = 0; i < 50 && !(await answers(6379)); i++) await new Promise((done) => setTimeout(done, 100));
  });
  afterAll(() => redis?.kill());

  sourceTest.each(Object.keys(probe.apps))(`%s: verdicts match the real ${probe.library}`, async (project) => {
    const root = path.join(FIXTURES, project);
    const truth = measuredAsgi(root, probe.apps[project], source!, probe.env);
    const result = await scan({ paths: [root] });
    expect(measuredProblems(result.routes, truth, probe.library)).toEqual([]);
  });
}

/** Where the thresholds the real library answered with differ from the smallest limit apiposture reports (unknown routes aside). */
function measuredProblems(routes: Route[], truth: (AsgiProbeRoute & MeasuredRoute & { module: string })[], library: string): string[] {
  const problems: string[] = [];
  for (const real of truth) {
    const candidates = routes.filter((o) => o.path === real.path && real.methods.every((m) => o.methods.includes(m)));
    const ours = candidates.find((o) => o.file.endsWith(`${real.module.replace(/\./g, '/')}.py`)) ?? candidates[0];
    if (!ours || ours.status === 'unknown') continue;
    const emptyKey = ours.evidence.some((e) => e.concern === 'empty-key');
    for (const [method, verdict] of Object.entries(real.verdicts ?? {})) {
      const expected = emptyKey ? null : predictedThreshold(ours, method);
      if (!verdict.errored && verdict.threshold !== expected) {
        problems.push(`${method} ${real.path}: ${library} answered over the limit after ${verdict.threshold ?? `none of ${BOUND}`} requests; apiposture says ${ours.status} (${ours.limits.map((l) => l.rate).join(', ') || 'no limits'})`);
      }
    }
  }
  return problems;
}

/** The ASGI apps (`module:attribute`) of a fixture measured with a limiter library's source. */
function measuredAsgi(root: string, apps: string[], source: string, env?: Record<string, string>): (AsgiProbeRoute & MeasuredRoute & { module: string })[] {
  const r = spawnSync(SYSTEM_PYTHON, [ASGI_PROBE, root, ...apps, '--measure', String(BOUND)], { cwd: root, encoding: 'utf8', env: { ...process.env, ...env, PYTHONPATH: source, PROBE_STAND_INS: ASGI_STAND_INS } });
  if (r.status !== 0) throw new Error(`probe failed for ${root}:\n${r.stderr}`);
  return JSON.parse(r.stdout) as (AsgiProbeRoute & MeasuredRoute & { module: string })[];
}

const slowapiSource = process.env.APIPOSTURE_SLOWAPI_SOURCE;
(slowapiSource && pythonHas('fastapi, starlette, limits') ? test : test.skip)('fastapi/misconfigured switched.py: unknown where the deployment decides, in both slowapi deployments', async () => {
  const root = path.join(FIXTURES, 'fastapi/misconfigured');
  const result = await scan({ paths: [root] });
  const [off, on] = SWITCHED.map((value) => measuredAsgi(root, ['switched:app', 'switched:maybe_app', 'switched:either_app'], slowapiSource!, { SWITCHED: value }));
  expect(off.map((r) => r.path).sort()).toEqual(['/switched/either', '/switched/maybe', '/switched/plain', '/switched/search']);
  expect(switchedProblems(result.routes, off, on, 'slowapi')).toEqual([]);
});

// Starlette's `Config` casts what it reads, defaults too: each deployment as `--define` gives it and as the real slowapi runs it.
const STARLETTE_CONFIG_DEPLOYMENTS: Record<string, string>[] = [{}, { CONFIG_USE_MIDDLEWARE: 'true' }, { CONFIG_LIMITER_ON: '0' }];
(slowapiSource && pythonHas('fastapi, starlette, limits') ? test : test.skip)('fastapi/misconfigured starlette_config.py: each deployment as the real slowapi runs it', async () => {
  const root = path.join(FIXTURES, 'fastapi/misconfigured');
  for (const env of STARLETTE_CONFIG_DEPLOYMENTS) {
    const result = await scan({ paths: [path.join(root, 'starlette_config.py')], profile: { name: 'production', defines: Object.fromEntries(Object.entries(env).map(([k, v]) => [k, defineValue(v)])) } });
    const truth = measuredAsgi(root, ['starlette_config:app'], slowapiSource!, env);
    expect(truth.map((r) => r.path).sort()).toEqual(['/config/login', '/config/plain']);
    expect({ env, problems: measuredProblems(result.routes, truth, 'slowapi') }).toEqual({ env, problems: [] });
  }
});

/** The settings modules the probe loads for each Django fixture: one per project (ROOT_URLCONF) it holds. */
const DJANGO_SETTINGS: Record<string, string[]> = {
  'django/bookstore': ['bookstore.settings.production'],
  'django/costly': ['costly.settings'],
  'django/newsroom': ['newsroom.settings'],
  'django/misconfigured': ['shop.settings', 'mended.settings', 'api.settings'],
  'django/installed': ['portal.settings'],
  'django/classsettings': ['config.settings.production'],
  'django/addons': ['accounts.settings'],
  'django/localized': ['localsite.settings'],
  'django/multihost': ['portal.settings.web', 'portal.settings.proxy', 'portal.settings.web@portal.urls.docs'], // @: the URLconf django-hosts serves for a host
  'django/nested': ['nested.settings'],
  'django/ninjaapi': ['ninjaapi.settings'],
  'django/domains': ['hosting.settings'],
  'django/inventory': ['inventory.settings'],
  'django/splitsettings': ['tracker.settings'],
  'django/rooted': ['rooted.settings'],
  'django/sockets': ['sockets.settings'],
  'django/jsonapi': ['jsonapi.settings'],
};
/**
 * Django fixtures built on a library Debian does not package: probed only with its source checked out, given as
 * the variable's import path (chibisov/drf-extensions: its repository root); skipped with a message otherwise, in
 * CI too (CI cannot fetch it).
 */
const DJANGO_FROM_SOURCE: Record<string, { variable: string; library: string }> = {
  'django/nested': { variable: 'APIPOSTURE_DRF_EXTENSIONS_SOURCE', library: 'chibisov/drf-extensions (0.8)' },
  'django/domains': { variable: 'APIPOSTURE_DRF_NESTED_ROUTERS_SOURCE', library: 'alanjds/drf-nested-routers (0.95.3)' },
  'django/inventory': { variable: 'APIPOSTURE_DRF_BULK_SOURCE', library: 'miki725/django-rest-framework-bulk (0.2.1)' },
  'django/jsonapi': { variable: 'APIPOSTURE_DRF_JSONAPI_SOURCE', library: 'django-json-api/django-rest-framework-json-api (v6.1.0, with python3-inflection)' },
  'django/ninjaapi': { variable: 'APIPOSTURE_DJANGO_NINJA_SOURCE', library: 'vitalik/django-ninja (v0.22.2, the last on Debian\'s pydantic 1)' },
};

/** How many requests a second a DRF rate lets through. */
function perSecond(rate: string): number {
  const parsed = parseDrfRate(rate);
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.item.count / parsed.item.seconds;
}

/** The library source a Django fixture's probe imports (see DJANGO_FROM_SOURCE): undefined when it needs none, null when it is missing. */
function librarySource(project: string): string | undefined | null {
  const needed = DJANGO_FROM_SOURCE[project] ?? ASGI_FROM_SOURCE[project];
  if (!needed) return undefined;
  const source = process.env[needed.variable];
  if (!source) console.warn(`skipping the ${project} probe: set ${needed.variable} to a checkout of ${needed.library}`);
  return source || null;
}
const DJANGO_PROBE = path.join(__dirname, 'probe', 'django_probe.py');
const djangoProbeTest = requirePython('django, rest_framework, djoser, django_registration, rest_framework_simplejwt, django_prometheus, allauth, health_check, debug_toolbar, django_filters, channels', 'python3-django, python3-djangorestframework, python3-djoser, python3-django-registration, python3-djangorestframework-simplejwt, python3-django-prometheus, python3-django-allauth, python3-django-health-check, python3-django-debug-toolbar, python3-django-filters, python3-django-channels');

interface DjangoProbeRoute {
  path: string;
  methods: string[]; // ["*"] for the admin mount
  handler: string;
  // `rate`: what an anonymous request is counted at; `signed_in_rate`: a signed-in user's, for a throttle with code of its own.
  throttles: Record<string, 'dynamic' | { class: string; scope: string | null; rate: string | null; custom: boolean; signed_in_rate?: string | null }[]> | null;
}

test('every Django fixture has a settings module for the probe', () => {
  expect(fg.sync('django/*', { cwd: FIXTURES, onlyDirectories: true }).sort()).toEqual(Object.keys(DJANGO_SETTINGS).sort());
});

/**
 * Requests through the real Django and DRF: each view called per method by an anonymous client until DRF (or the
 * real django-ratelimit, with APIPOSTURE_DJANGO_RATELIMIT_SOURCE=<checkouts of jsocol/django-ratelimit, joined as
 * in PYTHONPATH: a 4.x tag gives `django_ratelimit`, a 3.x tag the old `ratelimit` package>) answers
 * over the limit; it must be after exactly the smallest limit apiposture reports for anonymous clients. Without
 * that checkout the probe's django-ratelimit stand-in limits nothing, so routes it limits are not compared.
 */
const DJANGO_RATELIMIT_SOURCE = process.env.APIPOSTURE_DJANGO_RATELIMIT_SOURCE;

djangoProbeTest.each(Object.keys(DJANGO_SETTINGS))('%s: measured verdicts match the real Django and DRF', async (project) => {
  const root = path.join(FIXTURES, project);
  const source = librarySource(project);
  if (source === null) return;
  const pythonPath = [source, DJANGO_RATELIMIT_SOURCE].filter(Boolean).join(path.delimiter);
  const truth = DJANGO_SETTINGS[project].flatMap((settings) => {
    const env = { ...process.env, PYTHONDONTWRITEBYTECODE: '1', PROBE_STAND_INS: DJANGO_STAND_INS, ...(pythonPath && { PYTHONPATH: pythonPath }) };
    const r = spawnSync(SYSTEM_PYTHON, [DJANGO_PROBE, root, settings, '--measure', String(BOUND)], { encoding: 'utf8', cwd: root, env });
    if (r.status !== 0) throw new Error(`probe failed for ${project} (${settings}):\n${r.stderr}`);
    return JSON.parse(r.stdout) as (DjangoProbeRoute & { verdicts?: Record<string, { threshold: number | null; refused?: boolean }> })[];
  });
  const result = await scan({ paths: [root] });
  const problems: string[] = [];
  for (const real of truth) {
    const ours = result.routes.find((o) => o.path === real.path && (real.methods[0] === '*' || real.methods.join() === o.methods.join()));
    if (!ours || ours.status === 'unknown' || (!DJANGO_RATELIMIT_SOURCE && ours.limits.some((l) => l.library === 'django-ratelimit'))) continue;
    // A throttle apiposture leaves unread (its own cache key) may answer first: then earlier than predicted, never later.
    const unread = ours.evidence.some((e) => e.message.includes('decides per request in its own code'));
    for (const [method, verdict] of Object.entries(real.verdicts ?? {})) {
      if (verdict.refused || ours.unknownMethods?.includes(method) || ours.automaticMethods.includes(method)) continue;
      const expected = predictedThreshold(ours, method);
      const earlier = unread && verdict.threshold !== null && (expected === null || verdict.threshold < expected);
      if (verdict.threshold !== expected && !earlier) problems.push(`${method} ${real.path}: answered over the limit after ${verdict.threshold ?? `none of ${BOUND}`} requests; apiposture says ${ours.status} (${ours.limits.map((l) => l.rate).join(', ') || 'no limits'})`);
    }
  }
  expect(problems).toEqual([]);
});

djangoProbeTest.each(Object.keys(DJANGO_SETTINGS))('%s: routes and DRF throttles match the real Django', async (project) => {
  const source = librarySource(project);
  if (source === null) return;
  const truth = DJANGO_SETTINGS[project].flatMap((settings) => {
    const r = spawnSync(SYSTEM_PYTHON, [DJANGO_PROBE, path.join(FIXTURES, project), settings], {
      encoding: 'utf8',
      cwd: path.join(FIXTURES, project),
      env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1', PROBE_STAND_INS: DJANGO_STAND_INS, ...(source && { PYTHONPATH: source }) },
    });
    if (r.status !== 0) throw new Error(`probe failed for ${project} (${settings}):\n${r.stderr}`);
    return JSON.parse(r.stdout) as DjangoProbeRoute[];
  });
  const result = await scan({ paths: [path.join(FIXTURES, project)] });
  const key = (methods: string[], routePath: string): string => `${(methods[0] === '*' ? STANDARD_METHODS : methods).join(',')} ${routePath}`;
  const problems: string[] = [];
  for (const real of truth) {
    // A route whose methods apiposture cannot read (a view's own `dispatch`) lists every method: a superset.
    const covers = (o: Route): boolean => o.path === real.path && o.unresolved.length > 0 && real.methods[0] !== '*' && real.methods.every((m) => o.methods.includes(m));
    // An include whose patterns apiposture cannot read (built at run time) stands for what it serves: `/panels/{?}`.
    const included = (o: Route): boolean => o.kind === 'include' && unresolvedMatch(o, o.path, real.path);
    // A part apiposture cannot read shows as `{?}`, standing for any text.
    const matches = (o: Route): boolean => key(o.methods, o.path) === key(real.methods, real.path) || (key(o.methods, '') === key(real.methods, '') && unresolvedMatch(o, o.path, real.path));
    const ours = result.routes.find(matches) ?? result.routes.find(covers) ?? result.routes.find(included);
    if (!ours) {
      problems.push(`Django serves ${key(real.methods, real.path)}; apiposture does not report it`);
      continue;
    }
    if (!real.throttles) continue;
    for (const [method, throttles] of Object.entries(real.throttles)) {
      if (ours.automaticMethods.includes(method)) continue;
      if (throttles === 'dynamic') {
        if (ours.status !== 'unknown') problems.push(`${method} ${real.path}: DRF picks throttles at run time; apiposture says ${ours.status}`);
        continue;
      }
      // `unknown` (a view whose base lies outside the project, throttles chosen on who asks) claims no rate: honest.
      if (ours.status === 'unknown' && !ours.limits.length) continue;
      // A method whose throttling apiposture calls unknown (a throttle deciding on who asks) claims no rate.
      if (ours.unknownMethods?.includes(method)) continue;
      // A ScopedRateThrottle without a scope, or a rate of None, throttles nothing; apiposture leaves custom
      // throttles (their own cache key or allow_request) out of its limits and says why.
      const expected = throttles.filter((t) => t.rate !== null && !t.custom && !(t.class.endsWith('.ScopedRateThrottle') && t.scope === null)).map((t) => t.rate).sort();
      const drf = ours.limits.filter((l) => l.library === 'drf' && (!l.methods || l.methods.includes(method)));
      const reported = drf.filter((l) => !l.principals || l.principals.includes('anonymous')).map((l) => l.rate).sort();
      if (expected.join() !== reported.join()) problems.push(`${method} ${real.path}: DRF throttles anonymous clients at ${expected.join(', ') || 'nothing'}; apiposture reports ${reported.join(', ') || 'no DRF limit'}`);
      // A throttle's own code may count a signed-in user under another scope; where it may pick among several,
      // apiposture reports the most lenient: never stricter than what DRF counts a plain signed-in user at.
      for (const own of throttles.filter((t) => t.signed_in_rate && !t.custom)) {
        const counts = drf.filter((l) => !l.principals || l.principals.includes('authenticated')).map((l) => perSecond(l.rate));
        if (!counts.some((c) => c >= perSecond(own.signed_in_rate!))) problems.push(`${method} ${real.path}: DRF counts a signed-in user at ${own.signed_in_rate} (${own.class}); apiposture reports no limit as lenient for signed-in users`);
      }
    }
  }
  // A mount apiposture cannot read (a third-party URLconf, stood in by an empty one in the probe) is reported unresolved.
  for (const ours of result.routes.filter((o) => !o.unresolved.length)) {
    if (!truth.some((real) => key(real.methods, real.path) === key(ours.methods, ours.path))) problems.push(`apiposture reports ${key(ours.methods, ours.path)}, which Django does not serve`);
  }
  expect(problems).toEqual([]);
});
