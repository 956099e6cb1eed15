/** Configuration: every key checked, errors name the key; rule severities, disabled rules and policy reach findings. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, DEFAULT_POLICY, loadConfig, parseConfig } from '../src/config';
import { scan } from '../src/scan';
import { spawnCli } from './support/run-cli';

const LOGIN_APP = `from flask import Flask
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
app = Flask(__name__)
limiter = Limiter(get_remote_address, app=app)

@app.route("/login", methods=["POST"])
@limiter.limit("30/minute")
def login():
    return "ok"

@app.route("/health")
def health():
    return "ok"
`;

function project(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'apiposture-config-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return dir;
}

test.each([
  [{ rules: { AP001: 'loud' } }, 'rules.AP001: expected one of "error", "warning", "note", "off"'],
  [{ rules: { X1: 'off' } }, 'rules.X1: rule ids look like AP001'],
  [{ rules: { AP999: 'off' } }, 'rules.AP999: there is no rule AP999'],
  [{ suppress: [{ rule: 'AP999', route: '/x', reason: 'r' }] }, 'suppress[0].rule: there is no rule AP999'],
  [{ policy: { 'auth-max-per-minute': -1 } }, 'policy.auth-max-per-minute: expected a positive number'],
  [{ policy: { 'messaging-per-day': 2.5 } }, 'policy.messaging-per-day: expected a whole number of at least 1'],
  [{ policy: { 'messaging-per-day': 0 } }, 'policy.messaging-per-day: expected a whole number of at least 1'],
  [{ polcy: {} }, 'polcy: unknown key'],
  [{ limiter: [{ name: 'x' }] }, 'limiter[0]: give exactly one of decorator, dependency or middleware'],
  [{ limiter: [{ decorator: 'a.b', 'rate-argument': -2 }] }, 'limiter[0].rate-argument: expected a keyword name or a position'],
  [{ expensive: [{ call: 'a.b', kind: 'costly' }] }, 'expensive[0].kind: expected one of "password-hashing"'],
])('invalid config %j is rejected naming the key', (raw, message) => {
  expect(() => parseConfig(raw)).toThrow(ConfigError);
  expect(() => parseConfig(raw)).toThrow(message);
});

test('pyproject.toml [tool.apiposture] is read, .apiposture.toml wins over it', async () => {
  const dir = project({ 'pyproject.toml': '[tool.apiposture.policy]\nauth-max-per-minute = 50\n' });
  expect((await loadConfig({ root: dir, configDirs: [dir] })).policy).toEqual({ ...DEFAULT_POLICY, authMaxPerMinute: 50 });
  writeFileSync(path.join(dir, '.apiposture.toml'), '[policy]\nauth-max-per-minute = 3\n');
  expect((await loadConfig({ root: dir, configDirs: [dir] })).policy.authMaxPerMinute).toBe(3);
  writeFileSync(path.join(dir, '.apiposture.toml'), '[policy\n');
  await expect(loadConfig({ root: dir, configDirs: [dir] })).rejects.toThrow(/^\.apiposture\.toml: line 1/);
});

test('policy thresholds, rule severities and disabled rules change the findings', async () => {
  const findings = async (toml: string): Promise<string[]> => {
    const result = await scan({ paths: [project({ 'app.py': LOGIN_APP, '.apiposture.toml': toml })] });
    return result.findings.map((f) => `${f.ruleId}:${f.severity}`);
  };
  const defaults = await findings('');
  expect(defaults).toContain('AP002:warning'); // 30/minute on login exceeds the default 10
  expect(defaults).toContain('AP001:note');
  expect(await findings('[policy]\nauth-max-per-minute = 30\n')).not.toContain('AP002:warning');
  const tuned = await findings('[rules]\nAP002 = "error"\nAP001 = "off"\n');
  expect(tuned).toContain('AP002:error');
  expect(tuned.some((f) => f.startsWith('AP001'))).toBe(false);
});

test('an invalid config exits 2 with a message naming the key', () => {
  const dir = project({ 'app.py': LOGIN_APP, '.apiposture.toml': '[rules]\nAP001 = "loud"\n' });
  const r = spawnCli(['scan', dir]);
  expect(r.code).toBe(2);
  expect(r.stderr).toContain('invalid configuration: .apiposture.toml: rules.AP001');
  const explicit = spawnCli(['scan', dir, '--config', path.join(dir, 'missing.toml')]);
  expect(explicit.code).toBe(2);
});

test('a declared limit decorator on one method of a class view covers that method only', async () => {
  const app = (decorated: string[]): string => `from flask import Flask
from flask.views import MethodView
app = Flask(__name__)

def throttle(rate):
    return lambda fn: fn

class Login(MethodView):
${['get', 'post'].map((m) => `${decorated.includes(m) ? '    @throttle("5/minute")\n' : ''}    def ${m}(self):\n        return "ok"\n`).join('')}
app.add_url_rule("/login", view_func=Login.as_view("login"))
`;
  const toml = '[[limiter]]\nname = "throttle"\ndecorator = "app.throttle"\nrate-argument = 0\n';
  const routeOf = async (decorated: string[]) => {
    const result = await scan({ paths: [project({ 'app.py': app(decorated), '.apiposture.toml': toml })] });
    return { status: result.routes[0].status, limits: result.routes[0].limits.map((l) => `${l.rate} ${l.methods ?? 'all'}`), rules: result.findings.map((f) => f.ruleId) };
  };
  expect(await routeOf(['post'])).toEqual({ status: 'unlimited', limits: ['5/minute POST'], rules: ['AP014'] });
  expect(await routeOf(['get', 'post'])).toMatchObject({ status: 'limited', limits: ['5/minute GET', '5/minute POST'] });
});
