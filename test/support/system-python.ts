/** Debian's system interpreter and packages, which CI installs (`.ci/run`); never a `python3` earlier on PATH. */
import { spawnSync } from 'node:child_process';

export const SYSTEM_PYTHON = '/usr/bin/python3';

/** `test` when the requirement is met; else CI fails and a local run skips the suite, loudly. */
export function requireSystem(met: boolean, message: string): typeof test {
  if (met) return test;
  if (process.env.CI) throw new Error(message);
  process.stderr.write(`skipping: ${message}\n`);
  return test.skip;
}

export function pythonHas(modules: string): boolean {
  return spawnSync(SYSTEM_PYTHON, ['-c', `import ${modules}`], { encoding: 'utf8' }).status === 0;
}

export function requirePython(modules: string, packages: string): typeof test {
  return requireSystem(pythonHas(modules), `these tests need ${SYSTEM_PYTHON} with ${packages} (apt-get install them)`);
}
