/** Runs the CLI in-process with captured streams, or as a real process through bin/apiposture. */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { main } from '../../src/cli/main';

export const ROOT = path.join(__dirname, '..', '..');

export async function runCli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(['node', 'apiposture', ...args], {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    env,
    stdoutIsTTY: false,
    stderrIsTTY: false,
  });
  return { code, stdout, stderr };
}

/** A run that hangs is killed after 30 s (code -1): the test fails instead of stalling the suite. */
export function spawnCli(args: string[], cwd = ROOT): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'apiposture'), ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, timeout: 30_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
