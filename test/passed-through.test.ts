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
