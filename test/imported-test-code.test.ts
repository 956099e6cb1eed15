import { scanFiles } from './support/project';

/**
 * Test code is not scanned, unless the project's own code imports it: a package named `test` that holds part of
 * the app (DefectDojo's Test model), not a test module that only shares a name with what the app imports (`time`).
 */
test('test code the app imports is scanned, other test code is not', async () => {
  const result = await scanFiles({
    'pyproject.toml': '',
    'app/__init__.py': '',
    'app/main.py': 'import time\n\nfrom fastapi import FastAPI\n\nfrom app.test.api import router\n\napp = FastAPI()\napp.include_router(router, prefix="/tests")\n',
    'app/test/__init__.py': '',
    'app/test/api.py': 'from fastapi import APIRouter\n\nrouter = APIRouter()\n\n\n@router.get("/{test_id}")\ndef read_test(test_id: int):\n    return {}\n',
    'tests/__init__.py': '',
    'tests/time.py': 'from fastapi import FastAPI\n\nclock = FastAPI()\n\n\n@clock.get("/clock")\ndef clock_view():\n    return {}\n',
    'tests/conftest.py': 'from fastapi import FastAPI\n\nfrom app.main import app\n\ntest_app = FastAPI()\ntest_app.mount("/again", app)\n',
  });
  expect(result.routes.map((r) => r.path)).toEqual(['/tests/{test_id}']);
});
