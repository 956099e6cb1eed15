"""Ground-truth probe: loads a Django fixture project with the real Django and Django REST framework
(Debian's system interpreter) and prints every route its URLconf serves as JSON: full path, HTTP methods,
handler and, for DRF views, the throttles DRF itself would instantiate for each method.

django-ratelimit is not packaged for Debian: `django_ratelimit` (4.x) and `ratelimit` (<= 3.x) are replaced
by stand-ins whose `ratelimit(...)` decorator passes the view through (functools.wraps-preserving). They never
add or remove a route or a method, so the route inventory is Django's own. The probe reports configuration
(which throttle classes, scopes and rates DRF resolves), not whether the cache backend makes them effective.

Path text: each level's pattern as written, concatenated after an implicit leading "/"; for regex levels a
leading "^" and a trailing "$" are dropped. The admin site is reported as one entry, and the URLs its ModelAdmins add of
their own (`get_urls`) as routes under it.

Django Channels (the settings' ASGI_APPLICATION): the WebSocket routes its URLRouters list, walked as Channels nests
them (through middleware: `inner`, `application` or `app`), each kept only where a connection to it (converters and
regex groups given "1") is accepted by the real application; methods are [] for them.

With --measure N, each route's view is also called up to N times per method (HEAD and OPTIONS aside) with an
anonymous request from one address (REMOTE_ADDR and X-Forwarded-For), every cache a local-memory one cleared in between: the first over-limit
answer (429, django-ratelimit's 403, or any status other than the first one) gives the real threshold. The real
django-ratelimit is used when its source is on PYTHONPATH.

Usage: python3 django_probe.py <fixture-dir> <settings-module> [--measure N]
"""
import asyncio
import functools
import glob
import importlib.abc
import importlib.machinery
import json
import logging
import os
import re
import sys
import types

# The limiter libraries Debian lacks, from their descriptors (the test sets it).
STUBBED = set(os.environ["PROBE_STAND_INS"].split(","))
# Third-party URLconfs a fixture includes but Debian does not package: stood in by empty ones, so Django
# serves nothing under them (apiposture reports such a mount as one unresolved route).
EMPTY_URLCONFS = {"socialkit"}
VERBS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "TRACE"]
ALL = (None,)
UNSAFE = ["DELETE", "PATCH", "POST", "PUT"]


def ratelimit(group=None, key=None, rate=None, method=ALL, block=None):
    """Stand-in for django-ratelimit's decorator: never limits, keeps the view's identity."""

    def decorator(fn):
        @functools.wraps(fn)
        def _wrapped(request, *args, **kwargs):
            request.limited = getattr(request, "limited", False)
            return fn(request, *args, **kwargs)

        return _wrapped

    return decorator


ratelimit.ALL = ALL
ratelimit.UNSAFE = UNSAFE


def is_ratelimited(*args, **kwargs):
    return False


def get_usage(*args, **kwargs):
    return None


class Ratelimited(Exception):
    pass


class RatelimitMixin:
    """django-ratelimit <= 2.x class mixin: attributes only."""

    ratelimit_group = None
    ratelimit_key = None
    ratelimit_rate = "5/m"
    ratelimit_block = False
    ratelimit_method = ALL


class StubFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    def find_spec(self, fullname, path, target=None):
        top = fullname.split(".")[0]
        real = top in STUBBED and importlib.machinery.PathFinder.find_spec(top) is not None
        if top in EMPTY_URLCONFS or (top in STUBBED and not real):
            return importlib.machinery.ModuleSpec(fullname, self, is_package=True)
        return None

    def create_module(self, spec):
        module = types.ModuleType(spec.name)
        module.__path__ = []
        return module

    def exec_module(self, module):
        if module.__name__.split(".")[0] in EMPTY_URLCONFS:
            module.urlpatterns = []
            return
        # Every submodule exposes the same names (decorators, core, mixins, exceptions, the package itself).
        module.ALL = ALL
        module.UNSAFE = UNSAFE
        module.ratelimit = ratelimit
        module.is_ratelimited = is_ratelimited
        module.get_usage = get_usage
        module.Ratelimited = Ratelimited
        module.RatelimitMixin = RatelimitMixin


def pattern_text(pattern):
    from django.urls.resolvers import RegexPattern

    text = str(pattern)
    if isinstance(pattern, RegexPattern):
        if text.startswith("^"):
            text = text[1:]
        if text.endswith("$") and not text.endswith("\\$"):
            text = text[:-1]
    return text


def dotted(obj):
    if not hasattr(obj, "__qualname__"):  # a callable instance (syndication Feed): named by its class
        obj = type(obj)
    return "%s.%s" % (obj.__module__, obj.__qualname__)


def handler_name(callback):
    cls = getattr(callback, "cls", None)
    if cls is not None and cls.__qualname__ == "WrappedAPIView":
        return "%s.%s" % (cls.__module__, cls.__name__)  # @api_view: named after the decorated function
    view_class = getattr(callback, "view_class", None) or cls
    if view_class is not None:
        return dotted(view_class)
    return dotted(callback)


def own_dispatch(cls):
    """A class of the fixture itself defines `dispatch`: it, not Django's handler lookup, decides the methods."""

    def in_fixture(c):
        return os.path.abspath(getattr(sys.modules.get(c.__module__), "__file__", None) or "/").startswith(ROOT)

    return any("dispatch" in vars(c) and in_fixture(c) for c in cls.__mro__)


def served_by_class(cls, actions=None):
    """Django's View.dispatch: a method is served when it is in http_method_names and a handler exists.
    View.setup (Django CBV, APIView) aliases head to get; a viewset's view() maps head to the get action."""
    actions = dict(actions or {})
    if actions and "get" in actions and "head" not in actions:
        actions["head"] = actions["get"]
    served = []
    for name in cls.http_method_names:
        if name in actions or hasattr(cls, name):
            served.append(name.upper())
        elif name == "head" and not actions and hasattr(cls, "get"):
            served.append("HEAD")
    return sorted(served)


def sample_kwargs(pattern_chain):
    """Dummy keyword arguments for the URL parameters, already converted as Django would."""
    import uuid

    from django.urls.resolvers import RegexPattern, RoutePattern

    samples = {"IntConverter": 7, "UUIDConverter": uuid.UUID(int=7), "PathConverter": "a/b"}
    kwargs = {}
    for pattern in pattern_chain:
        if isinstance(pattern, RoutePattern):
            for name, converter in pattern.converters.items():
                kwargs[name] = samples.get(type(converter).__name__, "x")
        elif isinstance(pattern, RegexPattern):
            for name in pattern.regex.groupindex:
                kwargs[name] = "x"
    if "format" in kwargs:
        kwargs["format"] = "json"  # a DRF format suffix names a renderer; any other is a 404 before throttling
    return kwargs


def served_by_calling(callback, kwargs):
    """Plain function view: send each verb through RequestFactory; anything but 405 counts as served.
    The request carries a DB-free logged-in user so login_required & co. reach the method check."""
    from django.contrib.auth.models import AnonymousUser
    from django.core.exceptions import ImproperlyConfigured, PermissionDenied
    from django.http import Http404
    from django.test import RequestFactory

    class ProbeUser(AnonymousUser):
        id = pk = 1
        username = "probe"
        is_active = True
        is_authenticated = True
        is_anonymous = False

    factory = RequestFactory()
    served = []
    for verb in VERBS:
        request = factory.generic(verb, "/probe/")
        request.user = ProbeUser()
        try:
            status = callback(request, **kwargs).status_code
        except (Http404, PermissionDenied):
            status = None  # Django answers 404/403: the method got past any method check
        except ImproperlyConfigured:
            status = None  # the real django-ratelimit refusing its settings on every request: past the method check
        if status != 405:
            served.append(verb)
    return sorted(served)


class SignedIn:
    """A signed-in user as DRF's request carries one, with nothing else about it."""

    is_authenticated = True
    is_anonymous = False
    pk = 1


def own_code_decision(throttle, view, method, user):
    """A throttle's own `allow_request`, `get_cache_key` and `__init__` run on a request of this method from `user`,
    DRF's own `allow_request` replaced by a recorder: the rate DRF would count the request at (the `rate` the
    project's code left), "pass" when it lets the request through uncounted, None when it fails."""
    from django.test import RequestFactory
    from rest_framework.request import Request

    library = next(k for k in type(throttle).__mro__ if k.__module__.startswith("rest_framework") and "allow_request" in vars(k))
    seen = []

    def record(self, request, view):
        # DRF's order: no rate, or no cache key, lets the request through uncounted.
        seen.append("pass" if self.rate is None or self.get_cache_key(request, view) is None else self.rate)
        return True

    original = library.allow_request
    library.allow_request = record
    try:
        request = Request(RequestFactory().generic(method, "/probe/"))
        request.user = user
        allowed = throttle.allow_request(request, view)
    except Exception:
        return None
    finally:
        library.allow_request = original
    return seen[0] if seen else "pass" if allowed is True else None


def describe_throttle(throttle, view, method):
    from django.contrib.auth.models import AnonymousUser
    from rest_framework.throttling import ScopedRateThrottle

    if isinstance(throttle, ScopedRateThrottle):
        scope = getattr(view, "throttle_scope", None)
        # DEFAULT_THROTTLE_RATES, unless the class holds a table of its own
        rate = throttle.THROTTLE_RATES.get(scope) if scope else None
    else:
        scope = getattr(throttle, "scope", None)
        rate = getattr(throttle, "rate", None)
    # Project code that reads or parses the rate itself: apiposture calls these unknown.
    own = {
        name
        for klass in type(throttle).__mro__
        if klass is not object and not klass.__module__.startswith("rest_framework")
        for name in ("allow_request", "get_rate", "get_cache_key", "parse_rate", "__init__")
        if name in vars(klass)
    }
    custom = bool(own - {"allow_request", "get_cache_key", "__init__"})
    described = {"class": dotted(type(throttle)), "scope": scope, "rate": rate, "custom": custom}
    # Its own allow_request, cache key or __init__: run for this method by an anonymous client and a signed-in user.
    if own and not custom:
        anonymous = own_code_decision(throttle, view, method, AnonymousUser())
        signed_in = own_code_decision(type(throttle)(), view, method, SignedIn())
        described.update(custom=anonymous is None, rate=None if anonymous in (None, "pass") else anonymous)
        described["signed_in_rate"] = None if signed_in in (None, "pass") else signed_in
    return described


def drf_throttles(callback, methods):
    from rest_framework.views import APIView

    cls = callback.cls
    initkwargs = dict(getattr(callback, "initkwargs", None) or {})
    actions = dict(getattr(callback, "actions", None) or {})
    if "get" in actions and "head" not in actions:
        actions["head"] = actions["get"]
    from django.contrib.auth.models import AnonymousUser
    from django.test import RequestFactory
    from rest_framework.request import Request

    # A view's own get_throttles() runs with an anonymous request of the method (and its action); one that
    # needs more of the request than that is "dynamic".
    own = cls.get_throttles is not APIView.get_throttles
    out = {}
    for method in methods:
        try:
            view = cls(**initkwargs)
            view.request = None
            if own:
                view.request = Request(RequestFactory().generic(method, "/probe/"))
                view.request.user = AnonymousUser()
            view.args, view.kwargs = (), {}
            if getattr(callback, "actions", None) is not None:
                view.action_map = actions
                view.action = actions.get(method.lower())
            out[method] = [describe_throttle(t, view, method) for t in view.get_throttles()]
        except Exception as exc:  # one odd view must not stop the probe
            out[method] = "dynamic" if own else {"error": "%s: %s" % (type(exc).__name__, exc)}
    return out


def measure(callback, pattern_chain, methods, bound):
    """First over-limit answer per method for an anonymous client, as `served_by_calling` sends requests."""
    from django.contrib.auth.models import AnonymousUser
    from django.core.cache import caches
    from django.core.exceptions import PermissionDenied
    from django.test import RequestFactory

    factory = RequestFactory()
    kwargs = sample_kwargs(pattern_chain)
    verdicts = {}
    for method in [m for m in methods if m not in ("HEAD", "OPTIONS")]:
        for alias in caches:
            caches[alias].clear()
        first = None
        verdicts[method] = {"threshold": None}
        for i in range(bound):
            # One client behind one proxy: settings that take the address from X-Forwarded-For find it.
            request = factory.generic(method, "/probe/", HTTP_X_FORWARDED_FOR="203.0.113.7")
            request.user = AnonymousUser()
            try:
                status = callback(request, **kwargs).status_code
            except PermissionDenied:
                status = 403
            except Exception:
                status = 500
            if status == 429 or (first is not None and status != first):
                verdicts[method] = {"threshold": i}
                break
            if first is None:
                first = status
        if verdicts[method]["threshold"] is None and first in (401, 403):
            verdicts[method]["refused"] = True  # anonymous clients are turned away before any throttle counts
    return verdicts


def emit(callback, path, pattern_chain, out):
    from rest_framework.views import APIView

    # django-ninja's PathView dispatches a path to one operation per method: each operation is a route of its own.
    operations = getattr(getattr(callback, "__self__", None), "operations", None)
    if operations is not None:
        for operation in operations:
            out.append({"path": path, "methods": sorted(operation.methods), "handler": handler_name(operation.view_func), "throttles": None})
        return
    entry = {"path": path, "methods": [], "handler": None, "throttles": None}
    try:
        entry["handler"] = handler_name(callback)
        cls = getattr(callback, "cls", None)
        view_class = getattr(callback, "view_class", None)
        is_drf = cls is not None and isinstance(cls, type) and issubclass(cls, APIView)
        if is_drf:
            entry["methods"] = served_by_class(cls, getattr(callback, "actions", None))
            entry["throttles"] = drf_throttles(callback, entry["methods"])
        elif view_class is not None and own_dispatch(view_class):
            entry["methods"] = served_by_calling(callback, sample_kwargs(pattern_chain))
        elif view_class is not None:
            entry["methods"] = served_by_class(view_class)
        else:
            entry["methods"] = served_by_calling(callback, sample_kwargs(pattern_chain))
        if BOUND:
            entry["verdicts"] = measure(callback, pattern_chain, entry["methods"], BOUND)
    except Exception as exc:
        entry["error"] = "%s: %s" % (type(exc).__name__, exc)
    out.append(entry)


def walk_model_admin_urls(resolver, prefix, chain, out):
    """The URLs a site's ModelAdmins add to the standard ones, under <app_label>/<model_name>/ as the site serves them."""
    from django.contrib.admin import ModelAdmin
    from django.contrib.admin.sites import all_sites

    for site in [s for s in all_sites if s.name == resolver.namespace]:
        for model, model_admin in site._registry.items():
            standard = {str(p.pattern) for p in ModelAdmin.get_urls(model_admin)}
            own = [p for p in model_admin.get_urls() if str(p.pattern) not in standard]
            model_path = "%s%s/%s/" % (prefix, model._meta.app_label, model._meta.model_name)
            walk(own, model_path, chain + [resolver.pattern], out)


def walk(patterns, prefix, chain, out):
    from django.urls import URLPattern, URLResolver

    for item in patterns:
        path = prefix + pattern_text(item.pattern)
        if isinstance(item, URLResolver):
            if item.app_name == "admin":
                out.append({"path": path, "methods": ["*"], "handler": "django.contrib.admin.site.urls",
                            "throttles": None})
                walk_model_admin_urls(item, path, chain, out)
                continue
            walk(item.url_patterns, path, chain + [item.pattern], out)
        elif isinstance(item, URLPattern):
            emit(item.callback, path, chain + [item.pattern], out)


def url_routers(app, depth=0):
    """The Channels URLRouters an ASGI application is or wraps."""
    from channels.routing import URLRouter

    if isinstance(app, URLRouter):
        return [app]
    wrapped = [getattr(app, name) for name in ("inner", "application", "app") if getattr(app, name, None) is not None]
    return [r for inner in wrapped for r in url_routers(inner, depth + 1)] if depth < 12 else []


def accepts(application, path):
    """Whether the application accepts a WebSocket connection to `path` (converters and groups given "1")."""
    from asgiref.testing import ApplicationCommunicator

    sample = re.sub(r"<[^>]+>|\(\?P<\w+>[^)]*\)", "1", path)
    headers = [(b"host", b"localhost"), (b"origin", b"http://localhost")]
    scope = {"type": "websocket", "path": sample, "headers": headers, "query_string": b"", "subprotocols": [], "client": ("127.0.0.1", 1), "server": ("localhost", 80)}

    async def connect():
        communicator = ApplicationCommunicator(application, scope)
        await communicator.send_input({"type": "websocket.connect"})
        try:
            return (await communicator.receive_output(timeout=5))["type"] == "websocket.accept"
        except ValueError:  # "No route found for path"
            return False

    return asyncio.run(connect())


def walk_router(application, router, prefix, out):
    for route in router.routes:
        path = prefix + pattern_text(route.pattern)
        nested = url_routers(route.callback)
        if nested:
            for inner in nested:
                walk_router(application, inner, path, out)
            continue
        consumer = getattr(route.callback, "consumer_class", route.callback)
        if accepts(application, path):
            out.append({"path": path, "methods": [], "handler": dotted(consumer), "throttles": None})


def walk_channels(out):
    """The WebSocket routes of the ASGI_APPLICATION's ProtocolTypeRouter, if the settings name one."""
    from django.conf import settings

    if not getattr(settings, "ASGI_APPLICATION", None):
        return
    module, _, name = settings.ASGI_APPLICATION.rpartition(".")
    application = getattr(importlib.import_module(module), name)
    for router in url_routers(application.application_mapping.get("websocket")):
        walk_router(application, router, "/", out)


BOUND = 0  # --measure N
ROOT = "/"  # the fixture's folder


def main():
    global BOUND, ROOT
    if "--measure" in sys.argv:
        BOUND = int(sys.argv[sys.argv.index("--measure") + 1])
    # `settings@urlconf` walks another URLconf under those settings, as django-hosts serves a host's.
    root, (settings_module, _, urlconf) = sys.argv[1], sys.argv[2].partition("@")
    sys.path.insert(0, os.path.abspath(root))
    ROOT = os.path.join(os.path.abspath(root), "")
    # A fixture's vendored/ folder stands in for installed third-party packages the scan does not see;
    # its .venv's site-packages for installed packages the scan reads as source.
    sys.path.append(os.path.join(os.path.abspath(root), "vendored"))
    sys.path.extend(glob.glob(os.path.join(os.path.abspath(root), ".venv", "lib", "python3*", "site-packages")))
    sys.meta_path.insert(0, StubFinder())
    os.environ["DJANGO_SETTINGS_MODULE"] = settings_module

    import django
    from django.test.utils import setup_test_environment
    from django.urls import get_resolver

    django.setup()
    if BOUND:
        from django.conf import settings

        # Counters in memory whatever backend the settings name; the measurement clears them per method.
        settings.CACHES = {alias: {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": alias} for alias in settings.CACHES}
    setup_test_environment()  # lets RequestFactory's "testserver" host past ALLOWED_HOSTS
    logging.getLogger("django.request").setLevel(logging.ERROR)  # no "Method Not Allowed" chatter
    out = []
    walk(get_resolver(urlconf or None).url_patterns, "/", [], out)
    if not urlconf:
        walk_channels(out)
    print(json.dumps(sorted(out, key=lambda r: (r["path"], r["methods"])), indent=1))


if __name__ == "__main__":
    main()
