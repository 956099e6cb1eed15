/**
 * django-configurations: the settings module holds classes, and `DJANGO_CONFIGURATION`, set where the
 * settings module is named, picks the one in force. (Debian does not package django-configurations, so
 * this shape is checked here; the `load_settings` shape is the classsettings fixture, checked by Django.)
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { scan } from '../src/scan';

const FILES: Record<string, string> = {
  'manage.py': 'import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "site.settings")\nos.environ.setdefault("DJANGO_CONFIGURATION", "Development")\n',
  'site/__init__.py': '',
  'site/wsgi.py': 'import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "site.settings")\nos.environ.setdefault("DJANGO_CONFIGURATION", "Production")\n',
  'site/settings.py': [
    'from configurations import Configuration',
    '',
    'class Base(Configuration):',
    '    ROOT_URLCONF = "site.urls"',
    '',
    'class Development(Base):',
    '    ROOT_URLCONF = "site.dev_urls"',
    '',
    'class Production(Base):',
    '    REST_FRAMEWORK = {"DEFAULT_THROTTLE_CLASSES": ["rest_framework.throttling.AnonRateThrottle"], "DEFAULT_THROTTLE_RATES": {"anon": "30/minute"}}',
    '',
  ].join('\n'),
  'site/urls.py': 'from django.urls import path\nfrom rest_framework.decorators import api_view\n\n@api_view(["POST"])\ndef login(request):\n    return None\n\nurlpatterns = [path("login/", login)]\n',
  'site/dev_urls.py': 'from django.urls import path\n\ndef debug(request):\n    return None\n\nurlpatterns = [path("debug/", debug)]\n',
};

test('the class DJANGO_CONFIGURATION names where the settings module is named gives ROOT_URLCONF and REST_FRAMEWORK', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'apiposture-configurations-'));
  try {
    for (const [file, text] of Object.entries(FILES)) {
      mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
      writeFileSync(path.join(dir, file), text);
    }
    const result = await scan({ paths: [dir] });
    const routes = result.routes.map((r) => `${r.methods.join(',')} ${r.path} ${r.limits.map((l) => l.rate).join()}`);
    // Each configuration in use is a Django project of its own: manage.py's Development has its own URLconf.
    expect(routes).toEqual(['DELETE,GET,HEAD,OPTIONS,PATCH,POST,PUT,TRACE /debug/ ', 'OPTIONS,POST /login/ 30/minute']);
    expect(result.routes.every((r) => !r.unresolved.length)).toBe(true);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
