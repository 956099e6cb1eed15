/** A setting the code computes at run time leaves the routes it decides `unknown`, naming what is computed. */
import { scanFiles } from './support/project';

test('a DRF rate read through a config object is unknown, naming the entry and what it is written as', async () => {
  const { routes } = await scanFiles({
    'site/__init__.py': '',
    'site/config.py': 'import os\n\n\nclass Config(dict):\n    def __getattr__(self, item):\n        return self.get(item) or os.environ.get(item)\n\n\nCONFIG = Config()\n',
    'site/settings.py': `from site.config import CONFIG

ROOT_URLCONF = "site.urls"
REST_FRAMEWORK = {
    "DEFAULT_THROTTLE_CLASSES": ["rest_framework.throttling.AnonRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"anon": CONFIG.THROTTLE_RATES_ANON},
}
`,
    'site/urls.py': `from django.urls import path
from rest_framework.views import APIView


class Ping(APIView):
    def get(self, request):
        return None


urlpatterns = [path("ping/", Ping.as_view())]
`,
  });
  expect(routes.map((r) => [r.path, r.status, r.evidence.map((e) => `${e.file}:${e.line} ${e.message}`)])).toEqual([
    ['/ping/', 'unknown', ['site/settings.py:6 entry `anon` (`CONFIG.THROTTLE_RATES_ANON`) is computed at run time']],
  ]);
});

test("a path built from `__file__` is a text inside the project only: the checkout's own folder name is not known", async () => {
  const { routes } = await scanFiles({
    'manage.py': 'import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "shop.settings.base")\n',
    'shop/__init__.py': '',
    'shop/settings/__init__.py': '',
    'shop/settings/base.py': `from os.path import abspath, basename, dirname

DJANGO_ROOT = dirname(dirname(abspath(__file__)))
SITE_NAME = basename(DJANGO_ROOT)
CHECKOUT_NAME = basename(dirname(DJANGO_ROOT))
ROOT_URLCONF = "%s.urls" % SITE_NAME
PREFIX = "%s/" % CHECKOUT_NAME
`,
    'shop/urls.py': `from django.conf import settings
from django.urls import include, path


def ping(request):
    return None


urlpatterns = [path("ping/", ping), path(settings.PREFIX, include("shop.more"))]
`,
    'shop/more.py': 'from django.urls import path\n\n\ndef pong(request):\n    return None\n\n\nurlpatterns = [path("pong/", pong)]\n',
  });
  expect(routes.map((r) => [r.path, r.unresolved.length > 0])).toEqual([['/ping/', false], ['/{?}pong/', true]]);
});
