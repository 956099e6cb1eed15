"""Serves the Flask app of the directory given as argument on 127.0.0.1:$PORT, single-threaded, and prints READY."""
import os
import sys

from werkzeug.serving import make_server

sys.path.insert(0, sys.argv[1])
from app import app  # noqa: E402

server = make_server("127.0.0.1", int(os.environ["PORT"]), app)
print("READY", flush=True)
server.serve_forever()
