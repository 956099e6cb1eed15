/**
 * django-ninja forms fixtures/django/ninjaapi cannot show, as its probe runs ninja 0.22 (the last on Debian's
 * pydantic 1): a router named by its dotted path, which ninja imports from 1.0 on (`import_string(router)` in
 * `NinjaAPI.add_router`), and a prefix that is not a static string.
 */
import { scanFiles } from './support/project';

const SETTINGS = 'SECRET_KEY = "x"\nROOT_URLCONF = "site_urls"\nINSTALLED_APPS = ["events"]\n';

test('a router named by its dotted path, and one under a prefix the scan cannot read', async () => {
  const result = await scanFiles({
    'settings.py': SETTINGS,
    'manage.py': 'import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "settings")\n',
    'site_urls.py': ['from django.urls import path', 'from events.api import api', 'urlpatterns = [path("api/", api.urls)]', ''].join('\n'),
    'events/__init__.py': '',
    'events/routes.py': ['from ninja import Router', 'router = Router()', '@router.get("/{event_id}")', 'def event(request, event_id: int):', '    return {}', ''].join('\n'),
    'events/api.py': [
      'import os',
      'from ninja import NinjaAPI, Router',
      'api = NinjaAPI(docs_url=None, openapi_url=None)',
      'api.add_router("/events/", "events.routes.router")',
      'tenants = Router()',
      '@tenants.get("/list")',
      'def tenant_list(request):',
      '    return []',
      'api.add_router(os.environ["TENANTS_PREFIX"], tenants)',
      '',
    ].join('\n'),
  });
  expect(result.routes.map((r) => [r.methods.join(), r.path, r.handler, r.unresolved.length > 0])).toEqual([
    ['DELETE,GET,HEAD,OPTIONS,PATCH,POST,PUT,TRACE', '/api/', 'ninja.openapi.views.default_home', false],
    ['GET', '/api/events/<event_id>', 'events.routes.event', false],
    ['GET', '/api/{?}/list', 'events.api.tenant_list', true],
  ]);
});
