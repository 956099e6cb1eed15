/** Declared package versions: reading dependency files and deciding which side of a version boundary they allow. */
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readPackageSpecs, versionSide, type VersionSpec } from '../src/manifests';
import { scan } from '../src/scan';

const spec = (text: string): VersionSpec => ({ spec: text, file: 'requirements.txt', line: 1 });

test.each([
  ['==0.92.0', 'below'],
  ['==0.140.1', 'at-or-above'],
  ['==0.137.0', 'at-or-above'],
  ['>=0.100', 'unknown'],
  ['>=0.100,<0.110', 'below'],
  ['<0.137', 'below'],
  ['<=0.137.0', 'unknown'],
  ['^0.95', 'below'],
  ['~=0.136.0', 'below'],
  ['==0.136.*', 'below'],
  ['>=0.137', 'at-or-above'],
  ['>0.140,<1', 'at-or-above'],
])('FastAPI %s is %s 0.137', (text, side) => {
  expect(versionSide([spec(text)], '0.137.0')).toBe(side);
});

test('nothing declared, or files that disagree, say unknown', () => {
  expect(versionSide(undefined, '0.137.0')).toBe('unknown');
  expect(versionSide([spec('==0.92.0'), spec('==0.140.0')], '0.137.0')).toBe('unknown');
  expect(versionSide([spec('==0.92.0'), spec('>=0.90,<0.100')], '0.137.0')).toBe('below');
});

test('a lock pins what a range beside it allows; another folder with only the range leaves it open', () => {
  const at = (text: string, file: string): VersionSpec => ({ spec: text, file, line: 1 });
  const backend = [at('>=0.136.1,<0.142', 'backend/pyproject.toml'), at('==0.136.3', 'backend/uv.lock')];
  expect(versionSide(backend, '0.137.0')).toBe('below');
  expect(versionSide([...backend, at('>=0.130', 'worker/requirements.txt')], '0.137.0')).toBe('unknown');
  expect(versionSide([...backend, at('==0.140.0', 'backend/requirements.txt')], '0.137.0')).toBe('unknown');
});

test('requirements, PEP 621, Poetry and lock files are read', async () => {
  const root = mkdtempSync(path.join(tmpdir(), 'apiposture-manifests-'));
  mkdirSync(path.join(root, 'backend'));
  writeFileSync(path.join(root, 'requirements.txt'), '# pinned\nfastapi[all]==0.95.2  # web\nslowapi>=0.1.8\n');
  writeFileSync(path.join(root, 'pyproject.toml'), '[project]\nname = "demo"\ndependencies = [\n  "starlette>=0.27,<0.30",\n]\n[tool.poetry.dependencies]\nflask = {version = "^2.2", extras = ["async"]}\n[project.optional-dependencies]\nauth = ["django-allauth[socialaccount]==0.51.0", \'redis>=4\']\n');
  writeFileSync(path.join(root, 'backend', 'poetry.lock'), '[[package]]\nname = "limits"\nversion = "3.6.0"\n');
  const specs = await readPackageSpecs(root);
  expect(specs.get('fastapi')).toEqual([{ spec: '==0.95.2', file: 'requirements.txt', line: 2 }]);
  expect(specs.get('slowapi')?.[0].spec).toBe('>=0.1.8');
  expect(specs.get('starlette')?.[0].spec).toBe('>=0.27,<0.30');
  expect(specs.get('flask')?.[0].spec).toBe('^2.2');
  expect(specs.get('django-allauth')?.[0].spec).toBe('==0.51.0');
  expect(specs.get('redis')?.[0].spec).toBe('>=4');
  expect(specs.get('limits')).toEqual([{ spec: '==3.6.0', file: 'backend/poetry.lock', line: 3 }]);
});

test('a Django project below the repository manifest reads its pins whichever folder is scanned', async () => {
  const repo = mkdtempSync(path.join(tmpdir(), 'apiposture-outer-'));
  mkdirSync(path.join(repo, 'proj'));
  writeFileSync(path.join(repo, 'pyproject.toml'), '[project]\nname = "site"\ndependencies = ["django-allauth==0.45.0"]\n');
  writeFileSync(path.join(repo, 'proj', 'manage.py'), 'import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "settings")\n');
  writeFileSync(path.join(repo, 'proj', 'settings.py'), 'ROOT_URLCONF = "urls"\nINSTALLED_APPS = ["allauth", "allauth.account"]\n');
  writeFileSync(path.join(repo, 'proj', 'urls.py'), 'from django.urls import include, path\n\nurlpatterns = [path("accounts/", include("allauth.urls"))]\n');
  for (const target of [repo, path.join(repo, 'proj')]) {
    const { routes } = await scan({ paths: [target] });
    expect(routes.some((r) => r.path === '/accounts/login/')).toBe(true);
    expect(routes.some((r) => r.path === '/accounts/reauthenticate/')).toBe(false); // from allauth 0.58 only
  }
  // A requirements file there counts the same way.
  writeFileSync(path.join(repo, 'pyproject.toml'), '[project]\nname = "site"\n');
  writeFileSync(path.join(repo, 'requirements-prod.txt'), 'django-allauth==0.45.0\n');
  const { routes } = await scan({ paths: [path.join(repo, 'proj')] });
  expect(routes.some((r) => r.path === '/accounts/reauthenticate/')).toBe(false);
});
