"""Replays request traces through a real Flask app limited by Flask-Limiter (MemoryStorage) under a virtual clock.

Input (stdin): JSON list of traces {"strategy": "fixed-window", "limit": "5/minute;1/second", "requests": [[time, key,
cost], ...]}. Each trace gets a fresh app whose one route carries `@limiter.limit(limit, cost=...)`, keyed by the
X-Key header, with the cost read from X-Cost. Output (stdout): JSON list of strings, one per trace, "1" for each
admitted request and "0" for each one answered 429.
Run with Debian's interpreter: /usr/bin/python3 test/probe/flask_limiter_replay.py < traces.json
"""
import json
import logging
import sys

import flask
from flask_limiter import Limiter

from virtual_clock import clock

logging.disable(logging.CRITICAL)


def replay(trace):
    app = flask.Flask(__name__)
    limiter = Limiter(lambda: flask.request.headers["X-Key"], app=app, storage_uri="memory://", strategy=trace["strategy"])

    @app.route("/")
    @limiter.limit(trace["limit"], cost=lambda: int(flask.request.headers["X-Cost"]))
    def index():
        return "ok"

    client = app.test_client()
    decisions = []
    for time, key, cost in trace["requests"]:
        clock[0] = time
        status = client.get("/", headers={"X-Key": key, "X-Cost": str(cost)}).status_code
        decisions.append("0" if status == 429 else "1")
    return "".join(decisions)


json.dump([replay(trace) for trace in json.load(sys.stdin)], sys.stdout)
