/**
 * Reports for triage: one finding per shared cause (at the cause, listing the routes, suppressible there, with a
 * fingerprint that survives moved lines), text that leads with the verdict and errors, paths from the working
 * directory, and SARIF messages that link their related locations.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { scan } from '../src/scan';
import { runCli, spawnCli } from './support/run-cli';

const APP = `from flask import Flask
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
app = Flask(__name__)
limiter = Limiter(get_remote_address, app=app, default_limits=["100/hour"], storage_uri="redis://cache:6379")
{before}
@app.get("/a")
def a():
    return ""


@app.get("/b")
def b():
    return ""


@app.post("/login")
def login():
    return ""
`;

function project(source: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'apiposture-triage-'));
  writeFileSync(path.join(dir, 'pyproject.toml'), '');
  writeFileSync(path.join(dir, 'app.py'), source);
  return dir;
}

test('a setting that affects every route is one finding at its line, listing the routes', async () => {
  const { findings } = await scan({ paths: [project(APP.replace('{before}', ''))] });
  const noRetry = findings.filter((f) => f.ruleId === 'AP013');
  expect(noRetry).toHaveLength(1);
  expect(noRetry[0]).toMatchObject({ file: 'app.py', line: 5, routeIds: ['flask:GET:/a', 'flask:GET:/b', 'flask:POST:/login'] });
  expect(noRetry[0].message).toBe('Flask-Limiter answers over-limit requests with 429 but no Retry-After: `headers_enabled` is off by default: affects `GET /a`, `GET /b`, `POST /login`');
  expect(noRetry[0].related.map((r) => `${r.line} ${r.message}`)).toEqual(['7 `GET /a`', '12 `GET /b`', '17 `POST /login`']);
  // its identity does not depend on the line: code added above the limiter keeps the fingerprint
  const moved = await scan({ paths: [project(APP.replace('{before}', '').replace('app = Flask', '\n\napp = Flask'))] });
  expect(moved.findings.find((f) => f.ruleId === 'AP013')!.fingerprint).toBe(noRetry[0].fingerprint);
});

test('a comment at the cause suppresses the finding for every route it affects', async () => {
  const source = APP.replace('{before}', '').replace('storage_uri="redis://cache:6379")', 'storage_uri="redis://cache:6379")  # apiposture: ignore[AP013] the proxy adds Retry-After');
  const { findings, suppressionProblems } = await scan({ paths: [project(source)] });
  const noRetry = findings.filter((f) => f.ruleId === 'AP013');
  expect(noRetry).toHaveLength(1);
  expect(noRetry[0].suppression).toMatchObject({ kind: 'inSource', justification: 'the proxy adds Retry-After', line: 5 });
  expect(suppressionProblems).toEqual([]);
  // A file with Windows line ends: the comment's text ends in a carriage return, not part of the reason.
  const crlf = await scan({ paths: [project(source.replace(/\n/g, '\r\n'))] });
  expect(crlf.findings.filter((f) => f.ruleId === 'AP013').map((f) => f.suppression)).toEqual([noRetry[0].suppression]);
  expect(crlf.suppressionProblems).toEqual([]);
});

test('text: the verdict, errors before notes with their source line, then the routes; --routes and -q choose how much', async () => {
  const dir = project(APP.replace('{before}', ''));
  const { stdout } = spawnCli(['scan', dir, '--no-cache']);
  const shown = path.relative(process.cwd(), dir);
  const lines = stdout.split('\n');
  expect(lines[1]).toBe('all 3 routes limited (0 unlimited, 0 unknown, 0 exempt) · 0 errors, 1 warning, 2 notes');
  expect(lines).toContain(`  ${shown}/app.py:5:1  AP013  Flask-Limiter answers over-limit requests with 429 but no Retry-After: \`headers_enabled\` is off by default: affects \`GET /a\`, \`GET /b\`, \`POST /login\``);
  expect(lines).toContain('       5 | limiter = Limiter(get_remote_address, app=app, default_limits=["100/hour"], storage_uri="redis://cache:6379")');
  expect(lines.indexOf('Notes (2)')).toBeLessThan(lines.indexOf('Routes'));
  expect(spawnCli(['scan', dir, '--no-cache', '--routes', 'none']).stdout).not.toContain('Routes');
  const open = project('from flask import Flask\napp = Flask(__name__)\n\n@app.post("/signup")\ndef signup():\n    return ""\n');
  const quiet = (await runCli(['scan', open, '-q', '--routes', 'open', '--no-cache'])).stdout;
  expect(quiet).toContain('Routes not limited');
  expect(quiet).toContain('        why: no rate limiter is used in this project');
});

test('SARIF messages link their related locations, as GitHub requires to show them', () => {
  const { stdout } = spawnCli(['scan', project(APP.replace('{before}', '')), '-f', 'sarif', '--no-cache']);
  const result = JSON.parse(stdout).runs[0].results.find((r: { ruleId: string }) => r.ruleId === 'AP013');
  expect(result.message.text).toMatch(/`POST \/login`\. See \[app\.py:7\]\(1\), \[app\.py:12\]\(2\), \[app\.py:17\]\(3\)\.$/);
  expect(result.relatedLocations.map((r: { id: number }) => r.id)).toEqual([1, 2, 3]);
});
