/**
 * URLconfs and views of add-ons that are not in the scanned tree come from apiposture's table
 * (src/frameworks/django/tables.ts): the routes they serve under their default settings, with the
 * throttle scope their views set. Add-ons Debian packages are checked against the real Django in
 * fixtures/django/addons; dj-rest-auth is not packaged, so it is checked here.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { scan } from '../src/scan';
import type { Route } from '../src/model';

const SETTINGS = `ROOT_URLCONF = "site_urls"
REST_FRAMEWORK = {
    "DEFAULT_THROTTLE_CLASSES": ["rest_framework.throttling.ScopedRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"dj_rest_auth": "5/minute"},
}
`;
const URLS = `from django.urls import include, path

urlpatterns = [
    path("auth/", include("dj_rest_auth.urls")),
    path("auth/registration/", include("dj_rest_auth.registration.urls")),
    path("social/", include("socialkit.urls")),
]
`;

/** The routes of a one-settings Django project with this settings module and root URLconf. */
async function routesOf(settings: string, urls: string): Promise<Route[]> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'apiposture-addons-'));
  try {
    writeFileSync(path.join(dir, 'manage.py'), 'import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "settings")\n');
    writeFileSync(path.join(dir, 'settings.py'), settings);
    writeFileSync(path.join(dir, 'site_urls.py'), urls);
    return (await scan({ paths: [dir] })).routes;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('dj-rest-auth routes come from the table, limited by the scope its views set; an unknown add-on stays one include entry', async () => {
  const routes = await routesOf(SETTINGS, URLS);
  const rows = routes.map((r) => `${r.kind} ${r.methods.filter((m) => m !== 'OPTIONS').join(',')} ${r.path} ${r.status} ${r.limits.map((l) => l.rate).join(';')}`);
  expect(rows.sort()).toEqual([
    'http GET,HEAD,POST /auth/logout/? limited 5/minute',
    'http GET,HEAD,PATCH,PUT /auth/user/? unlimited ',
    'http POST /auth/login/? limited 5/minute',
    'http POST /auth/password/change/? limited 5/minute',
    'http POST /auth/password/reset/? limited 5/minute',
    'http POST /auth/password/reset/confirm/? limited 5/minute',
    'http GET,HEAD /auth/registration/account-confirm-email/(?P<key>[-:\\w]+)/ unlimited ',
    'http GET,HEAD /auth/registration/account-email-verification-sent/? unlimited ',
    'http POST /auth/registration/ limited 5/minute',
    'http GET,HEAD,POST /auth/registration/verify-email/? unlimited ',
    'http POST /auth/registration/resend-email/? unlimited ',
    'include  /social/{?} unknown ',
  ].sort());
});

test('django-allauth: account routes from the table, its own limits switched off by settings, social URLs one include entry', async () => {
  const routes = await routesOf(
    'ROOT_URLCONF = "site_urls"\nINSTALLED_APPS = ["allauth", "allauth.account", "allauth.socialaccount"]\nACCOUNT_RATE_LIMITS = False\n',
    'from django.urls import include, path\n\nurlpatterns = [path("accounts/", include("allauth.urls"))]\n',
  );
  const login = routes.find((r) => r.path === '/accounts/login/');
  expect(login?.status).toBe('unlimited');
  expect(login?.evidence.map((e) => e.message)).toContain("`ACCOUNT_RATE_LIMITS = False` switches django-allauth's own rate limits off");
  expect(routes.filter((r) => r.kind === 'include').map((r) => `${r.path} ${r.unresolved.join()}`)).toEqual([
    '/accounts/{?} `allauth.urls` also serves social-account and provider URLs (one set per provider installed), which depend on settings and are not listed (`allauth.socialaccount` in INSTALLED_APPS)',
  ]);
  // No version declared: the newest route list.
  expect(routes.some((r) => r.path === '/accounts/reauthenticate/')).toBe(true);
});

test('social-auth-app-django and mozilla-django-oidc URLconfs come from the table with the methods their views answer', async () => {
  const routes = await routesOf(
    'ROOT_URLCONF = "site_urls"\n',
    'from django.urls import include, path\n\nurlpatterns = [\n    path("", include("social_django.urls", namespace="social")),\n    path("oidc/", include("mozilla_django_oidc.urls")),\n]\n',
  );
  expect(routes.map((r) => `${r.methods.filter((m) => m !== 'OPTIONS' && m !== 'HEAD').join(',')} ${r.path}`).sort()).toEqual([
    'DELETE,GET,PATCH,POST,PUT,TRACE /complete/<str:backend>/',
    'DELETE,GET,PATCH,POST,PUT,TRACE /login/<str:backend>/',
    'GET /oidc/authenticate/',
    'GET /oidc/callback/',
    'GET,POST /oidc/logout/',
    'POST /disconnect/<str:backend>/',
    'POST /disconnect/<str:backend>/<int:association_id>/',
  ]);
});

// Checked with django-rest-knox 5.0.2 from source on Debian's Django 3.2 and DRF 3.14: each view answers `Allow: POST,
// OPTIONS`, the subclass answers 429 from the sixth request in a minute, LogoutView's throttles are the defaults.
test('django-rest-knox: its login and logout views answer POST and keep DRF throttling, a subclass its own classes', async () => {
  const routes = await routesOf(
    'ROOT_URLCONF = "site_urls"\nREST_FRAMEWORK = {\n    "DEFAULT_THROTTLE_CLASSES": ["rest_framework.throttling.UserRateThrottle"],\n    "DEFAULT_THROTTLE_RATES": {"user": "100/minute", "login": "5/minute"},\n}\n',
    `from django.urls import path
from knox import views as knox_views
from knox.views import LoginView as KnoxLoginView
from rest_framework.throttling import ScopedRateThrottle


class Login(KnoxLoginView):
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "login"


urlpatterns = [
    path("login/", Login.as_view()),
    path("logout/", knox_views.LogoutView.as_view()),
    path("logoutall/", knox_views.LogoutAllView.as_view()),
]
`,
  );
  expect(routes.map((r) => `${r.methods.join(',')} ${r.path} ${r.status} ${r.limits.map((l) => l.rate).join(';')}`).sort()).toEqual([
    'OPTIONS,POST /login/ limited 5/minute',
    'OPTIONS,POST /logout/ limited 100/minute',
    'OPTIONS,POST /logoutall/ limited 100/minute',
  ]);
});
