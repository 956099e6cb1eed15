"""A virtual clock for the `limits` memory storage, shared by the replay probes.

The storage reads time.time(); `clock[0]` replaces it. Its expiry timer thread is switched off: it only drops
state that lookups already treat as expired, and a background thread would make replays nondeterministic.
"""
import types

import limits.storage.memory as memory

clock = [0.0]
memory.time = types.SimpleNamespace(time=lambda: clock[0])


class NoTimer:
    def __init__(self, *_args, **_kwargs):
        pass

    def start(self):
        pass

    def is_alive(self):
        return True


memory.threading = types.SimpleNamespace(Timer=NoTimer)
