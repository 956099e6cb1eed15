/** Django class views whose bases the scan cannot read list every method (fixtures/django checks readable ones against Django). */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { scan } from '../src/scan';
import { STANDARD_METHODS } from '../src/model';

/** A scan of a Django project with these views, each served at `/<name>/`. */
async function scanViews(views: string, names: string[]): ReturnType<typeof scan> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'apiposture-view-bases-'));
  try {
    mkdirSync(path.join(dir, 'site'));
    writeFileSync(path.join(dir, 'site', '__init__.py'), '');
    writeFileSync(path.join(dir, 'site', 'settings.py'), 'ROOT_URLCONF = "site.urls"\nINSTALLED_APPS = ["rest_framework"]\nREST_FRAMEWORK = {"DEFAULT_THROTTLE_CLASSES": ["rest_framework.throttling.AnonRateThrottle"], "DEFAULT_THROTTLE_RATES": {"anon": "10/minute"}}\n');
    writeFileSync(path.join(dir, 'site', 'views.py'), views);
    const patterns = names.map((name) => `    path("${name}/", views.${name}.as_view()),`).join('\n');
    writeFileSync(path.join(dir, 'site', 'urls.py'), `from django.urls import path\nfrom site import views\n\nurlpatterns = [\n${patterns}\n]\n`);
    return await scan({ paths: [dir] });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test.each([
  [
    'a view on a base from an unknown package',
    `from graphene_django.views import GraphQLView

class Graph(GraphQLView):
    def dispatch(self, request, *args, **kwargs):
        response = super().dispatch(request, *args, **kwargs)
        response["Cache-Control"] = "no-store"
        return response
`,
    'Graph',
    'view base `graphene_django.views.GraphQLView` is not a class apiposture knows: every method is listed',
  ],
  [
    'a class that derives from no view the scan can read',
    `from somewhere import make_base

class Report(make_base()):
    def get(self, request):
        return None
`,
    'Report',
    '`Report` does not derive from a Django view class found statically: every method is listed',
  ],
])('%s lists every method, its throttling unknown', async (_what, views, name, why) => {
  const [route] = (await scanViews(views, [name])).routes;
  expect(route.methods).toEqual([...STANDARD_METHODS].sort());
  expect(route.status).toBe('unknown');
  expect(route.unresolved).toEqual([why]);
});
