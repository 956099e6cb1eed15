/**
 * Every fixture's JSON, SARIF and text report, by digest: work on speed and memory must leave them byte for
 * byte as they were. When a change to what the scanner finds is meant, update the snapshot (`npx jest
 * test/report-digests.test.ts -u`) and say in the commit which reports changed and why; to see how one changed,
 * scan that fixture before and after.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { reportDigest } from '../bench/report-digest';
import { runCli, ROOT } from './support/run-cli';

beforeAll(() => process.chdir(ROOT));

/** Each folder of a framework's fixtures: the unit a user scans. */
function fixtureFolders(): string[] {
  return readdirSync('fixtures', { withFileTypes: true })
    .filter((framework) => framework.isDirectory())
    .flatMap((framework) => readdirSync(path.join('fixtures', framework.name), { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => `fixtures/${framework.name}/${d.name}`))
    .sort();
}

test('the reports of every fixture are unchanged', async () => {
  const folders = fixtureFolders();
  expect(folders.length).toBeGreaterThan(30);
  const digests: Record<string, string> = {};
  for (const folder of folders) {
    for (const format of ['json', 'sarif', 'text']) {
      const { stdout } = await runCli(['scan', folder, '--no-cache', '-f', format, '--no-color']);
      expect(stdout.length).toBeGreaterThan(0);
      digests[`${folder} ${format}`] = reportDigest(stdout);
    }
  }
  expect(digests).toMatchSnapshot();
}, 120_000);
