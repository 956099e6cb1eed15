/**
 * `list(map(lambda u: url(r"^", include(u)), modules))` builds a list of patterns as a comprehension would (Ralph's
 * API URLconfs): each module included under the prefix. The real Django 3.2 serves `/api/a/` for this project.
 */
import { scanFiles } from './support/project';

test('URLconfs included through map(lambda ...) over a list of module names', async () => {
  const result = await scanFiles({
    'manage.py': 'import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "proj.settings")\n',
    'proj/__init__.py': '',
    'proj/settings.py': 'ROOT_URLCONF = "proj.urls"\n',
    'app/__init__.py': '',
    'app/urls.py': 'from django.urls import path\n\ndef v(request):\n    return None\n\nurlpatterns = [path("a/", v)]\n',
    'proj/urls.py': 'from django.conf.urls import include, url\n\napi_urls = list(map(lambda u: url(r"^", include(u)), [\n    "app.urls",\n]))\nurlpatterns = [url(r"^api/", include(api_urls))]\n',
  });
  expect(result.routes.map((r) => `${r.path}${r.unresolved.length ? ' (unresolved)' : ''}`)).toEqual(['/api/a/']);
});
