/** drf-extensions' nested registrations that cannot be read are listed, never dropped (fixtures/django/nested has the readable ones). */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { scan } from '../src/scan';

/** A scan of a Django project whose URLconf is `urls`. */
async function scanUrls(urls: string): ReturnType<typeof scan> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'apiposture-nested-'));
  try {
    mkdirSync(path.join(dir, 'site'));
    writeFileSync(path.join(dir, 'site', '__init__.py'), '');
    writeFileSync(path.join(dir, 'site', 'settings.py'), 'ROOT_URLCONF = "site.urls"\nINSTALLED_APPS = ["rest_framework"]\n');
    writeFileSync(path.join(dir, 'site', 'views.py'), 'from rest_framework import viewsets\n\nclass Items(viewsets.ModelViewSet):\n    pass\n');
    writeFileSync(path.join(dir, 'site', 'urls.py'), urls);
    return await scan({ paths: [dir] });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('a nested registration on a router the scan cannot read is an unresolved registration', async () => {
  const result = await scanUrls(`from rest_framework.routers import DefaultRouter
from vendored.routers import NestedRouterMixin
from site.views import Items

class Router(NestedRouterMixin, DefaultRouter):
    pass

router = Router()
items = router.register("items", Items)
items.register("parts", Items, basename="parts", parents_query_lookups=["item"])
urlpatterns = router.urls
`);
  expect(result.routes.some((r) => r.path === '/items/')).toBe(true);
  expect(result.unresolvedRegistrations).toMatchObject([{ file: 'site/urls.py', line: 10, call: 'items.register' }]);
});

test('a nested prefix whose lookups are not static is kept, marked unresolved', async () => {
  const result = await scanUrls(`from rest_framework_extensions.routers import ExtendedSimpleRouter
from site.views import Items
from site import lookups

router = ExtendedSimpleRouter()
items = router.register("items", Items)
items.register("parts", Items, basename="parts", parents_query_lookups=lookups.compute())
urlpatterns = router.urls
`);
  const parts = result.routes.filter((r) => r.line === 7);
  expect(parts.map((r) => r.path)).toEqual(['/{?}/', '/{?}/(?P<pk>[^/.]+)/']);
  expect(parts[0].unresolved).toEqual(['nested router prefix (site/urls.py:7): a prefix or `parents_query_lookups` is not static']);
});
