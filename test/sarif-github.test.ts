/** SARIF as GitHub code scanning takes it: line hashes, category, suppressions and upload limits. */
import path from 'node:path';
import type * as Sarif from 'sarif';
import type { Finding, ScanResult } from '../src/model';
import fg from 'fast-glob';
import { sarifReport } from '../src/report/sarif';
import { scan } from '../src/scan';
import { lineHashes } from '../src/report/line-hash';
import { readFileSync } from 'node:fs';
import { runCli, ROOT } from './support/run-cli';
import { sarifErrors } from './support/sarif-schema';

const SHOP = path.join(ROOT, 'fixtures/flask/shop');

function finding(overrides: Partial<Finding> = {}): Finding {
  return { ruleId: 'AP001', fingerprint: '0'.repeat(32), severity: 'warning', message: '`POST /signup` has no rate limit', routeId: 'flask:POST:/signup', routeIds: ['flask:POST:/signup'], file: 'app.py', line: 29, column: 2, related: [], ...overrides };
}

function scanOf(findings: Finding[]): ScanResult {
  const bySeverity = { error: 0, warning: 0, note: 0 };
  for (const f of findings) bySeverity[f.severity]++;
  const stats = { filesScanned: 1, filesSkipped: 0, routes: 0, byStatus: { limited: 0, partial: 0, unlimited: 0, exempt: 0, unknown: 0 }, findings: findings.length, bySeverity, suppressed: 0, baselined: 0, registrationSites: { total: 0, resolved: 0, unresolved: 0 } };
  return { root: SHOP, project: { root: SHOP, paths: [''], importRoots: [''], files: 1, profile: { name: 'production', defines: {}, decided: 0, notServed: [] }, assumptions: [] }, routes: [], findings, skipped: [], suppressionProblems: [], unresolvedRegistrations: [], stats };
}

function validLog(text: string): Sarif.Log {
  const log = JSON.parse(text) as Sarif.Log;
  expect(sarifErrors(log)).toEqual([]);
  expect(log.runs).toHaveLength(1);
  return log;
}

beforeAll(() => process.chdir(ROOT));

test('results carry the line hash GitHub computes for their line, beside the route fingerprint', () => {
  const log = validLog(sarifReport(scanOf([finding()])));
  const expected = lineHashes(readFileSync(path.join(SHOP, 'app.py'), 'utf8'))[28];
  expect(log.runs[0].results![0].partialFingerprints).toEqual({ 'apiposture/route/v1': '0'.repeat(32), primaryLocationLineHash: expected });
  expect(expected).toMatch(/^[0-9a-f]+:\d+$/);
});

test('a file that cannot be read gets no line hash (the upload computes none either)', () => {
  const log = validLog(sarifReport(scanOf([finding({ file: 'gone.py' })])));
  expect(log.runs[0].results![0].partialFingerprints).toEqual({ 'apiposture/route/v1': '0'.repeat(32) });
});

test('--category sets automationDetails.id in GitHub\'s category/ form; without it there is none', async () => {
  const withCategory = validLog((await runCli(['scan', 'fixtures/flask/shop', '-f', 'sarif', '--category', 'shop'])).stdout);
  expect(withCategory.runs[0].automationDetails).toEqual({ id: 'shop/' });
  // As codeql-action's `category` input: a folder-like name stays whole rather than becoming a run id.
  expect(validLog(sarifReport(scanOf([]), { category: 'apps/shop' })).runs[0].automationDetails).toEqual({ id: 'apps/shop/' });
  expect(validLog(sarifReport(scanOf([]), { category: 'apps/shop/' })).runs[0].automationDetails).toEqual({ id: 'apps/shop/' });
  expect(validLog((await runCli(['scan', 'fixtures/flask/shop', '-f', 'sarif'])).stdout).runs[0].automationDetails).toBeUndefined();
  const empty = await runCli(['scan', 'fixtures/flask/shop', '-f', 'sarif', '--category', ' ']);
  expect(empty.code).toBe(2);
  expect(empty.stderr).toContain('--category must not be empty');
});

test('a suppressed finding stays a result, with an accepted suppression where it is written', () => {
  const suppressed = finding({ suppression: { kind: 'inSource', justification: 'signup is behind a captcha', file: 'app.py', line: 28 } });
  const external = finding({ line: 16, suppression: { kind: 'external', justification: 'accepted risk', file: '.apiposture.toml', line: 3 } });
  const log = validLog(sarifReport(scanOf([suppressed, external, finding({ line: 11 })])));
  const [inSource, config, open] = log.runs[0].results!;
  expect(inSource.suppressions).toEqual([{ kind: 'inSource', status: 'accepted', justification: 'signup is behind a captcha', location: { physicalLocation: { artifactLocation: { uri: 'app.py', uriBaseId: '%SRCROOT%' }, region: { startLine: 28 } } } }]);
  expect(config.suppressions![0].kind).toBe('external');
  expect(config.suppressions![0].location!.physicalLocation!.artifactLocation!.uri).toBe('.apiposture.toml');
  expect(open.suppressions).toBeUndefined();
});

test('more results than GitHub accepts are cut by severity, then order, and the cut is reported', () => {
  const findings = [finding({ severity: 'note', line: 1 }), finding({ severity: 'error', line: 2 }), finding({ severity: 'warning', line: 3 }), finding({ severity: 'error', line: 4, suppression: { kind: 'external', justification: 'x', file: '.apiposture.toml', line: 1 } }), finding({ severity: 'warning', line: 5 })];
  const log = validLog(sarifReport(scanOf(findings), { maxResults: 3 }));
  expect(log.runs[0].results!.map((r) => r.locations![0].physicalLocation!.region!.startLine)).toEqual([2, 3, 5]);
  expect(log.runs[0].invocations![0].toolExecutionNotifications).toEqual([
    { level: 'warning', message: { text: '2 of 5 results left out: GitHub code scanning accepts at most 3 per run (the least severe were dropped)' } },
  ]);
  expect(sarifReport(scanOf(findings), { maxResults: 3 })).toBe(sarifReport(scanOf(findings), { maxResults: 3 }));
});

test('within the limit nothing is cut and no notification is added', () => {
  const log = validLog(sarifReport(scanOf([finding(), finding({ line: 16 })]), { maxResults: 2 }));
  expect(log.runs[0].results).toHaveLength(2);
  expect(log.runs[0].invocations![0].toolExecutionNotifications).toEqual([]);
});

test.each(['fixtures/flask/shop', 'fixtures/flask/shop/app.py', 'fixtures/fastapi/slowapi-app'])('every artifact URI of %s is non-empty and relative', async (target) => {
  const text = (await runCli(['scan', target, '-f', 'sarif'])).stdout;
  validLog(text);
  const uris = [...text.matchAll(/"uri": "([^"]*)"/g)].map((m) => m[1]);
  expect(uris.length).toBeGreaterThan(0);
  for (const uri of uris) expect(uri).toMatch(/^[^/]./);
});

test('rule descriptors carry what GitHub shows: full description, help, tags, string security-severity, precision', () => {
  const log = validLog(sarifReport(scanOf([])));
  for (const rule of log.runs[0].tool.driver.rules!) {
    expect(rule.fullDescription!.text).not.toMatch(/^#|```/);
    expect(rule.help!.markdown).toContain('## What it does');
    expect(rule.help!.text).toBeTruthy();
    expect(rule.properties!.tags).toContain('security');
    expect(rule.properties!['security-severity']).toMatch(/^\d+\.\d$/);
    expect(['very-high', 'high', 'medium', 'low']).toContain(rule.properties!.precision);
  }
});

test('with a baseline, results carry baselineState; suppression problems become notifications', () => {
  const scan = { ...scanOf([finding({ baselined: true }), finding({ line: 16 })]), staleBaseline: [] };
  scan.suppressionProblems = [{ file: 'app.py', line: 3, message: '`# apiposture: ignore[AP001]` has no reason' }];
  const log = validLog(sarifReport(scan));
  expect(log.runs[0].results!.map((r) => r.baselineState)).toEqual(['unchanged', 'new']);
  const notes = log.runs[0].invocations![0].toolExecutionNotifications!;
  expect(notes.map((n) => n.message.text)).toContain('`# apiposture: ignore[AP001]` has no reason');
  expect(validLog(sarifReport(scanOf([finding()]))).runs[0].results![0].baselineState).toBeUndefined();
});

test('result paths are relative to the checkout when the scan root lies inside it', () => {
  const uris = (rootUri: string): string[] => validLog(sarifReport(scanOf([finding()]), { rootUri })).runs[0].results!.map((r) => r.locations![0].physicalLocation!.artifactLocation!.uri!);
  expect(uris('apps/shop')).toEqual(['apps/shop/app.py']);
  expect(uris('.')).toEqual(['app.py']);
  expect(uris('../elsewhere')).toEqual(['app.py']);
});

const FIXTURE_PROJECTS = fg.sync('*/*', { cwd: path.join(ROOT, 'fixtures'), onlyDirectories: true }).sort();

test.each(FIXTURE_PROJECTS)('SARIF of fixtures/%s passes the schema; every result has both fingerprints and a security-severity', async (project) => {
  const result = await scan({ paths: [path.join(ROOT, 'fixtures', project)] });
  const log = validLog(sarifReport(result, { category: project }));
  const rules = log.runs[0].tool.driver.rules!;
  expect(log.runs[0].results!.length).toBe(result.findings.length);
  for (const r of log.runs[0].results!) {
    expect(Object.keys(r.partialFingerprints!).sort()).toEqual(['apiposture/route/v1', 'primaryLocationLineHash']);
    expect(Number(rules[r.ruleIndex!].properties!['security-severity'])).toBeGreaterThan(0);
    expect(r.locations![0].physicalLocation!.artifactLocation!.uri).not.toBe('');
  }
});

test('values the scan assumed are notes of the run, at the line that reads them', () => {
  const scan = scanOf([]);
  scan.project.assumptions = [{ file: 'app.py', line: 3, text: 'values read from config.yml, as the repository holds it' }];
  const notes = validLog(sarifReport(scan)).runs[0].invocations![0].toolExecutionNotifications!;
  expect(notes.map((n) => [n.level, n.message.text, n.locations?.[0].physicalLocation?.region?.startLine])).toEqual([['note', 'Assumed: values read from config.yml, as the repository holds it', 3]]);
});
