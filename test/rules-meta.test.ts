/** Every rule's metadata is complete, its examples behave, and the README table is generated from it. */
import { readFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { RULES } from '../rules';
import { withRuleTable } from '../src/cli/gen-docs';
import { scan } from '../src/scan';
import { runCli } from './support/run-cli';

test.each(RULES.map((r) => [r.id, r] as const))('%s metadata is complete', (_id, rule) => {
  expect(rule.id).toMatch(/^AP\d{3}$/);
  expect(readFileSync(path.join(__dirname, '..', 'rules', `${rule.name}.ts`), 'utf8')).toContain(`id: '${rule.id}'`);
  expect(rule.tags).toEqual(expect.arrayContaining(['security']));
  expect(rule.tags.some((t) => /^external\/cwe\/cwe-\d+$/.test(t))).toBe(true);
  expect(rule.securitySeverity).toBeGreaterThan(0);
  const headings = [...rule.docs.matchAll(/^## (.+)$/gm)].map((m) => m[1]);
  expect(headings).toEqual(['What it does', 'Why is this bad?', 'Example', 'Use instead', 'References']);
});

test.each(RULES.map((r) => [r.id, r] as const))('%s: the bad example triggers it, the good one does not', async (_id, rule) => {
  const findingsOf = async (source: string): Promise<string[]> => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'apiposture-rule-'));
    writeFileSync(path.join(dir, 'app.py'), source);
    return (await scan({ paths: [dir] })).findings.map((f) => f.ruleId);
  };
  expect(await findingsOf(rule.examples.bad)).toContain(rule.id);
  expect(await findingsOf(rule.examples.good)).not.toContain(rule.id);
  for (const other of rule.otherFrameworks ?? []) {
    expect([other.framework, await findingsOf(other.bad)]).toEqual([other.framework, expect.arrayContaining([rule.id])]);
    expect([other.framework, await findingsOf(other.good)]).toEqual([other.framework, expect.not.arrayContaining([rule.id])]);
  }
});

test('the README rule table is up to date (run `npm run gen:docs`)', () => {
  const readme = readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8');
  expect(withRuleTable(readme)).toBe(readme);
});

test('explain shows the example of every framework a rule has one for', async () => {
  const { stdout } = await runCli(['explain', 'AP001']);
  expect([...stdout.matchAll(/^## (Example|Use instead)(.*)$/gm)].map((m) => `${m[1]}${m[2]}`)).toEqual([
    'Example', 'Use instead', 'Example (FastAPI, slowapi)', 'Use instead (FastAPI, slowapi)', 'Example (Django REST framework)', 'Use instead (Django REST framework)',
  ]);
});
