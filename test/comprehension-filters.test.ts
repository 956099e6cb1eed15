/**
 * A comprehension's `if`s (`[m for m in names if m != "post"]`) drop the items they rule out by the item alone, and keep
 * the others: an item whose test reads a setting or the environment may be in the list. The real Django 3.2 serves `/a/` and `/b/` for the
 * first project below and answers the second's view on GET, PUT and OPTIONS only (405 to POST).
 *
 * A view class whose own `as_view` builds the view without Django's (pretalx's CRUD views set each method's handler
 * on the instance from a table) answers methods its class does not show: every method is listed, with why.
 */
import { scanFiles } from './support/project';

const PROJECT = {
  'manage.py': 'import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "proj.settings")\n',
  'proj/__init__.py': '',
  'proj/settings.py': 'ROOT_URLCONF = "proj.urls"\n',
};

const ANY = 'DELETE,GET,HEAD,OPTIONS,PATCH,POST,PUT,TRACE';

const routesOf = async (urls: string, views = ''): Promise<string[]> => {
  const { routes } = await scanFiles({ ...PROJECT, 'proj/views.py': views, 'proj/urls.py': urls });
  return routes.map((r) => `${r.methods.join(',')} ${r.path}${r.unresolved.length ? ` (${r.unresolved.join('; ')})` : ''}`);
};

test('patterns a comprehension filters: decided items dropped, undecided ones kept', async () => {
  const urls = (test: string): string =>
    `from django.urls import path\nimport os\n\ndef v(request):\n    return None\n\nurlpatterns = [path(f"{n}/", v) for n in ["a", "b", "debug"] if ${test}]\n`;
  expect(await routesOf(urls('n != "debug"'))).toEqual([`${ANY} /a/`, `${ANY} /b/`]);
  expect(await routesOf(urls('n not in ("b", "debug") and n'))).toEqual([`${ANY} /a/`]);
  // Which names the environment enables is not known, nor whether the deployment debugs: each may be served.
  const all = [`${ANY} /a/`, `${ANY} /b/`, `${ANY} /debug/`];
  expect(await routesOf(urls('n in os.environ.get("ENABLED", "")'))).toEqual(all);
  expect(await routesOf(urls('n != "debug" or os.environ.get("DEBUG") == "1"'))).toEqual(all);
});

test('http_method_names a comprehension filters', async () => {
  const views = [
    'from django.views import View',
    '',
    'class Items(View):',
    '    http_method_names = [m for m in ["get", "post", "put", "options"] if m != "post"]',
    '',
    '    def get(self, request):',
    '        return None',
    '',
    '    def post(self, request):',
    '        return None',
    '',
    '    def put(self, request):',
    '        return None',
    '',
  ].join('\n');
  expect(await routesOf('from django.urls import path\nfrom proj.views import Items\n\nurlpatterns = [path("items/", Items.as_view())]\n', views)).toEqual(['GET,OPTIONS,PUT /items/']);
});

test('a view class with an as_view of its own: every method listed, unless it builds the view through Django\'s', async () => {
  const views = (asView: string): string =>
    [
      'from django.views import View',
      '',
      'class Crud(View):',
      '    @classmethod',
      '    def as_view(cls, action, **initkwargs):',
      `        ${asView}`,
      '',
      '    def post(self, request):',
      '        return None',
      '',
    ].join('\n');
  const urls = 'from django.urls import path\nfrom proj.views import Crud\n\nurlpatterns = [path("crud/", Crud.as_view(action="list"))]\n';
  const own = 'def view(request, *args, **kwargs):\n            self = cls()\n            setattr(self, "get", self.post)\n            return self.dispatch(request, *args, **kwargs)\n        return view';
  expect(await routesOf(urls, views(own))).toEqual([`${ANY} /crud/ (\`Crud.as_view\` builds the view itself, not through Django's \`as_view\`: every method is listed)`]);
  expect(await routesOf(urls, views('return super().as_view(**initkwargs)'))).toEqual(['OPTIONS,POST /crud/']);
});
