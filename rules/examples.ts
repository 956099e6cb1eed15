/** Rule examples share one shape per framework: a one-file app with its limiter, then the routes that matter. */
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

/** A one-file FastAPI app with a slowapi limiter (`limiterArguments` after the key function) and one login route. */
export function slowapiLogin(decorators: string, limiterArguments = '', keyFunc = 'get_remote_address'): string {
  return `from fastapi import FastAPI, Request
from slowapi import Limiter, _rate_limit_exceeded_handler
from slowapi.errors import RateLimitExceeded
from slowapi.util import ${keyFunc}

limiter = Limiter(key_func=${keyFunc}${limiterArguments})
app = FastAPI()
app.state.limiter = limiter
app.add_exception_handler(RateLimitExceeded, _rate_limit_exceeded_handler)

${decorators.replace('{route}', '@app.post("/login")')}
def login(request: Request):
    return {"token": "t"}
`;
}

/** A one-file Django project (its own settings and URLconf) with a DRF login view; `throttling` goes in the class. */
export function drfLogin(rates: string, throttling: string): string {
  return `from django.urls import path
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

ROOT_URLCONF = "app"
REST_FRAMEWORK = {"DEFAULT_THROTTLE_RATES": {${rates}}}


class LoginView(APIView):
${throttling}
    def post(self, request):
        return Response({"token": "t"})


urlpatterns = [path("login/", LoginView.as_view())]
`;
}

/** The same login limited at `rate` by DRF's ScopedRateThrottle; `settings` adds REST_FRAMEWORK entries. */
export function drfScopedLogin(rate: string, settings = ''): string {
  return drfLogin(`"login": "${rate}"`, '    throttle_classes = [ScopedRateThrottle]\n    throttle_scope = "login"\n').replace('REST_FRAMEWORK = {', `REST_FRAMEWORK = {${settings}`);
}
