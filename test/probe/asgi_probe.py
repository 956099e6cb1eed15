"""Ground-truth probe: loads FastAPI/Starlette fixture apps with the real frameworks (Debian's system
interpreter) and prints every route they serve as JSON: kind, full path and methods, walking Mounts.

Limiter libraries that Debian does not package (slowapi, fastapi-limiter, asgi-ratelimit, pyrate-limiter)
are replaced by permissive stand-ins unless their source is importable (PYTHONPATH): decorators pass the
function through, constructors accept anything. They never add or remove a route, so the route inventory is
the framework's own.

With --measure N (real slowapi, fastapi-limiter 0.1 or asgi-ratelimit on the path), each route and method is
also sent up to N requests through the app, counters reset in between (slowapi's kept in memory whatever storage
it names; fastapi-limiter's and asgi-ratelimit's in Redis on localhost, flushed): the first over-limit answer (429, or
a status other than the first one) gives the real threshold, as the Flask probe measures.

Usage: python3 asgi_probe.py <fixture-dir> <module:attr> [<module:attr> ...] [--measure N]
"""
import asyncio
import importlib
import importlib.abc
import importlib.machinery
import inspect
import json
import os
import re
import sys
import types

# The limiter libraries Debian lacks, from their descriptors (the test sets it), and an app dependency it lacks.
STUBBED = set(os.environ["PROBE_STAND_INS"].split(",")) | {"pydantic_settings"}
VERBS = ["get", "post", "put", "patch", "delete", "options", "head", "trace"]
# A request not answered within this many seconds is held by its limiter (fastapi-limiter 0.2 `blocking=True`).
ANSWER_WITHIN = 2
DELAYED = "delayed"


class AnythingType(type):
    """Class attributes of stand-in classes (`Duration.SECOND`) are stand-ins too."""

    def __getattr__(cls, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return Anything()


class Anything(metaclass=AnythingType):
    """Stands in for any object of a stubbed library."""

    # FastAPI reads a dependency's signature: a stand-in dependency takes no parameters.
    __signature__ = inspect.Signature()

    def __init__(self, *args, **kwargs):
        pass

    def __call__(self, *args, **kwargs):
        # Used as a decorator (`@limiter.limit(...)`, `@limiter.exempt`): give the function back.
        if len(args) == 1 and not kwargs and callable(args[0]):
            return args[0]
        return Anything()

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return Anything()

    def __iter__(self):
        return iter(())

    def __mul__(self, other):
        return self

    __rmul__ = __add__ = __radd__ = __mul__


class StubModule(types.ModuleType):
    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        if name == "BaseSettings":
            import pydantic

            return pydantic.BaseSettings
        if name[:1].isupper():
            return type(name, (Anything,), {})
        return Anything()


class StubFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    def find_spec(self, fullname, path, target=None):
        top = fullname.split(".")[0]
        if top in STUBBED and importlib.machinery.PathFinder.find_spec(top) is None:
            return importlib.machinery.ModuleSpec(fullname, self, is_package=True)
        return None

    def create_module(self, spec):
        module = StubModule(spec.name)
        module.__path__ = []
        return module

    def exec_module(self, module):
        pass


def load(target):
    module_name, _, attr = target.partition(":")
    obj = getattr(importlib.import_module(module_name), attr)
    return obj() if inspect.isfunction(obj) else obj


def walk(routes, prefix, out):
    from starlette.routing import Mount, Route, WebSocketRoute

    for route in routes:
        if getattr(getattr(route, "endpoint", None), "__module__", "") == "fastapi.applications":
            continue  # FastAPI's own /docs, /redoc, /openapi.json
        if isinstance(route, Mount):
            walk(route.routes, prefix + route.path, out)
        elif isinstance(route, WebSocketRoute) or type(route).__name__ == "APIWebSocketRoute":
            out.append({"kind": "websocket", "path": prefix + route.path, "methods": []})
        elif isinstance(route, Route) or hasattr(route, "methods"):
            methods = route.methods
            if methods is None:  # a class endpoint answers the verbs it defines (HEAD with GET)
                methods = {v.upper() for v in VERBS if hasattr(route.endpoint, v)}
                if "GET" in methods:
                    methods.add("HEAD")
            out.append({"kind": "http", "path": prefix + route.path, "methods": sorted(methods)})


def run_async(coroutine):
    """One event loop for the app's whole life, as under a server: clients made at startup (Redis) keep working."""
    import asyncio

    global LOOP
    LOOP = LOOP or asyncio.new_event_loop()
    return LOOP.run_until_complete(coroutine)


LOOP = None


def started(app):
    """Runs the app's lifespan startup as a server does before serving, so routes added there are served."""
    import asyncio

    async def run():
        messages = [{"type": "lifespan.startup"}]
        complete = asyncio.Event()

        async def receive():
            if messages:
                return messages.pop(0)
            await complete.wait()
            return {"type": "lifespan.shutdown"}

        async def send(message):
            if message["type"].startswith("lifespan.startup."):
                complete.set()

        await app({"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}}, receive, send)

    run_async(run())
    return app


LIMITERS = []  # every real slowapi Limiter made, to reset between measurements


def real(module):
    return importlib.machinery.PathFinder.find_spec(module) is not None


def count_in_memory():
    """Real slowapi keeps its counters in memory, whatever storage the fixture names, and is reset per measurement."""
    if not real("slowapi"):
        return
    import slowapi.extension
    from limits.storage import MemoryStorage

    slowapi.extension.storage_from_string = lambda uri, **options: MemoryStorage()
    init = slowapi.extension.Limiter.__init__

    def remembered(self, *args, **kwargs):
        init(self, *args, **kwargs)
        LIMITERS.append(self)

    slowapi.extension.Limiter.__init__ = remembered


def reset_counters():
    for limiter in LIMITERS:
        limiter.reset()
    if real("fastapi_limiter"):  # fastapi-limiter 0.1 counts in the Redis its app connected at startup (0.2 has none)
        connected = getattr(getattr(importlib.import_module("fastapi_limiter"), "FastAPILimiter", None), "redis", None)
        if connected is not None:
            run_async(connected.flushdb())
    if real("ratelimit"):  # asgi-ratelimit's Redis backends use the default localhost:6379
        import redis

        try:
            redis.Redis().flushdb()
        except redis.exceptions.ConnectionError:
            pass


def status_of(app, method, path):
    async def run():
        sent = []
        body = [{"type": "http.request", "body": b"", "more_body": False}]
        # One client at a public address: asgi-ratelimit's client_ip refuses loopback and private ones.
        scope = {
            "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method, "scheme": "http",
            "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "",
            "headers": [(b"host", b"testserver")], "client": ("1.2.3.4", 50000), "server": ("testserver", 80),
        }

        async def receive():
            return body.pop(0) if body else {"type": "http.disconnect"}

        async def send(message):
            sent.append(message)

        try:
            await asyncio.wait_for(app(scope, receive, send), ANSWER_WITHIN)
        except asyncio.TimeoutError:  # a blocking limiter holds the request instead of refusing it
            return DELAYED
        except Exception:  # an error the app lets out is a 500 to the client
            return 500
        return next((m["status"] for m in sent if m["type"] == "http.response.start"), 500)

    return run_async(run())


def measure(app, route, method, bound):
    reset_counters()
    path = re.sub(r"\{[^}]+\}", "7", route["path"])
    first = None
    for i in range(bound):
        status = status_of(app, method, path)
        if status in (429, DELAYED) or (first is not None and status != first):
            return {"limited": True, "threshold": i, **({"delayed": True} if status == DELAYED else {})}
        if first is None:
            first = status
    # Every answer a 500: the route fails before any limit (a fixture's missing auth), so nothing is measured.
    return {"limited": False, "threshold": None, **({"errored": True} if first == 500 else {})}


def main():
    args = sys.argv[1:]
    bound = int(args[args.index("--measure") + 1]) if "--measure" in args else 0
    if bound:
        del args[args.index("--measure"):args.index("--measure") + 2]
    root, targets = args[0], args[1:]
    sys.path.insert(0, root)
    sys.meta_path.insert(0, StubFinder())
    if bound and not any(real(library) for library in ("slowapi", "fastapi_limiter", "ratelimit")):
        sys.exit("--measure needs the real slowapi, fastapi-limiter or asgi-ratelimit on PYTHONPATH")
    if bound:
        count_in_memory()
    out = []
    for target in targets:
        app = load(target)
        # PROBE_LIFESPAN=1: the fixture adds routes during startup.
        app = started(app) if os.environ.get("PROBE_LIFESPAN") == "1" else app
        found = []
        walk(app.routes, "", found)
        for route in found if bound else []:
            automatic = {"HEAD", "OPTIONS"} if len(route["methods"]) > 1 else set()
            route["verdicts"] = {m: measure(app, route, m, bound) for m in route["methods"] if m not in automatic}
            route["module"] = target.partition(":")[0]  # apps of one fixture may serve the same path
        out.extend(found)
    print(json.dumps(sorted(out, key=lambda r: (r["path"], r["methods"])), indent=1))


if __name__ == "__main__":
    main()
