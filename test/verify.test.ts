/**
 * `apiposture verify` against real Flask apps (Debian's Flask and Flask-Limiter, test/verify-apps/) and a real
 * redis-server, each on a free loopback port and stopped after every test, whether it passed or not.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { promises as fs } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { runCli } from './support/run-cli';
import { SYSTEM_PYTHON, pythonHas, requirePython, requireSystem } from './support/system-python';
import { fillPath, isLoopback, requestUrl, verifyText, type VerifyResult } from '../src/verify';

const APPS = path.join(__dirname, 'verify-apps');
const flaskTest = requirePython('flask, flask_limiter', 'python3-flask, python3-flask-limiter');
const redisTest = requireSystem(
  spawnSync('redis-server', ['--version']).status === 0 && pythonHas('flask, flask_limiter, redis'),
  `these tests need redis-server and ${SYSTEM_PYTHON} with python3-flask, python3-flask-limiter, python3-redis (apt-get install them)`,
);

const running: ChildProcess[] = [];
afterEach(() => {
  for (const child of running.splice(0)) child.kill('SIGKILL');
});

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Starts a process and resolves once its output contains `ready`; rejects with its output if it exits first. */
function startUntil(command: string, args: string[], env: NodeJS.ProcessEnv, ready: string): Promise<void> {
  const child = spawn(command, args, { env: { ...process.env, ...env, PYTHONDONTWRITEBYTECODE: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
  running.push(child);
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${command} not ready after 15 s:\n${output}`)), 15000);
    const read = (chunk: Buffer): void => {
      output += chunk.toString();
      if (output.includes(ready)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', read);
    child.stderr!.on('data', read);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${command} exited with ${code}:\n${output}`));
    });
  });
}

/** Serves test/verify-apps/<name>/app.py (or the app.py of the folder `name` is); returns its base URL. */
async function startApp(name: string, env: NodeJS.ProcessEnv = {}): Promise<string> {
  const port = await freePort();
  await startUntil(SYSTEM_PYTHON, [path.join(APPS, 'serve.py'), path.resolve(APPS, name)], { ...env, PORT: String(port) }, 'READY');
  return `http://127.0.0.1:${port}`;
}

async function verifyJson(args: string[]): Promise<{ code: number; result: VerifyResult; stderr: string }> {
  const { code, stdout, stderr } = await runCli(['verify', '--format', 'json', ...args]);
  return { code, result: JSON.parse(stdout) as VerifyResult, stderr };
}

async function reportOf(name: string): Promise<{ routes: { status: string; limits: { rate: string }[] }[] }> {
  return JSON.parse((await runCli(['routes', path.join(APPS, name), '--format', 'json'])).stdout) as Awaited<ReturnType<typeof reportOf>>;
}

async function writeReport(report: object): Promise<string> {
  const file = path.join(await fs.mkdtemp(path.join(os.tmpdir(), 'apiposture-verify-')), 'scan.json');
  await fs.writeFile(file, JSON.stringify(report));
  return file;
}

flaskTest('fix workflow: unlimited before the fix never rejects; after it, the 6th request gets 429', async () => {
  expect((await reportOf('before')).routes.map((r) => r.status)).toEqual(['unlimited']);
  const before = await verifyJson(['--url', await startApp('before'), path.join(APPS, 'before')]);
  expect(before.result.routes).toEqual([expect.objectContaining({ route: 'GET /search', outcome: 'pass', requests: 20, observed: '20 admitted, no rejection' })]);
  expect(before.code).toBe(0);

  expect((await reportOf('after')).routes.map((r) => [r.status, r.limits.map((l) => l.rate)])).toEqual([['limited', ['5/minute']]]);
  const url = await startApp('after');
  const after = await runCli(['verify', '--url', url, path.join(APPS, 'after')]);
  expect(after.stdout).toContain('PASS  GET /search  (scan: limited)\n      expected: 5 admitted, then 429 without Retry-After (5/minute)\n      observed: 5 admitted, then 429 without Retry-After');
  expect(after.stdout).toMatch(/^6 requests to http:\/\/127\.0\.0\.1:\d+\/, concurrency 1, \d+\.\d s: 1 passed, 0 failed, 0 skipped$/m);
  expect(after.code).toBe(0);
});

flaskTest('fix, then verify: the limit `apiposture fix` writes is the one the running app enforces', async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'apiposture-fix-verify-'));
  await fs.cp(path.join(APPS, 'before'), dir, { recursive: true });
  await fs.writeFile(path.join(dir, '.apiposture.toml'), '[policy]\ndefault-rate = "6/minute"\n');
  expect((await runCli(['fix', dir, '--write', '--no-cache'])).code).toBe(0);
  const { code, result } = await verifyJson(['--url', await startApp(dir), dir]);
  expect(result.routes).toEqual([expect.objectContaining({ route: 'GET /search', outcome: 'pass', expected: '6 admitted, then 429 without Retry-After (6/minute)', observed: '6 admitted, then 429 without Retry-After' })]);
  expect(code).toBe(0);
});

flaskTest('a report claiming 3/minute fails against an app enforcing 5/minute, with observed vs expected', async () => {
  const report = await reportOf('after');
  report.routes[0].limits[0].rate = '3/minute';
  const { code, result } = await verifyJson(['--url', await startApp('after'), '--report', await writeReport(report)]);
  expect(result.routes).toEqual([expect.objectContaining({
    outcome: 'fail',
    expected: '3 admitted, then 429 without Retry-After (3/minute)',
    observed: '5 admitted, then 429 without Retry-After',
    reason: 'first rejection after 5 admitted requests, not 3',
  })]);
  expect(code).toBe(1);
});

flaskTest('a route the scan calls unlimited that rejects is reported as a missed limit', async () => {
  const { code, result } = await verifyJson(['--url', await startApp('after'), '--report', await writeReport(await reportOf('before'))]);
  expect(result.routes[0]).toMatchObject({ outcome: 'fail', scanStatus: 'unlimited', observed: '5 admitted, then 429 without Retry-After' });
  expect(result.routes[0].reason).toContain('a limit exists that the scan missed');
  expect(code).toBe(1);
});

redisTest('Redis storage: the tightest item of "100/day;5/minute" rejects the 6th request, counted in Redis', async () => {
  const redisPort = await freePort();
  await startUntil('redis-server', ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {}, 'Ready to accept connections');
  const url = await startApp('redis', { REDIS_URL: `redis://127.0.0.1:${redisPort}` });
  const { code, result } = await verifyJson(['--url', url, path.join(APPS, 'redis')]);
  expect(result.routes).toEqual([expect.objectContaining({ outcome: 'pass', requests: 6, observed: '5 admitted, then 429 without Retry-After' })]);
  expect(code).toBe(0);
  const keys = spawnSync('redis-cli', ['-p', String(redisPort), 'keys', '*'], { encoding: 'utf8' }).stdout;
  expect(keys).toContain('/search');
});

flaskTest('headers_enabled: Retry-After expected and present; parameters filled; writes only when allowed', async () => {
  const url = await startApp('headers');
  const guarded = await verifyJson(['--url', url, path.join(APPS, 'headers')]);
  expect(guarded.result.routes.map((r) => [r.route, r.outcome, r.reason])).toEqual([
    ['GET /items/<int:item_id>', 'skip', 'path parameters need values: --param item_id=...'],
    ['POST /login', 'skip', 'POST changes state: pass --allow-writes to send it'],
  ]);
  expect(guarded.result.requests).toBe(0);

  const { code, result } = await verifyJson(['--url', url, path.join(APPS, 'headers'), '--param', 'item_id=7', '--allow-writes']);
  expect(result.routes.map((r) => [r.route, r.outcome, r.expected, r.observed])).toEqual([
    ['GET /items/<int:item_id>', 'pass', '4 admitted, then 429 with Retry-After (4/minute)', '4 admitted, then 429 with Retry-After'],
    ['POST /login', 'pass', '3 admitted, then 429 with Retry-After (3/minute)', '3 admitted, then 429 with Retry-After'],
  ]);
  expect(code).toBe(0);
});

test('a host that is not loopback is refused before anything is sent', async () => {
  let requests = 0;
  const server = net.createServer((socket) => {
    requests++;
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  try {
    // localtest.me would resolve to this loopback server; the name alone is not loopback, so nothing may be sent.
    const { code, stdout, stderr } = await runCli(['verify', '--url', `http://localtest.me:${port}`, path.join(APPS, 'before')]);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain('is not a loopback address');
    expect(requests).toBe(0);
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
});

test('usage errors exit 2', async () => {
  expect((await runCli(['verify', '--url', 'http://127.0.0.1:9', '--report', 'x.json', 'app/'])).code).toBe(2);
  expect((await runCli(['verify', '--url', 'http://127.0.0.1:9', '--param', 'nameonly', path.join(APPS, 'before')])).code).toBe(2);
  expect((await runCli(['verify', '--url', 'http://127.0.0.1:9', '--route', 'GET /nowhere', path.join(APPS, 'before')])).code).toBe(2);
});

test('--max-requests must be a whole number; a report with a damaged route is a usage error', async () => {
  const fractional = await runCli(['verify', '--url', 'http://127.0.0.1:9', '--max-requests', '1.5', path.join(APPS, 'before')]);
  expect([fractional.code, fractional.stderr]).toEqual([2, 'apiposture: --max-requests must be a positive integer\n']);
  for (const routes of [[null], [{ path: '/x' }], [{ ...unlimitedRoute('/x'), limits: [null] }]]) {
    const report = await writeReport({ schemaVersion: 1, routes });
    const { code, stderr } = await runCli(['verify', '--url', 'http://127.0.0.1:9', '--report', report]);
    expect([code, stderr]).toEqual([2, `apiposture: ${report}: routes[0] is not a route of an apiposture report (path, kind, status, methods, automaticMethods, unresolved, limits, evidence)\n`]);
  }
});

/** A loopback listener whose every answer is 200 with `respond` writing the body (and ending it, or not). */
async function server(respond: (response: http.ServerResponse) => void): Promise<{ url: string; close: () => Promise<unknown> }> {
  const listener = http.createServer((_, response) => respond(response));
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  const { port } = listener.address() as net.AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((resolve) => { listener.closeAllConnections(); listener.close(resolve); }) };
}

test('--budget is a hard deadline: a request in flight is cut off when it is spent', async () => {
  const slow = await server((response) => setTimeout(() => response.end('late'), 5000).unref());
  try {
    const report = await writeReport({ schemaVersion: 1, routes: [unlimitedRoute('/slow')] });
    const started = Date.now();
    const { result } = await verifyJson(['--url', slow.url, '--report', report, '--budget', '0.5', '--timeout', '10']);
    expect(Date.now() - started).toBeLessThan(3000);
    expect(result.routes.map((r) => [r.outcome, r.reason])).toEqual([['fail', 'time budget spent after 0 requests']]);
  } finally {
    await slow.close();
  }
});

test('response bodies are read up to 64 KiB and the rest dropped: a body that never ends does not stall a burst', async () => {
  const endless = await server((response) => {
    response.writeHead(200);
    const chunk = Buffer.alloc(16 * 1024, 'x');
    const pour = (): void => {
      while (response.write(chunk));
      response.once('drain', pour);
    };
    pour();
  });
  try {
    const report = await writeReport({ schemaVersion: 1, routes: [unlimitedRoute('/endless')] });
    const { result } = await verifyJson(['--url', endless.url, '--report', report, '--max-requests', '3', '--timeout', '5']);
    expect(result.routes.map((r) => [r.outcome, r.requests])).toEqual([['pass', 3]]);
  } finally {
    await endless.close();
  }
});

test('path parameters in Flask and FastAPI syntax; loopback hosts', () => {
  expect(fillPath('/items/<int:item_id>/tags/{tag:path}', { item_id: '7', tag: 'a b' })).toEqual({ path: '/items/7/tags/a%20b' });
  expect(fillPath('/users/<name>/{id}', {})).toEqual({ missing: ['name', 'id'] });
  expect(['http://localhost:1', 'http://127.0.0.2', 'http://[::1]:8000'].map((u) => isLoopback(new URL(u)))).toEqual([true, true, true]);
  expect(['http://10.0.0.1', 'http://127.0.0.1.example.com', 'http://[::2]'].map((u) => isLoopback(new URL(u)))).toEqual([false, false, false]);
});

/** A loopback HTTP listener answering 200 that records the paths it is asked for and every connection. */
async function sink(): Promise<{ url: string; port: number; paths: string[]; connections: () => number; close: () => Promise<unknown> }> {
  const paths: string[] = [];
  let connections = 0;
  const server = http.createServer((request, response) => {
    paths.push(request.url!);
    response.end('ok');
  });
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return { url: `http://127.0.0.1:${port}`, port, paths, connections: () => connections, close: () => new Promise((resolve) => server.close(resolve)) };
}

const unlimitedRoute = (routePath: string): object => ({ kind: 'http', status: 'unlimited', path: routePath, methods: ['GET'], automaticMethods: [], unresolved: [], limits: [], evidence: [] });

test('route paths that name another host (//host, /\\host) are requested on the --url origin only', async () => {
  const app = await sink();
  const elsewhere = await sink();
  try {
    const paths = [`//127.0.0.1:${elsewhere.port}/stolen`, `/\\127.0.0.1:${elsewhere.port}/x`, `\\\\127.0.0.1:${elsewhere.port}/y`];
    const report = await writeReport({ schemaVersion: 1, routes: paths.map(unlimitedRoute) });
    const { result } = await verifyJson(['--url', app.url, '--report', report, '--max-requests', '1']);
    expect(elsewhere.connections()).toBe(0);
    expect(result.routes.map((r) => r.outcome)).toEqual(['pass', 'pass', 'pass']);
    expect(app.paths).toEqual(paths.map(() => expect.stringContaining(`127.0.0.1:${elsewhere.port}`)));
  } finally {
    await Promise.all([app.close(), elsewhere.close()]);
  }
});

test('a request URL is always on the --url origin, whatever the route path', () => {
  for (const base of ['http://127.0.0.1:18080', 'http://127.0.0.1:18080/api/', 'http://[::1]:8000/x?q=1#h']) {
    for (const routePath of ['//10.0.0.1/y', '/\\10.0.0.1/x', '\\\\10.0.0.1/z', '//127.0.0.1:18081/stolen', '/..//10.0.0.1/w', 'http://10.0.0.1/', '/@10.0.0.1', '/a?x#//10.0.0.1']) {
      const url = requestUrl(new URL(base), routePath);
      expect([routePath, url.origin, new URL(url.href).origin]).toEqual([routePath, new URL(base).origin, new URL(base).origin]);
    }
  }
  expect(requestUrl(new URL('http://127.0.0.1:18080/api/'), '/items/7').href).toBe('http://127.0.0.1:18080/api/items/7');
});

test('credentials in --url are refused and never echoed', async () => {
  const app = await sink();
  try {
    for (const url of [`http://user:s3cr3t@127.0.0.1:${app.port}/`, `http://s3cr3t@127.0.0.1:${app.port}/`, 'http://user:s3cr3t@[::1']) {
      const { code, stdout, stderr } = await runCli(['verify', '--url', url, path.join(APPS, 'before')]);
      expect([url, code, stdout]).toEqual([url, 2, '']);
      expect(stderr).toMatch(/^apiposture: --url (must not hold a user name or password|is not a URL)/);
      expect(stderr).not.toContain('s3cr3t');
    }
    expect(app.connections()).toBe(0);
  } finally {
    await app.close();
  }
});

test('route paths from a report are printed with their control characters escaped', () => {
  const text = verifyText({ url: 'http://127.0.0.1:1/', requests: 0, concurrency: 1, elapsedMs: 0, routes: [{ route: 'GET /\x1b[2Jx', scanStatus: 'unlimited', outcome: 'skip', requests: 0, reason: 'time budget spent' }] });
  expect(text).toContain('SKIP  GET /\\x1b[2Jx  (scan: unlimited)');
  expect(text).not.toContain('\x1b');
});

test('a version 2 report: a partial route is judged per method (GET open, POST limited at its count)', async () => {
  let hits = 0;
  const app = await server((response) => {
    hits++;
    response.statusCode = hits > 3 ? 429 : 200;
    if (hits > 3) response.setHeader('Retry-After', '60');
    response.end('ok');
  });
  try {
    const limit = { rate: '3/minute', source: 'decorator', library: 'flask-limiter', scope: 'route', methods: ['POST'], file: 'app.py', line: 2 };
    const partial = { ...unlimitedRoute('/search'), status: 'partial', methods: ['GET', 'POST'], limits: [limit] };
    const report = await writeReport({ schemaVersion: 2, routes: [partial] });
    const post = await verifyJson(['--url', app.url, '--report', report, '--route', 'POST /search', '--allow-writes']);
    expect(post.result.routes).toEqual([expect.objectContaining({ route: 'POST /search', scanStatus: 'limited', outcome: 'pass', expected: expect.stringContaining('3 admitted') })]);
    hits = 0;
    const get = await verifyJson(['--url', app.url, '--report', report, '--route', 'GET /search', '--max-requests', '3']);
    expect(get.result.routes).toEqual([expect.objectContaining({ route: 'GET /search', scanStatus: 'unlimited', outcome: 'pass', expected: 'no rejection within 3 requests' })]);
  } finally {
    await app.close();
  }
});
