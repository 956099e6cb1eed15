/**
 * The one harness for every fixture project under fixtures/<framework>/<project>/: scans it and diffs the
 * actual routes (path, methods, status, limits, findings) against the inline expectations, exhaustively:
 * an unannotated route fails as "Unexpected result", an annotation without a route as "Missing result".
 */
import fg from 'fast-glob';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { scan } from '../src/scan';
import { actualGroup, parseExpectations, type Expectation } from './support/expectations';

const FIXTURES = path.join(__dirname, '..', 'fixtures');
const projects = fg.sync('*/*', { cwd: FIXTURES, onlyDirectories: true }).sort();

test('there are fixture projects for the harness', () => {
  expect(projects.length).toBeGreaterThanOrEqual(3);
});

test.each(projects)('%s', async (project) => {
  const root = path.join(FIXTURES, project);
  const result = await scan({ paths: [root] });
  const expected: Expectation[] = [];
  for (const file of fg.sync('**/*.py', { cwd: root }).sort()) {
    expected.push(...parseExpectations(file, await fs.readFile(path.join(root, file), 'utf8')));
  }
  const key = (file: string, line: number, group: string): string => `${file}:${line}: ${group}`;
  const actual = [
    ...result.routes.map((r) => key(r.file, r.line, actualGroup(r, result.findings))),
    ...result.unresolvedRegistrations.map((r) => key(r.file, r.line, `registration="${r.call}"`)),
  ];
  const wanted = expected.filter((e) => !e.missing).map((e) => key(e.file, e.line, e.group));
  const knownMissing = new Set(expected.filter((e) => e.missing).map((e) => key(e.file, e.line, e.group)));
  const problems: string[] = [];
  const remaining = [...actual];
  for (const w of wanted) {
    const i = remaining.indexOf(w);
    if (i >= 0) remaining.splice(i, 1);
    else problems.push(`Missing result: ${w}`);
  }
  for (const r of remaining) problems.push(knownMissing.has(r) ? `Fixed missing result: ${r}` : `Unexpected result: ${r}`);
  // `unknown` always says why: evidence, or a part of the route that could not be read.
  for (const r of result.routes) if (r.status === 'unknown' && !r.evidence.length && !r.unresolved.length) problems.push(`Unknown without a reason: ${key(r.file, r.line, r.path)}`);
  expect(problems).toEqual([]);
});
