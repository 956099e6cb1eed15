"""Ground-truth probe: loads a Flask fixture app with the real Flask (Debian's system interpreter) and prints
its URL map as JSON. With --measure it also sends requests through the test client until the first over-limit
answer (bounded) for every rule and method, giving the real limited/unlimited verdict and threshold. Limiters
count in memory whatever storage they name: verdicts do not depend on where counters live, and no server runs.

Usage: python3 flask_probe.py <fixture-dir> <module[:attr]> [--measure N] [--skip REGEX]
(--skip: endpoints to leave out, such as the views a library adds to every app.)
"""
import importlib
import json
import re
import sys

AUTOMATIC = {"HEAD", "OPTIONS"}
SAMPLES = {"int": "7", "float": "1.5", "path": "a/b", "uuid": "12345678-1234-5678-1234-567812345678"}


def find_app(module, attr):
    from flask import Flask

    if attr:
        obj = getattr(module, attr)
        return obj() if callable(obj) and not isinstance(obj, Flask) else obj
    for value in vars(module).values():
        if isinstance(value, Flask):
            return value
    return module.create_app()


def sample_url(rule):
    def value(match):
        converter = (match.group(1) or "default").split("(")[0]
        return SAMPLES.get(converter, "x")

    return re.sub(r"<(?:([^:<>]+):)?[^<>]+>", value, rule.rule)


def reset_limiters(app):
    # Counters persist across requests in one process: start every measurement from zero.
    limiters = app.extensions.get("limiter", ())
    for limiter in limiters if isinstance(limiters, (set, list, tuple)) else [limiters]:
        limiter.reset()


def count_in_memory():
    import flask_limiter.extension
    from limits.storage import MemoryStorage

    flask_limiter.extension.storage_from_string = lambda uri, **options: MemoryStorage()


def measure(app, rule, method, bound):
    reset_limiters(app)
    client = app.test_client()
    url = sample_url(rule)
    first = None
    for i in range(bound):
        status = client.open(url, method=method).status_code
        # Over the limit: a 429, or what a custom 429 handler or on_breach callback answers instead (e.g. 403).
        if status == 429 or (first is not None and status != first):
            return {"limited": True, "threshold": i}
        if first is None:
            first = status
    return {"limited": False, "threshold": None}


def main():
    root, target = sys.argv[1], sys.argv[2]
    bound = int(sys.argv[sys.argv.index("--measure") + 1]) if "--measure" in sys.argv else 0
    skip = re.compile(sys.argv[sys.argv.index("--skip") + 1]) if "--skip" in sys.argv else None
    sys.path.insert(0, root)
    count_in_memory()
    module_name, _, attr = target.partition(":")
    app = find_app(importlib.import_module(module_name), attr)
    routes = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: (r.rule, sorted(r.methods))):
        if app.view_functions[rule.endpoint].__module__.split(".")[0] in ("flask", "flask_restx"):
            continue  # what Flask and Flask-RESTX serve themselves: static files, the API's spec and its docs
        if skip and skip.match(rule.endpoint):
            continue
        entry = {"path": rule.rule, "methods": sorted(rule.methods), "endpoint": rule.endpoint}
        if bound:
            entry["verdicts"] = {m: measure(app, rule, m, bound) for m in sorted(rule.methods - AUTOMATIC)}
        routes.append(entry)
    print(json.dumps(routes, indent=1, sort_keys=True))


if __name__ == "__main__":
    main()
