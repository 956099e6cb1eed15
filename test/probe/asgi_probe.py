"""Ground-truth probe: loads FastAPI/Starlette fixture apps with the real frameworks (Debian's system
interpreter) and prints every route they serve as JSON: kind, full path and methods, walking Mounts.

Limiter libraries that Debian does not package (slowapi, fastapi-limiter, asgi-ratelimit, pyrate-limiter)
are replaced by permissive stand-ins: decorators pass the function through, constructors accept anything.
They never add or remove a route, so the route inventory is the framework's own.

Usage: python3 asgi_probe.py <fixture-dir> <module:attr> [<module:attr> ...]
"""
import importlib
import importlib.abc
import importlib.machinery
import inspect
import json
import os
import sys
import types

STUBBED = {"slowapi", "fastapi_limiter", "ratelimit", "pyrate_limiter", "pydantic_settings"}
VERBS = ["get", "post", "put", "patch", "delete", "options", "head", "trace"]


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
        if fullname.split(".")[0] in STUBBED:
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

    asyncio.run(run())
    return app


def main():
    root, targets = sys.argv[1], sys.argv[2:]
    sys.path.insert(0, root)
    sys.meta_path.insert(0, StubFinder())
    out = []
    for target in targets:
        app = load(target)
        # PROBE_LIFESPAN=1: the fixture adds routes during startup.
        walk((started(app) if os.environ.get("PROBE_LIFESPAN") == "1" else app).routes, "", out)
    print(json.dumps(sorted(out, key=lambda r: (r["path"], r["methods"])), indent=1))


if __name__ == "__main__":
    main()
