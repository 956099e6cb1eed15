"""Replays request traces on the real `limits` package (MemoryStorage) under a virtual clock.

Input (stdin): JSON list of traces {"strategy": "fixed-window", "limit": "5/minute", "requests": [[time, key, cost], ...]}.
Output (stdout): JSON list of strings, one per trace, "1" for each admitted request and "0" for each refused one.
Run with Debian's interpreter: /usr/bin/python3 test/probe/limits_replay.py < traces.json
"""
import json
import sys

import limits
import limits.storage.memory as memory
from limits.strategies import STRATEGIES

from virtual_clock import clock


def replay(trace):
    storage = memory.MemoryStorage()  # the limiter holds only a weak reference
    limiter = STRATEGIES[trace["strategy"]](storage)
    item = limits.parse(trace["limit"])
    decisions = []
    for time, key, cost in trace["requests"]:
        clock[0] = time
        decisions.append("1" if limiter.hit(item, key, cost=cost) else "0")
    return "".join(decisions)


json.dump([replay(trace) for trace in json.load(sys.stdin)], sys.stdout)
