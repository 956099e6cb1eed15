"""Ground-truth probe: loads a Quart fixture app with the real Quart (Debian's system interpreter) and prints the
rules of its URL map as JSON, WebSocket rules with no methods. Quart-Rate-Limiter and quart-cors, which Debian does not
package, are permissive stand-ins unless their source is importable (PYTHONPATH); with Quart-Rate-Limiter's and
--measure N, each HTTP rule and method is sent up to N requests through the test client, and each WebSocket rule up to
N connections, counts reset in between: the first over-limit answer gives the real threshold, as the Flask probe
measures.

Usage: python3 quart_probe.py <fixture-dir> <module:attr> [--measure N]
"""
import asyncio
import importlib
import json
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
os.environ.setdefault("PROBE_STAND_INS", "quart_rate_limiter,quart_cors")
from asgi_probe import StubFinder, real  # noqa: E402
from flask_probe import AUTOMATIC, sample_url  # noqa: E402

LIMITERS = []  # every real RateLimiter made, its counts reset per measurement


def remember_limiters():
    import quart_rate_limiter

    init = quart_rate_limiter.RateLimiter.__init__

    def remembered(self, *args, **kwargs):
        init(self, *args, **kwargs)
        LIMITERS.append(self)

    quart_rate_limiter.RateLimiter.__init__ = remembered


def reset_counts():
    from quart_rate_limiter.store import MemoryStore

    for limiter in LIMITERS:
        limiter.store = MemoryStore()


async def measure(client, url, method, bound):
    reset_counts()
    first = None
    for i in range(bound):
        try:
            status = (await client.open(url, method=method)).status_code
        except Exception:  # raised past the app (Flask-Limiter on Quart): the server would answer 500
            status = 500
        if status == 429 or (first is not None and status != first):
            return {"limited": True, "threshold": i}
        if first is None:
            first = status
    return {"limited": False, "threshold": None}


async def measure_websocket(client, url, bound):
    reset_counts()
    for i in range(bound):
        try:
            async with client.websocket(url) as connection:
                await connection.receive()
        except Exception:  # the test client raises on a refused connection
            return {"limited": True, "threshold": i}
    return {"limited": False, "threshold": None}


async def main():
    root, target = sys.argv[1], sys.argv[2]
    bound = int(sys.argv[sys.argv.index("--measure") + 1]) if "--measure" in sys.argv else 0
    sys.path.insert(0, root)
    sys.meta_path.insert(0, StubFinder())  # stands in for a library only where its source is not importable
    if real("quart_rate_limiter"):
        remember_limiters()
    module_name, _, attr = target.partition(":")
    app = getattr(importlib.import_module(module_name), attr)
    client = app.test_client()
    routes = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: (r.rule, sorted(r.methods))):
        if rule.endpoint == "static":
            continue
        methods = [] if rule.websocket else sorted(rule.methods)
        entry = {"path": rule.rule, "methods": methods, "endpoint": rule.endpoint, "websocket": rule.websocket}
        if bound:
            url = sample_url(rule)
            if rule.websocket:
                entry["verdicts"] = {"WS": await measure_websocket(client, url, bound)}
            else:
                entry["verdicts"] = {m: await measure(client, url, m, bound) for m in sorted(rule.methods - AUTOMATIC)}
        routes.append(entry)
    print(json.dumps(routes, indent=1, sort_keys=True))


if __name__ == "__main__":
    asyncio.run(main())
