/** Rule examples share one shape: a one-file Flask app with a Flask-Limiter, then the routes that matter. */
export function flaskLimiterApp(limiterArguments: string, routes: string): string {
  return `from flask import Flask
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
app = Flask(__name__)
limiter = Limiter(${limiterArguments})

${routes}`;
}

/** The login route most examples turn on, limited at `rate`. */
export function limitedLogin(rate: string): string {
  return `@app.route("/login", methods=["POST"])
@limiter.limit("${rate}")
def login():
    return "ok"
`;
}
