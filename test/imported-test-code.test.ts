import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { scan } from '../src/scan';

/**
 * Test code is not scanned, unless the project's own code imports it: a package named `test` that holds part of
 * the app (DefectDojo's Test model), not a test module that only shares a name with what the app imports (`time`).
 */
test('test code the app imports is scanned, other test code is not', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tests-'));
  const w = (file: string, text: string): void => {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), text);
  };
  w('pyproject.toml', '');
  w('app/__init__.py', '');
  w('app/main.py', 'import time\n\nfrom fastapi import FastAPI\n\nfrom app.test.api import router\n\napp = FastAPI()\napp.include_router(router, prefix="/tests")\n');
  w('app/test/__init__.py', '');
  w('app/test/api.py', 'from fastapi import APIRouter\n\nrouter = APIRouter()\n\n\n@router.get("/{test_id}")\ndef read_test(test_id: int):\n    return {}\n');
  w('tests/__init__.py', '');
  w('tests/time.py', 'from fastapi import FastAPI\n\nclock = FastAPI()\n\n\n@clock.get("/clock")\ndef clock_view():\n    return {}\n');
  w('tests/conftest.py', 'from fastapi import FastAPI\n\nfrom app.main import app\n\ntest_app = FastAPI()\ntest_app.mount("/again", app)\n');
  const result = await scan({ paths: [dir] });
  expect(result.routes.map((r) => r.path)).toEqual(['/tests/{test_id}']);
});
