/** Debian's packages are required in CI (`.ci/run` installs them); elsewhere their absence skips a suite, loudly. */
import { spawnSync } from 'node:child_process';

export const SYSTEM_PYTHON = '/usr/bin/python3';

export function requireOrSkip(available: boolean, message: string): typeof test {
  if (available) return test;
  if (process.env.CI) throw new Error(message);
  process.stderr.write(`skipping: ${message}\n`);
  return test.skip;
}

/** Debian's system interpreter with these modules, never a `python3` earlier on PATH. */
export function requirePython(modules: string, packages: string): typeof test {
  const available = spawnSync(SYSTEM_PYTHON, ['-c', `import ${modules}`], { encoding: 'utf8' }).status === 0;
  return requireOrSkip(available, `this suite needs ${SYSTEM_PYTHON} with ${packages} (apt-get install them)`);
}
