/** Deployment files tell how many processes serve the app (AP006 multiplies per-process limits by it). */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readDeployment, readDeploymentFiles } from '../src/deployment';
import { hash } from '../src/cache';
import { parseFile } from '../src/parse';
import { Project } from '../src/python/project';
import type { ModuleFacts } from '../src/python/ir';

async function deploymentOf(files: Record<string, string>): Promise<{ processes: number; where?: string }> {
  const root = mkdtempSync(path.join(os.tmpdir(), 'apiposture-deploy-'));
  const modules: ModuleFacts[] = [];
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
    writeFileSync(path.join(root, name), text);
    if (name.endsWith('.py')) {
      const parsed = await parseFile(root, name, 1e6);
      if (parsed.ok) modules.push(parsed.facts);
    }
  }
  const found = readDeployment(await readDeploymentFiles(root), new Project(modules));
  return { processes: found.processes, where: found.evidence && `${found.evidence.file}:${found.evidence.line} ${found.evidence.message}` };
}

test.each([
  [{ 'gunicorn.conf.py': 'bind = "0.0.0.0:8000"\n\nworkers = 4\n' }, 4, 'gunicorn.conf.py:3 4 gunicorn workers'],
  [{ 'gunicorn.conf.py': 'import multiprocessing\nworkers = multiprocessing.cpu_count() * 2 + 1\n' }, 2, 'gunicorn.conf.py:2 several (cpu_count) gunicorn workers'],
  [{ Procfile: 'web: gunicorn shop.wsgi --workers 3 --bind 0.0.0.0:$PORT\n' }, 3, 'Procfile:1 3 worker processes'],
  [{ 'deploy/Dockerfile': 'FROM python:3.12\nCMD ["uvicorn", "main:app"]\nENV WEB_CONCURRENCY=5\n' }, 5, 'deploy/Dockerfile:3 5 WEB_CONCURRENCY workers'],
  [{ 'docker-compose.yml': 'services:\n  web:\n    deploy:\n      replicas: 6\n' }, 6, 'docker-compose.yml:4 6 replicas'],
  [{ 'main.py': 'import uvicorn\nfrom fastapi import FastAPI\napp = FastAPI()\nif __name__ == "__main__":\n    uvicorn.run(app, workers=4)\n' }, 4, 'main.py:5 `uvicorn.run(workers=4)`'],
])('%j serves with %d processes', async (files, processes, where) => {
  expect(await deploymentOf(files)).toEqual({ processes, where });
});

test.each([
  [{ Procfile: 'web: gunicorn shop.wsgi --workers 1\n' }],
  [{ 'main.py': 'import uvicorn\nuvicorn.run(app)\n', 'docker-compose.yml': 'services:\n  web:\n    image: shop\n' }],
  [{ 'other.py': 'def run(app, workers):\n    pass\nrun(None, workers=8)\n' }],
])('%j is one process', async (files) => {
  expect((await deploymentOf(files)).processes).toBe(1);
});

test('deployment files are kept as their digests and what they count, not their text', async () => {
  const root = mkdtempSync(path.join(os.tmpdir(), 'apiposture-deploy-'));
  const lock = `lockfileVersion: '9.0'\n${'packages: {}\n'.repeat(1000)}`;
  writeFileSync(path.join(root, 'pnpm-lock.yaml'), lock);
  writeFileSync(path.join(root, 'Procfile'), 'web: gunicorn shop.wsgi --workers 3\n');
  const files = await readDeploymentFiles(root);
  expect(files.digests).toEqual([['Procfile', hash('web: gunicorn shop.wsgi --workers 3\n')], ['pnpm-lock.yaml', hash(lock)]]);
  expect(files.counted).toEqual({ processes: 3, evidence: { file: 'Procfile', line: 1, message: '3 worker processes' } });
  expect(JSON.stringify(files)).not.toContain('packages');
});
