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
