/**
 * Installable like a real tool: `npm pack` gives a tarball that installs globally (into a scratch prefix) and
 * runs. Installing fetches the dependencies from the npm registry, or from npm's cache after `npm ci`.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT } from './support/run-cli';

jest.setTimeout(240_000);

test('the packed tarball installs with npm install -g and scans', () => {
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'apiposture-pack-'));
  try {
    const npm = (args: string[], cwd = ROOT) => execFileSync('npm', [...args, '--no-audit', '--no-fund', '--loglevel=error'], { cwd, encoding: 'utf8', stdio: 'pipe' });
    npm(['pack', '--pack-destination', scratch, '--ignore-scripts']);
    const tarball = readdirSync(scratch).find((f) => f.endsWith('.tgz'))!;
    const listed = npm(['pack', '--dry-run', '--json', '--ignore-scripts']);
    const files = (JSON.parse(listed) as { files: { path: string }[] }[])[0].files.map((f) => f.path);
    expect(files).toEqual(expect.arrayContaining(['LICENSE', 'README.md', 'bin/apiposture', 'dist/src/cli/main.js', 'dist/package.json']));
    expect(files.some((f) => f.startsWith('dist/test') || f.startsWith('dist/bench') || f.startsWith('src/'))).toBe(false);
    const prefix = path.join(scratch, 'prefix');
    npm(['install', '-g', '--prefix', prefix, '--prefer-offline', path.join(scratch, tarball)], scratch);
    const bin = path.join(prefix, 'bin', 'apiposture');
    expect(spawnSync(bin, ['--version'], { encoding: 'utf8' }).stdout.trim()).toBe(require('../package.json').version);
    const scanned = spawnSync(bin, ['routes', path.join(ROOT, 'fixtures', 'flask', 'shop'), '-f', 'json', '--no-cache'], { encoding: 'utf8' });
    expect(scanned.status).toBe(0);
    expect(JSON.parse(scanned.stdout).routes.length).toBeGreaterThan(0);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
});
