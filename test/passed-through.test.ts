import { scanFiles } from './support/project';

/**
 * A router threaded through helpers that register on it and hand it back (`v2 = add_a_urls(v2)`, DefectDojo's
 * API v2 through 17 of them): each helper's result is the router it was given, however long the chain.
 */
test('a value handed back by helper after helper is the one first bound', async () => {
  const links = Array.from({ length: 12 }, (_, i) => (i % 2 ? 'v2 = add_b_urls(v2)' : 'v2 = add_a_urls(v2)'));
  const result = await scanFiles({
    'manage.py': 'import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "proj.settings")\n',
    'proj/__init__.py': '',
    'proj/settings.py': 'ROOT_URLCONF = "proj.urls"\nINSTALLED_APPS = ["rest_framework", "app"]\n',
    'app/__init__.py': '',
    'app/views.py': 'from rest_framework import viewsets\n\n\nclass AViewSet(viewsets.ReadOnlyModelViewSet):\n    pass\n\n\nclass BViewSet(viewsets.ReadOnlyModelViewSet):\n    pass\n',
    'app/urls.py': `from app.views import AViewSet, BViewSet


def add_a_urls(router):
    router.register("a", AViewSet, basename="a")
    return router


def add_b_urls(router):
    router.register("b", BViewSet, basename="b")
    return router
`,
    'proj/urls.py': ['from django.urls import include, path', 'from rest_framework.routers import SimpleRouter', 'from app.urls import add_a_urls, add_b_urls', 'v2 = SimpleRouter()', ...links, 'urlpatterns = [path("api/", include(v2.urls))]', ''].join('\n'),
  });
  expect(result.routes.map((r) => r.path).sort()).toEqual(['/api/a/', '/api/a/(?P<pk>[^/.]+)/', '/api/b/', '/api/b/(?P<pk>[^/.]+)/'].sort());
  expect(result.unresolvedRegistrations).toEqual([]);
});

/**
 * A router class's own `add_api_route` calling the framework's (`super().add_api_route(...)`) is how FastAPI
 * registers every route declared on its routers: a registration of its own only when it changes the path.
 */
test('an override of a router method that passes the path on is no registration site; one that changes it is listed', async () => {
  const router = (name: string, path: string): string =>
    `class ${name}(APIRouter):\n    def add_api_route(self, path, endpoint, **kwargs):\n        kwargs.setdefault("response_model", None)\n        return super(${name}, self).add_api_route(${path}, endpoint, **kwargs)\n\n`;
  const result = await scanFiles({
    'main.py': `from fastapi import APIRouter, FastAPI\n\n${router('Timed', 'path')}${router('Versioned', '"/v2" + path')}timed = Timed()\nversioned = Versioned()\n\n@timed.get("/items")\ndef items():\n    return []\n\n@versioned.post("/orders")\ndef orders():\n    return {}\n\napp = FastAPI()\napp.include_router(timed)\napp.include_router(versioned)\n`,
  });
  expect(result.routes.map((r) => `${r.methods.join(',')} ${r.path}`).sort()).toEqual(['GET /items', 'POST /orders']);
  expect(result.unresolvedRegistrations.map((r) => `${r.line} ${r.call}: ${r.reason}`)).toEqual([
    "11 super(…).add_api_route: an override of the framework's method that may register another path than it is given (it changes the path, or calls its object's own methods): routes declared on this class's objects are reported with the paths as declared",
  ]);
  // indico's blueprint setup state drops its prefix around the call (`with self._unprefixed():`) for some rules.
  const unprefixed = await scanFiles({
    'app.py': 'from flask.blueprints import BlueprintSetupState\n\n\nclass State(BlueprintSetupState):\n    def add_url_rule(self, rule, endpoint=None, view_func=None, **options):\n        with self._unprefixed():\n            super().add_url_rule(rule, endpoint, view_func, **options)\n',
  });
  expect(unprefixed.unresolvedRegistrations.map((r) => `${r.line} ${r.call}`)).toEqual(['7 super(…).add_url_rule']);
});

test('a helper called under the name it is imported as gets that call’s arguments', async () => {
  const result = await scanFiles({
    'routes.py': 'def register_routes(target):\n    target.add_url_rule("/ping", view_func=ping)\n\n\ndef ping():\n    return ""\n',
    'app.py': 'from flask import Flask\nfrom routes import register_routes as add_ping\n\napp = Flask(__name__)\nadd_ping(app)\n',
  });
  expect(result.routes.map((r) => `${r.path} ${r.file}:${r.line}`)).toEqual(['/ping routes.py:2']);
  expect(result.unresolvedRegistrations).toEqual([]);
});
