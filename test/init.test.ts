/** `apiposture init`: the config it writes loads, the workflow uploads SARIF and gates, existing files are kept. */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_CONFIG, loadConfig } from '../src/config';
import { workflowTemplate } from '../src/init';
import { runCli, ROOT } from './support/run-cli';

function tempRepo(): string {
  return path.join(mkdtempSync(path.join(os.tmpdir(), 'apiposture-init-')), 'shop');
}

test('init writes a config the loader accepts and a workflow that scans once, uploads and gates', async () => {
  const dir = tempRepo();
  const { code, stdout } = await runCli(['init', dir]);
  expect(code).toBe(0);
  expect(stdout).toBe(`wrote ${dir}/.apiposture.toml\nwrote ${dir}/.github/workflows/apiposture.yml\n`);
  const config = await loadConfig({ root: dir, configDirs: [dir] });
  expect({ ...config, file: undefined }).toEqual({ ...DEFAULT_CONFIG, file: undefined });
  const workflow = readFileSync(path.join(dir, '.github/workflows/apiposture.yml'), 'utf8');
  expect(workflow).not.toContain('\t');
  for (const line of [
    '  security-events: write # upload-sarif',
    '          node-version: 20',
    '        run: npm install -g github:apiposture/apiposture',
    '          apiposture scan . --output sarif=apiposture.sarif --output markdown="$GITHUB_STEP_SUMMARY" --category shop --fail-on warning "${baseline[@]}"',
    "        if: always() && hashFiles('apiposture.sarif') != ''",
    '        uses: github/codeql-action/upload-sarif@v3',
    '          sarif_file: apiposture.sarif',
    '          if [ -f .apiposture-baseline.json ]; then baseline=(--baseline .apiposture-baseline.json); fi',
  ]) expect(workflow.split('\n')).toContain(line);
  // YAML-ish: every line is blank, a comment, or indented by an even number of spaces.
  for (const line of workflow.split('\n')) expect(line).toMatch(/^(|(  )*\S.*)$/);
});

test('a second init refuses and keeps the files; --force overwrites', async () => {
  const dir = tempRepo();
  await runCli(['init', dir]);
  writeFileSync(path.join(dir, '.apiposture.toml'), 'exclude = ["mine"]\n');
  const again = await runCli(['init', dir]);
  expect(again.code).toBe(2);
  expect(again.stderr).toContain('.apiposture.toml, .github/workflows/apiposture.yml already exist');
  expect(readFileSync(path.join(dir, '.apiposture.toml'), 'utf8')).toBe('exclude = ["mine"]\n');
  expect((await runCli(['init', dir, '--force'])).code).toBe(0);
  expect(readFileSync(path.join(dir, '.apiposture.toml'), 'utf8')).toContain('[policy]');
});

test('the README\'s "Use in CI" workflow is the one init writes', () => {
  const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const block = /<!-- workflow:begin -->\n```yaml\n([\s\S]*?)```\n<!-- workflow:end -->/.exec(readme);
  expect(block?.[1]).toBe(workflowTemplate('my-app'));
});
