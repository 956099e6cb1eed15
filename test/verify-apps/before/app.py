"""Before the fix: Flask-Limiter is set up, but /search has no limit."""
from flask import Flask
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

app = Flask(__name__)
limiter = Limiter(get_remote_address, app=app, storage_uri="memory://")


@app.route("/search")
def search():
    return {"results": []}
