/**
 * Schema views libraries build: DRF's own `get_schema_view` is checked against DRF in fixtures/django/newsroom;
 * drf-yasg is not in Debian, so its views are as its source has them (drf_yasg/views.py at f3d7416:
 * `get_schema_view` returns `class SchemaView(APIView)` with `get`, and `with_ui`, `without_ui` and
 * `as_cached_view` return `cls.as_view(...)`, cached): an APIView answering GET, under DRF's default throttles.
 */
import { scanFiles } from './support/project';

test("drf-yasg's schema views are DRF views answering GET, under the project's default throttles", async () => {
  const throttles = '"DEFAULT_THROTTLE_CLASSES": ["rest_framework.throttling.AnonRateThrottle", "rest_framework.throttling.UserRateThrottle"]';
  const { routes } = await scanFiles({
    'site/__init__.py': '',
    'site/settings.py': `ROOT_URLCONF = "site.urls"\nREST_FRAMEWORK = {${throttles}, "DEFAULT_THROTTLE_RATES": {"anon": "10/minute", "user": "60/minute"}}\n`,
    'site/urls.py': `from django.urls import path, re_path
from drf_yasg import openapi
from drf_yasg.views import get_schema_view

schema_view = get_schema_view(openapi.Info(title="API", default_version="v1"), public=True)

urlpatterns = [
    re_path(r"^swagger(?P<format>\\.json|\\.yaml)$", schema_view.without_ui(cache_timeout=0)),
    path("swagger/", schema_view.with_ui("swagger", cache_timeout=0)),
    path("redoc/", schema_view.as_cached_view(cache_timeout=60, throttle_classes=[])),
]
`,
  });
  expect(routes.map((r) => [r.path, r.methods.join(','), r.status, r.limits.map((l) => l.rate).join(',')])).toEqual([
    ['/redoc/', 'GET,HEAD,OPTIONS', 'unlimited', ''],
    ['/swagger(?P<format>\\.json|\\.yaml)', 'GET,HEAD,OPTIONS', 'limited', '10/minute,60/minute'],
    ['/swagger/', 'GET,HEAD,OPTIONS', 'limited', '10/minute,60/minute'],
  ]);
});
