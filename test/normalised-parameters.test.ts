/**
 * A helper that normalises its parameter before building paths (AWX's `get_urlpatterns(prefix=None)`: `if not
 * prefix: prefix = '/' else: prefix = f'/{prefix}/'`), called with nothing or with a prefix: the assignment opening
 * the arm the call takes is what the paths read. The real Django 3.2 serves `/api/` for the first project and
 * `/api/v1/` for the second.
 */
import { scanFiles } from './support/project';

const urls = (call: string, arm = "prefix = '/'"): string =>
  [
    'from django.urls import path',
    '',
    'def v(request):',
    '    return None',
    '',
    'def get_urlpatterns(prefix=None):',
    '    if not prefix:',
    `        ${arm}`,
    '    else:',
    "        prefix = f'/{prefix}/'",
    '    return [path(f"api{prefix}", v)]',
    '',
    `urlpatterns = ${call}`,
    '',
  ].join('\n');

const pathsOf = async (urlconf: string): Promise<string[]> => {
  const { routes } = await scanFiles({
    'manage.py': 'import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "proj.settings")\n',
    'proj/__init__.py': '',
    'proj/settings.py': 'ROOT_URLCONF = "proj.urls"\n',
    'proj/urls.py': urlconf,
  });
  return routes.map((r) => r.path);
};

test('a parameter the helper normalises in the arm the call takes', async () => {
  expect(await pathsOf(urls('get_urlpatterns()'))).toEqual(['/api/']);
  expect(await pathsOf(urls('get_urlpatterns("v1")'))).toEqual(['/api/v1/']);
});

test('an assignment in a loop of the arm may not run: the parameter as passed stays possible', async () => {
  expect(await pathsOf(urls('get_urlpatterns()', 'for prefix in ("/",):\n            pass'))).toEqual(['/api{?}']);
});
