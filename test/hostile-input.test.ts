/** Hostile shapes of input cost time and memory in proportion to their size, never more. */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { extractFlaskRoutes } from '../src/frameworks/flask/routes';
import { pythonParser, withoutLongTokenlessRuns } from '../src/parse';
import { extractFacts } from '../src/python/facts';
import { Project } from '../src/python/project';
import { analyzeModules, runRules } from '../src/scan';
import { spawnCli } from './support/run-cli';

/** One view under `routes` route decorators, a limit decorator among them. */
function stackedRoutes(routes: number): string {
  const half = '@app.route("/d")\n'.repeat(routes / 2);
  return `from flask import Flask\nfrom flask_limiter import Limiter\napp = Flask(__name__)\nlimiter = Limiter(app)\n\n${half}@limiter.limit("5/minute")\n${half}def d():\n    return "ok"\n`;
}

test('stacked route decorators share the view\'s other decorators instead of copying the stack per route', () => {
  for (const routes of [500, 2000]) {
    const facts = extractFacts(pythonParser().parse(stackedRoutes(routes)).rootNode, 'app.py');
    const drafts = extractFlaskRoutes(new Project([facts]));
    const listed = drafts.reduce((sum, d) => sum + d.context.view.viewDecorators.length + d.context.view.misplacedDecorators.length, 0);
    expect([drafts.length, listed]).toEqual([routes, routes]); // each route sees the one limit decorator, below or above it
  }
});

test('20,000 stacked route decorators on one def scan in bounded time and memory', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'apiposture-stacked-'));
  writeFileSync(path.join(dir, 'app.py'), stackedRoutes(20_000));
  const report = path.join(dir, 'report.json');
  const { code } = spawnCli(['scan', path.join(dir, 'app.py'), '--no-cache', '--format', 'json', '--output', report, '--fail-on', 'none']); // killed after 30 s
  expect(code).toBe(0);
  const routes = JSON.parse(readFileSync(report, 'utf8')).routes as { status: string }[];
  expect(routes).toHaveLength(20_000);
  expect(routes.filter((r) => r.status === 'limited')).toHaveLength(10_000);
});

test('a module with thousands of routes is read through a bounded number of times, not once per route', () => {
  const views = Array.from({ length: 4000 }, (_, i) => `@app.route("/r${i}")\n@limiter.limit("5/minute")\ndef r${i}():\n    return "ok"\n`);
  const facts = extractFacts(pythonParser().parse(`from flask import Flask\nfrom flask_limiter import Limiter\napp = Flask(__name__)\nlimiter = Limiter(app)\n\n${views.join('\n')}`).rootNode, 'app.py');
  let reads = 0;
  const counted = <T extends object>(list: T[]): T[] => new Proxy(list, { get: (target, key, receiver) => (/^\d+$/.test(String(key)) && reads++, Reflect.get(target, key, receiver)) });
  facts.bindings[0] = counted(facts.bindings[0]);
  facts.functions = counted(facts.functions);
  const routes = analyzeModules([facts]);
  runRules(routes);
  expect(routes.length).toBe(4000);
  expect(reads).toBeLessThan(20 * 4000); // before the indexes every route read through every binding and function

});

test('a function calling itself twice per level, directly or through another, is read once per level, to what its other returns give', () => {
  const source = `def pick(node, default):
    if node is None:
        return default
    left = pick(node.left, default)
    right = pick(node.right, default)
    if left is None:
        return right
    return left

def walk(node, default):
    if node is None:
        return default
    left = visit(node.left, default)
    if left is None:
        return visit(node.right, default)
    return left

def visit(node, default):
    return walk(node, default)

def twice(text):
    return text

PATH = pick(None, "/a")
WALKED = walk(None, "/b")
NESTED = twice(twice("/c"))

def label(text):
    return twice(text)

WRAPPED = twice(label("/d"))
`;
  const facts = extractFacts(pythonParser().parse(source).rootNode, 'paths.py');
  let reads = 0;
  facts.functions = new Proxy(facts.functions, { get: (target, key, receiver) => (/^\d+$/.test(String(key)) && reads++, Reflect.get(target, key, receiver)) });
  const project = new Project([facts]);
  // Followed into itself, each level would branch in two, 2^24 ways to the depth bound.
  const text = (id: string): string | undefined => project.stringValue({ k: 'name', id, loc: 0 }, project.moduleCtx(project.modules[0]));
  // Through another function too; a call in an argument is no recursion, nor is a call made by a function the
  // argument calls (`label` calls `twice`, but `twice` does not call `label`).
  expect([text('PATH'), text('WALKED'), text('NESTED'), text('WRAPPED')]).toEqual(['/a', '/b', '/c', '/d']);
  expect(reads).toBeLessThan(200);
});

test('patterns and rates a repository writes are matched in linear time, whatever they are matched against', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'apiposture-backtracking-'));
  const as = 'a'.repeat(40);
  // Each of these backtracks exponentially in a backtracking engine: forty characters would take hours.
  writeFileSync(path.join(dir, 'main.py'), `from fastapi import FastAPI\nfrom ratelimit import RateLimitMiddleware, Rule\nfrom ratelimit.auths.ip import client_ip\nfrom ratelimit.backends.redis import RedisBackend\n\napp = FastAPI()\napp.add_middleware(RateLimitMiddleware, authenticate=client_ip, backend=RedisBackend(), config={r"^/(a+)+$": [Rule(minute=60)], r"^/(b)\\1": [Rule(minute=1)]})\n\n@app.get("/${as}!")\ndef items():\n    return []\n`);
  writeFileSync(path.join(dir, 'limited.py'), `from flask import Flask\nfrom flask_limiter import Limiter\nfrom flask_limiter.util import get_remote_address\n\nweb = Flask(__name__)\nlimiter = Limiter(get_remote_address, app=web)\n\n@web.route("/odd")\n@limiter.limit("1/${'9'.repeat(40)}x")\ndef odd():\n    return ""\n\n@web.route("/x/${as}c")\ndef long():\n    return ""\n`);
  // A long run of spaces in a line: quadratic for the backtracking engine (a `.env` setting, an INI option the code reads).
  writeFileSync(path.join(dir, '.env'), `APP_NAME=a${' '.repeat(200_000)}b\n`);
  writeFileSync(path.join(dir, 'settings.ini'), `[app]\nname = a${' '.repeat(200_000)}b\n`);
  writeFileSync(path.join(dir, 'configured.py'), 'import configparser\nfrom limited import web\n\nconfig = configparser.ConfigParser()\nconfig.read("settings.ini")\n\n@web.route("/named/" + config["app"]["name"][:1])\ndef named():\n    return ""\n');
  writeFileSync(path.join(dir, '.apiposture.toml'), `[[suppress]]\nrule = "AP001"\nroute = "GET /x/${'*a'.repeat(20)}b"\nreason = "a glob that matches nothing"\n`);
  const report = path.join(dir, 'report.json');
  const { code } = spawnCli(['scan', dir, '--no-cache', '--format', 'json', '--output', report, '--fail-on', 'none']); // killed after 30 s
  expect(code).toBe(0);
  const routes = JSON.parse(readFileSync(report, 'utf8')).routes as { path: string; status: string }[];
  // The pattern with a backreference cannot run in linear time: the route's limits are unknown, never guessed.
  expect(routes.map((r) => `${r.path} ${r.status}`).sort()).toEqual([`/${as}! unknown`, '/named/a unlimited', '/odd unlimited', `/x/${as}c unlimited`]);
});

test('40,000 comment lines in a row scan in bounded time: the parser is given them blanked, directives and positions kept', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'apiposture-comments-'));
  const run = '    # commented out\n'.repeat(20_000);
  // tree-sitter-python rereads a run of comments to its end at each of its lines: this file took 75 s to scan.
  writeFileSync(path.join(dir, 'app.py'), `from flask import Flask\nfrom flask_limiter import Limiter\napp = Flask(__name__)\nlimiter = Limiter(app)\n\n@app.route("/a")\n@limiter.limit("5/minute")\ndef a():\n${run}    return "ok"\n${run.replace(/ {4}/g, '')}@app.route("/b")\ndef b():\n    return "ok"\n`);
  const report = path.join(dir, 'report.json');
  const { code } = spawnCli(['scan', path.join(dir, 'app.py'), '--no-cache', '--format', 'json', '--output', report, '--fail-on', 'none']); // killed after 30 s
  expect(code).toBe(0);
  const routes = JSON.parse(readFileSync(report, 'utf8')).routes as { path: string; line: number; status: string }[];
  expect(routes.map((r) => [r.path, r.line, r.status])).toEqual([['/a', 6, 'limited'], ['/b', 40_010, 'unlimited']]);
});

test('only runs of comments and lone backslashes longer than the parser copes with are blanked, to spaces, but for directives', () => {
  const run = (lines: number): string => '# a comment\n\\\n'.repeat(lines / 2);
  const short = `x = 1\n${run(200)}y = 2\n`;
  expect(withoutLongTokenlessRuns(short)).toBe(short);
  const long = `x = 1\n${run(150)}\n  # apiposture: ignore[AP001] reviewed\r\n${run(100)}y = 2  # kept\n`;
  const blanked = withoutLongTokenlessRuns(long);
  expect(blanked).toBe(long.replace(/^# a comment$/gm, ' '.repeat(11)).replace(/^\\$/gm, ' '));
  expect(blanked).toContain('\n  # apiposture: ignore[AP001] reviewed\r\n');
  const facts = extractFacts(pythonParser().parse(blanked).rootNode, 'm.py');
  expect(facts.directives).toEqual([{ line: 153, ids: ['AP001'], reason: 'reviewed' }]);
  expect(facts.bindings[0].map((b) => [b.name, b.line])).toEqual([['x', 1], ['y', 254]]);
  expect(extractFacts(pythonParser().parse(long).rootNode, 'm.py')).toEqual(facts);
});
