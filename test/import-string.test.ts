/** `import_string("dotted.path")` (Django's, Werkzeug's) with a static path is what importing that path gives. */
import { extractFacts } from '../src/python/facts';
import { pythonParser } from '../src/parse';
import { analyzeModules } from '../src/scan';

const facts = (source: string, file: string) => extractFacts(pythonParser().parse(source).rootNode, file);

test("a library class and a project function named by their dotted paths", () => {
  const main = `from fastapi import FastAPI
from werkzeug.utils import import_string

Router = import_string("fastapi.APIRouter")
router = Router(prefix="/reports")
router.add_api_route("/daily", import_string("views.daily"))

app = FastAPI()
app.include_router(router)
`;
  const views = `def daily():
    return []
`;
  const routes = analyzeModules([facts(main, 'main.py'), facts(views, 'views.py')]);
  expect(routes.map((r) => [r.path, r.handler])).toEqual([['/reports/daily', 'views.daily']]);
});
