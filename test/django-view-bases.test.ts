/** Django class views whose bases the scan cannot read list every method (fixtures/django checks readable ones against Django). */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { scan } from '../src/scan';
import { STANDARD_METHODS } from '../src/model';
import { requirePython, SYSTEM_PYTHON } from './support/system-python';
import { spawnSync } from 'node:child_process';

/** A scan of a Django project with these views, each served at `/<name>/` by `view(name)`. */
async function scanViews(views: string, names: string[], view = (name: string) => `views.${name}.as_view()`): ReturnType<typeof scan> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'apiposture-view-bases-'));
  try {
    mkdirSync(path.join(dir, 'site'));
    writeFileSync(path.join(dir, 'site', '__init__.py'), '');
    writeFileSync(path.join(dir, 'site', 'settings.py'), 'ROOT_URLCONF = "site.urls"\nINSTALLED_APPS = ["rest_framework"]\nREST_FRAMEWORK = {"DEFAULT_THROTTLE_CLASSES": ["rest_framework.throttling.AnonRateThrottle", "rest_framework.throttling.UserRateThrottle"], "DEFAULT_THROTTLE_RATES": {"anon": "10/minute", "user": "100/minute"}}\n');
    writeFileSync(path.join(dir, 'site', 'views.py'), views);
    const patterns = names.map((name) => `    path("${name}/", ${view(name)}),`).join('\n');
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

const INSTANCE_VIEWS = `from django.http import HttpResponse
from django.views import View
from rest_framework.response import Response
from rest_framework.views import APIView

class Plain(View):
    def get(self, request):
        return HttpResponse("hi")

class Api(APIView):
    def get(self, request):
        return Response({})
`;

/**
 * `View().as_view()`: DRF's `as_view` is a classmethod, so an instance builds its class's view; Django's is
 * class-only, so the URLconf's import raises AttributeError, which the real Django and DRF show.
 */
requirePython('django, rest_framework', 'python3-django, python3-djangorestframework')('as_view() on an instance: a DRF view as its class, a Django view raises', async () => {
  const { routes } = await scanViews(INSTANCE_VIEWS, ['Plain', 'Api'], (name) => `views.${name}().as_view()`);
  const [api, plain] = routes;
  expect([api.path, api.status, api.limits.map((l) => l.rate)]).toEqual(['/Api/', 'limited', ['10/minute', '100/minute']]);
  expect([plain.path, plain.status, plain.unresolved]).toEqual(['/Plain/', 'unknown', ["`views.Plain(…).as_view()` is called on an instance: Django's `View.as_view` is class-only, so importing this URLconf raises AttributeError"]]);
  const real = spawnSync(SYSTEM_PYTHON, ['-c', `import django
from django.conf import settings
settings.configure()
django.setup()
${INSTANCE_VIEWS}
print(callable(Api().as_view()))
try:
    Plain().as_view()
except AttributeError as error:
    print(error)`], { encoding: 'utf8' });
  expect(real.stdout.trim().split('\n')).toEqual(['True', 'This method is available only on the class, not on instances.']);
});
