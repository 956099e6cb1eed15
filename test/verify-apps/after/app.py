"""After the fix: /search allows 5 requests a minute per client (no rate-limit headers)."""
from flask import Flask
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

app = Flask(__name__)
limiter = Limiter(get_remote_address, app=app, storage_uri="memory://")


@app.route("/search")
@limiter.limit("5/minute")
def search():
    return {"results": []}
