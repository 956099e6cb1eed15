"""headers_enabled=True: over-limit answers carry Retry-After. A path parameter and a write route, too."""
from flask import Flask
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

app = Flask(__name__)
limiter = Limiter(get_remote_address, app=app, storage_uri="memory://", headers_enabled=True)


@app.route("/items/<int:item_id>")
@limiter.limit("4/minute")
def item(item_id):
    return {"id": item_id}


@app.route("/login", methods=["POST"])
@limiter.limit("3/minute")
def login():
    return {"ok": True}
