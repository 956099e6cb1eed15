/**
 * What Django, DRF and common DRF add-ons define, as data: the HTTP handlers of their class-based views,
 * the actions of their viewsets and mixins, and the URL sets of their bundled urlconfs. Measured with
 * Django 3.2.25 and DRF 3.14.0 (`[m for m in cls.http_method_names if hasattr(cls, m)]`).
 * Classes are keyed by top-level package and class name, so every import path of a class matches.
 */

export interface ExternalView {
  handlers: string[]; // lower-case handler names, `options` left out (every View answers OPTIONS)
  drf?: boolean; // an APIView: DRF throttling applies
  actions?: string[]; // viewset actions (list, create, ...) for viewsets and their mixins
  noThrottles?: boolean; // sets `throttle_classes = ()`, so no DRF throttle ever applies
  throttleScope?: string; // sets `throttle_scope`: counted by ScopedRateThrottle when the project's defaults include it
  since?: { django: string; handlers: string[] }; // handlers from that Django version on
  functionView?: boolean; // a function view: it answers every method
  allauthAction?: string; // django-allauth rate-limits its unsafe methods itself under this ACCOUNT_RATE_LIMITS action
  methodNames?: string[]; // its `http_method_names`, where it narrows Django's: dispatch answers 405 to the others
}

// djangorestframework-jsonapi (6.1, rest_framework_json_api/views.py): JSON:API has no PUT.
const JSON_API_METHODS = ['get', 'post', 'patch', 'delete', 'head', 'options'];

const FORM = ['get', 'post', 'put'];

const VIEWS = new Map<string, ExternalView>(Object.entries({
  'django:View': { handlers: [] },
  'django:TemplateView': { handlers: ['get'] },
  'django:RedirectView': { handlers: ['get', 'post', 'put', 'patch', 'delete', 'head'] },
  'django:FormView': { handlers: FORM },
  'django:CreateView': { handlers: FORM },
  'django:UpdateView': { handlers: FORM },
  'django:DeleteView': { handlers: ['get', 'post', 'delete'] },
  'django:ListView': { handlers: ['get'] },
  'django:DetailView': { handlers: ['get'] },
  'django:ArchiveIndexView': { handlers: ['get'] },
  'django:YearArchiveView': { handlers: ['get'] },
  'django:MonthArchiveView': { handlers: ['get'] },
  'django:WeekArchiveView': { handlers: ['get'] },
  'django:DayArchiveView': { handlers: ['get'] },
  'django:TodayArchiveView': { handlers: ['get'] },
  'django:DateDetailView': { handlers: ['get'] },
  // The generic views' bases, which projects derive from with mixins of their own.
  ...Object.fromEntries(
    ['BaseDetailView', 'BaseListView', 'BaseArchiveIndexView', 'BaseDateListView', 'BaseDateDetailView', 'BaseYearArchiveView', 'BaseMonthArchiveView', 'BaseWeekArchiveView', 'BaseDayArchiveView', 'BaseTodayArchiveView'].map((name) => [`django:${name}`, { handlers: ['get'] }]),
  ),
  'django:ProcessFormView': { handlers: FORM },
  'django:BaseFormView': { handlers: FORM },
  'django:BaseCreateView': { handlers: FORM },
  'django:BaseUpdateView': { handlers: FORM },
  'django:BaseDeleteView': { handlers: ['get', 'post', 'delete'] },
  'django:LoginView': { handlers: FORM },
  'django:LogoutView': { handlers: ['get', 'post'], since: { django: '5.0', handlers: ['post'] } }, // GET logout removed in 5.0
  'django:PasswordChangeView': { handlers: FORM },
  'django:PasswordChangeDoneView': { handlers: ['get'] },
  'django:PasswordResetView': { handlers: FORM },
  'django:PasswordResetDoneView': { handlers: ['get'] },
  'django:PasswordResetConfirmView': { handlers: FORM },
  'django:PasswordResetCompleteView': { handlers: ['get'] },
  'django:JavaScriptCatalog': { handlers: ['get'] },
  'django:JSONCatalog': { handlers: ['get'] },
  // Django's own function views: they answer every method.
  ...Object.fromEntries(
    ['set_language', 'bad_request', 'permission_denied', 'page_not_found', 'server_error', 'serve', 'sitemap'].map((name) => [`django:${name}`, { handlers: [], functionView: true }]),
  ),
  'django_prometheus:ExportToDjangoView': { handlers: [], functionView: true },
  // django-filter 23.1 (Debian) and django-vanilla-views (encode/django-vanilla-views 8329c90), measured as above.
  'django_filters:FilterView': { handlers: ['get'] },
  'django_filters:BaseFilterView': { handlers: ['get'] },
  'vanilla:GenericView': { handlers: [] },
  'vanilla:GenericModelView': { handlers: [] },
  'vanilla:TemplateView': { handlers: ['get'] },
  'vanilla:RedirectView': { handlers: ['get', 'post', 'put', 'patch', 'delete', 'head'] },
  'vanilla:FormView': { handlers: ['get', 'post'] },
  'vanilla:ListView': { handlers: ['get'] },
  'vanilla:DetailView': { handlers: ['get'] },
  'vanilla:CreateView': { handlers: ['get', 'post'] },
  'vanilla:UpdateView': { handlers: ['get', 'post'] },
  'vanilla:DeleteView': { handlers: ['get', 'post'] },
  ...Object.fromEntries(
    ['BaseAdminDocsView', 'BookmarkletsView', 'TemplateTagIndexView', 'TemplateFilterIndexView', 'ViewIndexView', 'ViewDetailView', 'ModelIndexView', 'ModelDetailView', 'TemplateDetailView'].map((name) => [`django:${name}`, { handlers: ['get'] }]),
  ),
  'rest_framework:APIView': { handlers: [], drf: true },
  'rest_framework:GenericAPIView': { handlers: [], drf: true },
  'rest_framework:CreateAPIView': { handlers: ['post'], drf: true },
  'rest_framework:ListAPIView': { handlers: ['get'], drf: true },
  'rest_framework:RetrieveAPIView': { handlers: ['get'], drf: true },
  'rest_framework:DestroyAPIView': { handlers: ['delete'], drf: true },
  'rest_framework:UpdateAPIView': { handlers: ['put', 'patch'], drf: true },
  'rest_framework:ListCreateAPIView': { handlers: ['get', 'post'], drf: true },
  'rest_framework:RetrieveUpdateAPIView': { handlers: ['get', 'put', 'patch'], drf: true },
  'rest_framework:RetrieveDestroyAPIView': { handlers: ['get', 'delete'], drf: true },
  'rest_framework:RetrieveUpdateDestroyAPIView': { handlers: ['get', 'put', 'patch', 'delete'], drf: true },
  'rest_framework:ObtainAuthToken': { handlers: ['post'], drf: true, noThrottles: true },
  'rest_framework:APIRootView': { handlers: ['get'], drf: true }, // a DefaultRouter's root view, which projects derive from
  'rest_framework:ViewSet': { handlers: [], drf: true, actions: [] },
  'rest_framework:GenericViewSet': { handlers: [], drf: true, actions: [] },
  'rest_framework:ViewSetMixin': { handlers: [], drf: true, actions: [] },
  'rest_framework:ReadOnlyModelViewSet': { handlers: [], drf: true, actions: ['list', 'retrieve'] },
  'rest_framework:ModelViewSet': { handlers: [], drf: true, actions: ['list', 'create', 'retrieve', 'update', 'partial_update', 'destroy'] },
  'rest_framework:ListModelMixin': { handlers: [], actions: ['list'] },
  'rest_framework:CreateModelMixin': { handlers: [], actions: ['create'] },
  'rest_framework:RetrieveModelMixin': { handlers: [], actions: ['retrieve'] },
  'rest_framework:UpdateModelMixin': { handlers: [], actions: ['update', 'partial_update'] },
  'rest_framework:DestroyModelMixin': { handlers: [], actions: ['destroy'] },
  // djangorestframework-bulk 0.2.1 (rest_framework_bulk/drf3/mixins.py, generics.py): bulk actions, which its BulkRouter
  // serves on the list route (BULK_LIST_ROUTE).
  'rest_framework_bulk:BulkCreateModelMixin': { handlers: [], actions: ['create'] },
  'rest_framework_bulk:BulkUpdateModelMixin': { handlers: [], actions: ['bulk_update', 'partial_bulk_update'] },
  'rest_framework_bulk:BulkDestroyModelMixin': { handlers: [], actions: ['bulk_destroy'] },
  'rest_framework_bulk:BulkModelViewSet': { handlers: [], drf: true, actions: ['list', 'create', 'retrieve', 'update', 'partial_update', 'destroy', 'bulk_update', 'partial_bulk_update', 'bulk_destroy'] },
  'rest_framework_bulk:BulkCreateAPIView': { handlers: ['post'], drf: true },
  'rest_framework_bulk:BulkUpdateAPIView': { handlers: ['put', 'patch'], drf: true },
  'rest_framework_bulk:BulkDestroyAPIView': { handlers: ['delete'], drf: true },
  'rest_framework_bulk:ListBulkCreateAPIView': { handlers: ['get', 'post'], drf: true },
  'rest_framework_bulk:ListCreateBulkUpdateAPIView': { handlers: ['get', 'post', 'put', 'patch'], drf: true },
  'rest_framework_bulk:ListCreateBulkUpdateDestroyAPIView': { handlers: ['get', 'post', 'put', 'patch', 'delete'], drf: true },
  'rest_framework_bulk:ListBulkCreateUpdateAPIView': { handlers: ['get', 'post', 'put', 'patch'], drf: true },
  'rest_framework_bulk:ListBulkCreateDestroyAPIView': { handlers: ['get', 'post', 'delete'], drf: true },
  'rest_framework_bulk:ListBulkCreateUpdateDestroyAPIView': { handlers: ['get', 'post', 'put', 'patch', 'delete'], drf: true },
  // djangorestframework-jsonapi 6.1 (rest_framework_json_api/views.py): DRF's viewsets with its mixins (RelatedMixin
  // adds the `retrieve_related` action), and RelationshipView, each without PUT.
  'rest_framework_json_api:ModelViewSet': { handlers: [], drf: true, actions: ['list', 'create', 'retrieve', 'update', 'partial_update', 'destroy', 'retrieve_related'], methodNames: JSON_API_METHODS },
  'rest_framework_json_api:ReadOnlyModelViewSet': { handlers: [], drf: true, actions: ['list', 'retrieve', 'retrieve_related'], methodNames: JSON_API_METHODS },
  'rest_framework_json_api:RelationshipView': { handlers: ['get', 'post', 'patch', 'delete'], drf: true, methodNames: JSON_API_METHODS },
  'rest_framework_json_api:RelatedMixin': { handlers: [], actions: ['retrieve_related'] },
  'rest_framework_json_api:PreloadIncludesMixin': { handlers: [], actions: [] },
  'rest_framework_json_api:AutoPrefetchMixin': { handlers: [], actions: [] },
  // drf-extensions 0.8 (rest_framework_extensions/mixins.py): filters the queryset by the parents' lookups, adds no action.
  'rest_framework_extensions:NestedViewSetMixin': { handlers: [], actions: [] },
  // Token views of DRF add-ons: plain POST endpoints that keep the project's default throttles.
  'rest_framework_simplejwt:TokenObtainPairView': { handlers: ['post'], drf: true },
  'rest_framework_simplejwt:TokenRefreshView': { handlers: ['post'], drf: true },
  'rest_framework_simplejwt:TokenVerifyView': { handlers: ['post'], drf: true },
  'rest_framework_simplejwt:TokenObtainSlidingView': { handlers: ['post'], drf: true },
  'rest_framework_simplejwt:TokenBlacklistView': { handlers: ['post'], drf: true },
  // django-rest-knox 4.2 to 5.0 (knox/views.py): token login and logout APIViews, DRF's throttling as configured.
  'knox:LoginView': { handlers: ['post'], drf: true },
  'knox:LogoutView': { handlers: ['post'], drf: true },
  'knox:LogoutAllView': { handlers: ['post'], drf: true },
  // djoser 2.3, dj-rest-auth 7.0, django-registration 5.1, drf-spectacular 0.28 (their views.py).
  'djoser:TokenCreateView': { handlers: ['post'], drf: true },
  'djoser:TokenDestroyView': { handlers: ['post'], drf: true },
  'dj_rest_auth:LoginView': { handlers: ['post'], drf: true, throttleScope: 'dj_rest_auth' },
  'dj_rest_auth:LogoutView': { handlers: ['get', 'post'], drf: true, throttleScope: 'dj_rest_auth' },
  'dj_rest_auth:UserDetailsView': { handlers: ['get', 'put', 'patch'], drf: true },
  'dj_rest_auth:PasswordResetView': { handlers: ['post'], drf: true, throttleScope: 'dj_rest_auth' },
  'dj_rest_auth:PasswordResetConfirmView': { handlers: ['post'], drf: true, throttleScope: 'dj_rest_auth' },
  'dj_rest_auth:PasswordChangeView': { handlers: ['post'], drf: true, throttleScope: 'dj_rest_auth' },
  'dj_rest_auth:RegisterView': { handlers: ['post'], drf: true, throttleScope: 'dj_rest_auth' },
  'dj_rest_auth:VerifyEmailView': { handlers: ['get', 'post'], drf: true },
  'dj_rest_auth:ResendEmailVerificationView': { handlers: ['post'], drf: true },
  // dj-rest-auth 7.0 (dj_rest_auth/registration/views.py): social login and connect are its LoginView.
  'dj_rest_auth:SocialLoginView': { handlers: ['post'], drf: true, throttleScope: 'dj_rest_auth' },
  'dj_rest_auth:SocialConnectView': { handlers: ['post'], drf: true, throttleScope: 'dj_rest_auth' },
  'dj_rest_auth:SocialAccountListView': { handlers: ['get'], drf: true },
  'dj_rest_auth:SocialAccountDisconnectView': { handlers: ['post'], drf: true },
  // django-allauth's account views (allauth/account/views.py; `@rate_limit(action=...)` on dispatch, which
  // counts every method but GET, or `ratelimit.consume_or_429` in the form's handling).
  'allauth:LoginView': { handlers: FORM, allauthAction: 'login' },
  'allauth:LogoutView': { handlers: ['get', 'post'] },
  'allauth:SignupView': { handlers: FORM, allauthAction: 'signup' },
  'allauth:AccountInactiveView': { handlers: ['get'] },
  'allauth:EmailView': { handlers: FORM, allauthAction: 'manage_email' },
  'allauth:EmailVerificationSentView': { handlers: ['get'] },
  'allauth:ConfirmEmailView': { handlers: ['get', 'post'] },
  'allauth:PasswordChangeView': { handlers: FORM, allauthAction: 'change_password' },
  'allauth:PasswordSetView': { handlers: FORM, allauthAction: 'change_password' },
  'allauth:PasswordResetView': { handlers: FORM, allauthAction: 'reset_password' },
  'allauth:PasswordResetDoneView': { handlers: ['get'] },
  'allauth:PasswordResetFromKeyView': { handlers: FORM, allauthAction: 'reset_password_from_key' },
  'allauth:PasswordResetFromKeyDoneView': { handlers: ['get'] },
  'allauth:ReauthenticateView': { handlers: FORM, allauthAction: 'reauthenticate' },
  'allauth:ConfirmLoginCodeView': { handlers: FORM }, // a wrong code counts attempts, not requests
  'health_check:MainView': { handlers: ['get'] },
  ...Object.fromEntries(['render_panel', 'history_sidebar', 'history_refresh', 'sql_select', 'sql_explain', 'sql_profile', 'template_source']
    .map((fn) => [`debug_toolbar:${fn}`, { handlers: [], functionView: true }])),
  'mozilla_django_oidc:OIDCAuthenticationCallbackView': { handlers: ['get'] },
  'mozilla_django_oidc:OIDCAuthenticationRequestView': { handlers: ['get'] },
  'mozilla_django_oidc:OIDCLogoutView': { handlers: ['get', 'post'] },
  'social_django:auth': { handlers: [], functionView: true }, // `@require_POST` from 6.0; every method before
  'social_django:complete': { handlers: [], functionView: true },
  'social_django:disconnect': { handlers: ['post'] }, // `@require_POST`
  'django_registration:RegistrationView': { handlers: FORM },
  'django_registration:ActivationView': { handlers: ['get'] },
  'drf_spectacular:SpectacularAPIView': { handlers: ['get'], drf: true },
  'drf_spectacular:SpectacularYAMLAPIView': { handlers: ['get'], drf: true },
  'drf_spectacular:SpectacularJSONAPIView': { handlers: ['get'], drf: true },
  'drf_spectacular:SpectacularSwaggerView': { handlers: ['get'], drf: true },
  'drf_spectacular:SpectacularSwaggerSplitView': { handlers: ['get'], drf: true },
  'drf_spectacular:SpectacularRedocView': { handlers: ['get'], drf: true },
  // The schema views `get_schema_view` builds (rest_framework/schemas/views.py, drf_yasg/views.py): APIViews with `get`.
  'rest_framework:SchemaView': { handlers: ['get'], drf: true },
  'drf_yasg:SchemaView': { handlers: ['get'], drf: true },
  'drf_yasg2:SchemaView': { handlers: ['get'], drf: true },
}));

/**
 * Library functions that build a view: DRF's `get_schema_view(...)` returns one; drf-yasg's returns a class whose
 * `with_ui(...)`, `without_ui(...)`, `as_cached_view(...)` and `as_view(...)` return its view.
 */
const YASG_METHODS = ['with_ui', 'without_ui', 'as_cached_view', 'as_view'];
const VIEW_FACTORIES = new Map<string, { view: string; methods?: string[] }>(Object.entries({
  'rest_framework.schemas.get_schema_view': { view: 'rest_framework:SchemaView' },
  'drf_yasg.views.get_schema_view': { view: 'drf_yasg:SchemaView', methods: YASG_METHODS },
  'drf_yasg2.views.get_schema_view': { view: 'drf_yasg2:SchemaView', methods: YASG_METHODS },
}));

/** The view a library factory builds: called itself (`method` undefined), or one of its methods called on what it returns. */
export function factoryView(qname: string, method?: string): { name: string; view: ExternalView } | undefined {
  const factory = VIEW_FACTORIES.get(qname);
  const view = factory && (factory.methods ? method !== undefined && factory.methods.includes(method) : method === undefined) ? VIEWS.get(factory.view) : undefined;
  return view ? { name: `${qname}${method ? `(...).${method}` : ''}`, view } : undefined;
}

/** Function views shipped by libraries, as the class-based view they are built from. */
const FUNCTION_VIEWS = new Map(Object.entries({
  'rest_framework.authtoken.views.obtain_auth_token': 'rest_framework:ObtainAuthToken',
  'rest_framework_simplejwt.views.token_obtain_pair': 'rest_framework_simplejwt:TokenObtainPairView',
  'rest_framework_simplejwt.views.token_refresh': 'rest_framework_simplejwt:TokenRefreshView',
  'rest_framework_simplejwt.views.token_verify': 'rest_framework_simplejwt:TokenVerifyView',
  ...Object.fromEntries(Object.entries({
    login: 'LoginView', logout: 'LogoutView', account_inactive: 'AccountInactiveView', signup: 'SignupView',
    reauthenticate: 'ReauthenticateView', email: 'EmailView', email_verification_sent: 'EmailVerificationSentView',
    confirm_email: 'ConfirmEmailView', password_change: 'PasswordChangeView', password_set: 'PasswordSetView',
    password_reset: 'PasswordResetView', password_reset_done: 'PasswordResetDoneView', password_reset_from_key: 'PasswordResetFromKeyView',
    password_reset_from_key_done: 'PasswordResetFromKeyDoneView', confirm_login_code: 'ConfirmLoginCodeView',
  }).map(([fn, cls]) => [`allauth.account.views.${fn}`, `allauth:${cls}`])),
}));

function key(qname: string): string {
  const parts = qname.split('.');
  return `${parts[0]}:${parts[parts.length - 1]}`;
}

export function externalView(qname: string): ExternalView | undefined {
  return VIEWS.get(key(qname));
}

/** `obtain_auth_token` and friends: the class behind a library's function view; Django's own function views. */
export function externalFunctionView(qname: string): { name: string; view: ExternalView } | undefined {
  const view = VIEWS.get(FUNCTION_VIEWS.get(qname) ?? '') ?? (VIEWS.get(key(qname))?.functionView ? VIEWS.get(key(qname)) : undefined);
  return view ? { name: qname, view } : undefined;
}

/** True for classes of packages whose views we know by name, so an unknown name there is not a view. */
export function isKnownPackage(qname: string): boolean {
  return ['django', 'rest_framework'].includes(qname.split('.')[0]);
}

/**
 * One of a router's `routes` (DRF's `Route` and `DynamicRoute`), its URL template without `^` and `$`: a Route maps
 * HTTP methods to viewset actions; a DynamicRoute stands for each `@action` of its `detail` kind (`{url_path}`).
 */
export interface RouteTemplate {
  url: string;
  detail: boolean;
  mapping?: Record<string, string>;
}

/** HTTP method → viewset action of DRF's router routes (rest_framework/routers.py `SimpleRouter.routes`). */
const LIST_ROUTE: Record<string, string> = { get: 'list', post: 'create' };
const DETAIL_ROUTE: Record<string, string> = { get: 'retrieve', put: 'update', patch: 'partial_update', delete: 'destroy' };

/** `SimpleRouter.routes`, with `list` the list route's mapping (djangorestframework-bulk's BulkRouter adds its bulk actions there). */
export function standardRoutes(list = LIST_ROUTE): RouteTemplate[] {
  return [
    { url: '{prefix}{trailing_slash}', detail: false, mapping: list },
    { url: '{prefix}/{url_path}{trailing_slash}', detail: false },
    { url: '{prefix}/{lookup}{trailing_slash}', detail: true, mapping: DETAIL_ROUTE },
    { url: '{prefix}/{lookup}/{url_path}{trailing_slash}', detail: true },
  ];
}

/** djangorestframework-bulk's BulkRouter (rest_framework_bulk/routes.py): the list route maps the bulk actions too. */
export const BULK_LIST_ROUTE: Record<string, string> = { ...LIST_ROUTE, put: 'bulk_update', patch: 'partial_bulk_update', delete: 'bulk_destroy' };

/**
 * URL sets of urlconfs that ship with Django, DRF and common add-ons: route (as written in their urls.py) and
 * view class, under the add-on's default settings (dj-rest-auth adds token routes with `USE_JWT`, not listed).
 */
export type BundledRoute = [route: string, view: string, since?: { package: string; version: string }];

const ALLAUTH_ACCOUNT: BundledRoute[] = [
  ['login/', 'allauth.account.views.LoginView'],
  ['logout/', 'allauth.account.views.LogoutView'],
  ['inactive/', 'allauth.account.views.AccountInactiveView'],
  ['signup/', 'allauth.account.views.SignupView'],
  ['reauthenticate/', 'allauth.account.views.ReauthenticateView', { package: 'django-allauth', version: '0.58' }],
  ['email/', 'allauth.account.views.EmailView'],
  ['confirm-email/', 'allauth.account.views.EmailVerificationSentView'],
  ['^confirm-email/(?P<key>[-:\\w]+)/$', 'allauth.account.views.ConfirmEmailView'],
  ['password/change/', 'allauth.account.views.PasswordChangeView'],
  ['password/set/', 'allauth.account.views.PasswordSetView'],
  ['password/reset/', 'allauth.account.views.PasswordResetView'],
  ['password/reset/done/', 'allauth.account.views.PasswordResetDoneView'],
  ['^password/reset/key/(?P<uidb36>[0-9A-Za-z]+)-(?P<key>.+)/$', 'allauth.account.views.PasswordResetFromKeyView'],
  ['password/reset/key/done/', 'allauth.account.views.PasswordResetFromKeyDoneView'],
  ['login/code/confirm/', 'allauth.account.views.ConfirmLoginCodeView', { package: 'django-allauth', version: '0.63' }],
];

/**
 * Parts of a bundled urlconf served only when an app is installed, whose routes depend on further settings
 * (allauth's social providers): listed together in one `include` entry at the urlconf's prefix, not guessed.
 */
export const BUNDLED_EXTRAS = new Map<string, { app: string; what: string }[]>(Object.entries({
  'allauth.urls': [
    { app: 'allauth.socialaccount', what: 'social-account and provider URLs (one set per provider installed)' },
    { app: 'allauth.mfa', what: 'MFA URLs (2fa/)' },
    { app: 'allauth.usersessions', what: 'user-session URLs (sessions/)' },
  ],
}));

export const BUNDLED_URLCONFS = new Map<string, BundledRoute[]>(Object.entries({
  'allauth.urls': ALLAUTH_ACCOUNT,
  'allauth.account.urls': ALLAUTH_ACCOUNT,
  'django.contrib.auth.urls': [
    ['login/', 'django.contrib.auth.views.LoginView'],
    ['logout/', 'django.contrib.auth.views.LogoutView'],
    ['password_change/', 'django.contrib.auth.views.PasswordChangeView'],
    ['password_change/done/', 'django.contrib.auth.views.PasswordChangeDoneView'],
    ['password_reset/', 'django.contrib.auth.views.PasswordResetView'],
    ['password_reset/done/', 'django.contrib.auth.views.PasswordResetDoneView'],
    ['reset/<uidb64>/<token>/', 'django.contrib.auth.views.PasswordResetConfirmView'],
    ['reset/done/', 'django.contrib.auth.views.PasswordResetCompleteView'],
  ],
  'django.conf.urls.i18n': [['setlang/', 'django.views.i18n.set_language']],
  // `DebugToolbar.get_urls()`: render_panel/, then the URLs of the default panels (history, SQL, templates).
  'debug_toolbar.urls': [
    ['render_panel/', 'debug_toolbar.views.render_panel'],
    ['history_sidebar/', 'debug_toolbar.panels.history.views.history_sidebar'],
    ['history_refresh/', 'debug_toolbar.panels.history.views.history_refresh'],
    ['sql_select/', 'debug_toolbar.panels.sql.views.sql_select'],
    ['sql_explain/', 'debug_toolbar.panels.sql.views.sql_explain'],
    ['sql_profile/', 'debug_toolbar.panels.sql.views.sql_profile'],
    ['template_source/', 'debug_toolbar.panels.templates.views.template_source'],
  ],
  'health_check.urls': [
    ['', 'health_check.views.MainView'],
    ['<str:subset>/', 'health_check.views.MainView', { package: 'django-health-check', version: '3.18' }],
  ],
  // The OIDC_CALLBACK_CLASS / OIDC_AUTHENTICATE_CLASS settings may swap the first two views for subclasses.
  'mozilla_django_oidc.urls': [
    ['callback/', 'mozilla_django_oidc.views.OIDCAuthenticationCallbackView'],
    ['authenticate/', 'mozilla_django_oidc.views.OIDCAuthenticationRequestView'],
    ['logout/', 'mozilla_django_oidc.views.OIDCLogoutView'],
  ],
  // With SOCIAL_AUTH_TRAILING_SLASH at its default (True).
  'social_django.urls': [
    ['login/<str:backend>/', 'social_django.views.auth'],
    ['complete/<str:backend>/', 'social_django.views.complete'],
    ['disconnect/<str:backend>/', 'social_django.views.disconnect'],
    ['disconnect/<str:backend>/<int:association_id>/', 'social_django.views.disconnect'],
  ],
  'django_prometheus.urls': [['metrics', 'django_prometheus.exports.ExportToDjangoView']],
  'django.contrib.admindocs.urls': [
    ['', 'django.contrib.admindocs.views.BaseAdminDocsView'],
    ['bookmarklets/', 'django.contrib.admindocs.views.BookmarkletsView'],
    ['tags/', 'django.contrib.admindocs.views.TemplateTagIndexView'],
    ['filters/', 'django.contrib.admindocs.views.TemplateFilterIndexView'],
    ['views/', 'django.contrib.admindocs.views.ViewIndexView'],
    ['views/<view>/', 'django.contrib.admindocs.views.ViewDetailView'],
    ['models/', 'django.contrib.admindocs.views.ModelIndexView'],
    ['^models/(?P<app_label>[^\\.]+)\\.(?P<model_name>[^/]+)/$', 'django.contrib.admindocs.views.ModelDetailView'],
    ['templates/<path:template>/', 'django.contrib.admindocs.views.TemplateDetailView'],
  ],
  'rest_framework.urls': [
    ['login/', 'django.contrib.auth.views.LoginView'],
    ['logout/', 'django.contrib.auth.views.LogoutView'],
  ],
  'djoser.urls.jwt': [
    ['^jwt/create/?', 'rest_framework_simplejwt.views.TokenObtainPairView'],
    ['^jwt/refresh/?', 'rest_framework_simplejwt.views.TokenRefreshView'],
    ['^jwt/verify/?', 'rest_framework_simplejwt.views.TokenVerifyView'],
  ],
  'djoser.urls.authtoken': [
    ['^token/login/?$', 'djoser.views.TokenCreateView'],
    ['^token/logout/?$', 'djoser.views.TokenDestroyView'],
  ],
  'dj_rest_auth.urls': [
    ['password/reset/?$', 'dj_rest_auth.views.PasswordResetView'],
    ['password/reset/confirm/?$', 'dj_rest_auth.views.PasswordResetConfirmView'],
    ['login/?$', 'dj_rest_auth.views.LoginView'],
    ['logout/?$', 'dj_rest_auth.views.LogoutView'],
    ['user/?$', 'dj_rest_auth.views.UserDetailsView'],
    ['password/change/?$', 'dj_rest_auth.views.PasswordChangeView'],
  ],
  'dj_rest_auth.registration.urls': [
    ['', 'dj_rest_auth.registration.views.RegisterView'],
    ['verify-email/?$', 'dj_rest_auth.registration.views.VerifyEmailView'],
    ['resend-email/?$', 'dj_rest_auth.registration.views.ResendEmailVerificationView'],
    ['^account-confirm-email/(?P<key>[-:\\w]+)/$', 'django.views.generic.TemplateView'],
    ['account-email-verification-sent/?$', 'django.views.generic.TemplateView'],
  ],
  'django_registration.backends.activation.urls': [
    ['activate/complete/', 'django.views.generic.TemplateView'],
    ['activate/<str:activation_key>/', 'django_registration.backends.activation.views.ActivationView'],
    ['register/', 'django_registration.backends.activation.views.RegistrationView'],
    ['register/complete/', 'django.views.generic.TemplateView'],
    ['register/closed/', 'django.views.generic.TemplateView'],
  ],
  'django_registration.backends.one_step.urls': [
    ['register/', 'django_registration.backends.one_step.views.RegistrationView'],
    ['register/closed/', 'django.views.generic.TemplateView'],
    ['register/complete/', 'django.views.generic.TemplateView'],
  ],
}));
