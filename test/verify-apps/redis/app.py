"""Counters in Redis (storage URI from REDIS_URL); the tightest item of a multi-item rate rejects first."""
import os

from flask import Flask
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

app = Flask(__name__)
limiter = Limiter(get_remote_address, app=app, storage_uri=os.environ["REDIS_URL"], strategy="moving-window")


@app.route("/search")
@limiter.limit("100/day;5/minute")
def search():
    return {"results": []}
