/** Class attributes a limit rests on are read where Python finds them: a base the scan cannot read, found first, leaves the route unknown. */
import { extractFacts } from '../src/python/facts';
import { pythonParser } from '../src/parse';
import { analyzeModules } from '../src/scan';

function routeOf(source: string, file: string): { status: string; evidence: string[] } {
  const [route] = analyzeModules([extractFacts(pythonParser().parse(source).rootNode, file)]);
  return { status: route.status, evidence: route.evidence.map((e) => e.message) };
}

test("a Flask class view's decorators behind a base the scan cannot read are unknown", () => {
  const source = `from flask import Flask
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from vendored.views import BaseView

app = Flask(__name__)
limiter = Limiter(get_remote_address, app=app)

class Limited:
    decorators = [limiter.limit("3/minute")]

class Quote(BaseView, Limited):
    def post(self):
        return "ok"

app.add_url_rule("/quote", view_func=Quote.as_view("quote"), methods=["POST"])
`;
  expect(routeOf(source, 'app.py')).toEqual({ status: 'unknown', evidence: ["which `decorators` wrap `Quote` cannot be read: its base `vendored.views.BaseView`, which is not in the project, may set it first"] });
  // Listed first, the mixin's list is the one Python finds.
  expect(routeOf(source.replace('class Quote(BaseView, Limited)', 'class Quote(Limited, BaseView)'), 'app.py').status).toBe('limited');
});

test('an explicit `object` base comes last, as in Python 3', () => {
  const source = `from flask import Flask
from flask.views import MethodView
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

app = Flask(__name__)
limiter = Limiter(get_remote_address, app=app)

class Marker(object):
    pass

class Limited:
    decorators = [limiter.limit("3/minute")]

class Quote(Marker, Limited, MethodView):
    def post(self):
        return "ok"

app.add_url_rule("/quote", view_func=Quote.as_view("quote"))
`;
  // The real Flask answers 429 at the fourth POST.
  expect(routeOf(source, 'app.py').status).toBe('limited');
});
