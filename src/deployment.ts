/**
 * How many processes serve the app, from the files that start it: gunicorn config, Procfile, Dockerfile,
 * compose and Kubernetes manifests, uWSGI ini, shell scripts, and `uvicorn.run(..., workers=N)` in Python.
 * Per-process limit storage multiplies the effective limit by this number (reference D.1).
 */
import type { Evidence } from './model';
import { readTopFiles } from './manifests';
import type { ListingStore } from './discover';
import { Project } from './python/project';
import { lineOf } from './python/ir';
import { hash } from './cache';

export interface Deployment {
  processes: number; // the largest count found; 1 when nothing says otherwise
  evidence?: Evidence; // where that count comes from
}

const DEPLOYMENT_FILES = ['gunicorn*.py', 'Procfile', 'Dockerfile*', '*.yml', '*.yaml', '*.ini', '*.sh', '*.env'];

/** Patterns whose first group is a count of processes; `cpu_count()` expressions count as several. */
const COUNT_PATTERNS: { pattern: RegExp; what: string }[] = [
  { pattern: /(?:gunicorn|uvicorn|hypercorn|granian)\b[^\n]*?(?:\s-w\s*|--workers[=\s]+)(\d+)/g, what: 'worker processes' },
  { pattern: /^\s*workers\s*=\s*(\d+|[^\n#]*cpu_count\(\))/gm, what: 'gunicorn workers' },
  { pattern: /\bWEB_CONCURRENCY["']?\s*[=:]\s*["']?(\d+)/g, what: 'WEB_CONCURRENCY workers' },
  { pattern: /^\s*(?:processes|workers)\s*=\s*(\d+)\s*$/gm, what: 'uWSGI processes' },
  { pattern: /^\s*replicas\s*:\s*(\d+)/gm, what: 'replicas' },
];

/** A machine with a handful of cores: what `cpu_count()`-based worker settings give at the least. */
const SEVERAL = 2;

/**
 * What the files that may start the app say, read as they are found so their text is not kept (a monorepo's lock
 * files are megabytes each): the largest count they give, and each file's digest, which keys a stored result.
 */
export interface DeploymentFiles {
  digests: [string, string][];
  counted: Deployment;
}

export async function readDeploymentFiles(root: string, store?: ListingStore): Promise<DeploymentFiles> {
  const files = await readTopFiles(root, DEPLOYMENT_FILES, store);
  let counted: Deployment = { processes: 1 };
  for (const [file, text] of files) {
    for (const { pattern, what } of COUNT_PATTERNS) {
      for (const m of text.matchAll(pattern)) {
        const exact = /^\d+$/.test(m[1]);
        const count = exact ? Number(m[1]) : SEVERAL;
        const start = m.index + m[0].length - m[0].trimStart().length; // `^\s*` may have consumed blank lines
        const line = text.slice(0, start).split('\n').length;
        counted = larger(counted, count, { file, line, message: `${exact ? count : 'several (cpu_count)'} ${what}` });
      }
    }
  }
  return { digests: files.map(([file, text]) => [file, hash(text)]), counted };
}

/** The most processes the deployment files or a `uvicorn.run(workers=N)` of the project say serve the app. */
export function readDeployment(files: DeploymentFiles, project: Project): Deployment {
  let best = files.counted;
  for (const mod of project.modules) {
    for (const { call, scope } of mod.calls) {
      const workers = call.kwargs.find(([name]) => name === 'workers')?.[1];
      if (workers?.k !== 'num') continue;
      const ctx = { mod, scope, line: lineOf(call.loc) - 1 };
      if (!project.resolve(call.fn, ctx).some((v) => v.kind === 'external' && (v.qname === 'uvicorn.run' || v.qname === 'hypercorn.run'))) continue;
      best = larger(best, workers.v, { file: mod.file, line: lineOf(call.loc), message: `\`uvicorn.run(workers=${workers.v})\`` });
    }
  }
  return best;
}

/** The deployment with more processes: `best`, or the count `evidence` gives when larger (the first found wins a tie). */
function larger(best: Deployment, processes: number, evidence: Evidence): Deployment {
  return processes > best.processes ? { processes, evidence } : best;
}
