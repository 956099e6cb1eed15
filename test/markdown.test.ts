/** The Markdown summary (PR comments, $GITHUB_STEP_SUMMARY): snapshots, suppressed findings apart, escaping. */
import type { Finding, Route, ScanResult } from '../src/model';
import { markdownReport } from '../src/report/markdown';
import { runCli, ROOT } from './support/run-cli';

beforeAll(() => process.chdir(ROOT));

test.each(['fixtures/flask/shop', 'fixtures/fastapi/slowapi-app'])('markdown report of %s', async (fixture) => {
  const first = await runCli(['scan', fixture, '-f', 'markdown']);
  expect((await runCli(['scan', fixture, '-f', 'markdown'])).stdout).toBe(first.stdout);
  expect(first.stdout).toMatchSnapshot();
});

test('routes --format markdown is the inventory only', async () => {
  const { code, stdout } = await runCli(['routes', 'fixtures/flask/shop', '-f', 'markdown']);
  expect(code).toBe(0);
  expect(stdout).not.toContain('finding');
  expect(stdout).toContain('<summary>limited routes (7)</summary>');
});

test('suppressed findings are counted apart; pipes and backticks cannot break the table', () => {
  const route = { id: 'flask:GET:/a|b', kind: 'http', methods: ['GET'], automaticMethods: [], path: '/a|`b`', file: 'app.py', line: 3, status: 'unlimited', limits: [] } as unknown as Route;
  const base: Finding = { ruleId: 'AP001', fingerprint: 'f', severity: 'error', message: '`GET /a|b` has no rate limit', routeId: route.id, routeIds: [route.id], file: 'app.py', line: 3, column: 1, related: [] };
  const suppressed: Finding = { ...base, severity: 'warning', suppression: { kind: 'inSource', justification: 'internal', file: 'app.py', line: 2 } };
  const stats = { findings: 1, bySeverity: { error: 1, warning: 0, note: 0 }, suppressed: 1, baselined: 0 };
  const scan = { root: ROOT, routes: [route], findings: [base, suppressed], skipped: [], suppressionProblems: [], stats } as unknown as ScanResult;
  const text = markdownReport(scan);
  expect(text).toContain('**1 finding**: 1 error, 0 warning, 0 note; 1 suppressed; 0 baselined');
  expect(text).toContain('<summary>Suppressed findings (1)</summary>');
  expect(text).toContain('| error | [AP001](https://github.com/apiposture/apiposture#ap001-unguarded-route) | `` GET /a\\|`b` `` | `app.py:3` | `GET /a\\|b` has no rate limit |');
  for (const row of text.split('\n').filter((l) => l.startsWith('| '))) expect(row.split(/(?<!\\)\|/).length).toBeGreaterThanOrEqual(4);
});

test('a report too big for a GitHub comment keeps errors first and says what it cut', () => {
  const routes = Array.from({ length: 3000 }, (_, i) => ({ id: `r${i}`, kind: 'http', methods: ['POST'], automaticMethods: [], path: `/ünicode/${i}`, file: 'app.py', line: i + 1, status: 'unlimited', limits: [] }) as unknown as Route);
  const finding = (route: Route, severity: Finding['severity']): Finding => ({ ruleId: 'AP001', fingerprint: route.id, severity, message: `\`POST ${route.path}\` has no rate limit`, routeId: route.id, routeIds: [route.id], file: 'app.py', line: route.line, column: 1, related: [] });
  const findings = routes.map((r, i) => finding(r, i % 3 === 0 ? 'error' : 'note'));
  const stats = { findings: findings.length, bySeverity: { error: 1000, warning: 0, note: 2000 }, suppressed: 0, baselined: 0 };
  const text = markdownReport({ root: ROOT, routes, findings, skipped: [], suppressionProblems: [], stats } as unknown as ScanResult);
  expect(Buffer.byteLength(text)).toBeLessThanOrEqual(65_536);
  const rows = text.split('\n').filter((l) => l.startsWith('| error') || l.startsWith('| note'));
  expect(rows.slice(0, 1000).every((r) => r.startsWith('| error'))).toBe(true);
  expect(text).toMatch(/Cut to fit GitHub's 65,536-character limit: \d+ findings, 3,?000 unlimited routes not shown\./);
});
