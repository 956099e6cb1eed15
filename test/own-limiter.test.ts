/** A project's own limiter code, undeclared: named like a limiter and naming HTTP 429; never limited, never nothing. */
import { extractFacts } from '../src/python/facts';
import { pythonParser } from '../src/parse';
import { analyzeModules } from '../src/scan';
import { DEFAULT_CONFIG } from '../src/config';
import type { Route } from '../src/model';

/** The route at /x of a Flask app: `helpers` defines what `view`'s `decorator` and `body` use. */
function route(helpers: string, { decorator = '', body = '', head = '', config = DEFAULT_CONFIG } = {}): Route {
  const source = `from flask import Flask, request\n${head}\napp = Flask(__name__)\n\n${helpers}\n\n@app.route("/x", methods=["POST"])\n${decorator}\ndef view():\n    ${body}\n    return "ok"\n`;
  const [found] = analyzeModules([extractFacts(pythonParser().parse(source).rootNode, 'app.py')], undefined, config);
  return found;
}

/** A decorator `name` whose wrapper runs `check` before the view. */
const decoratorNamed = (name: string, check: string): string => `def ${name}(view):\n    def wrapped(*args, **kwargs):\n        ${check}\n        return view(*args, **kwargs)\n    return wrapped`;

test.each([
  ['a literal 429 in a nested function', 'if request.remote_addr in BLOCKED:\n            return "slow down", 429', ''],
  ['an HTTP_429 constant imported bare', 'if request.remote_addr in BLOCKED:\n            abort(HTTP_429_TOO_MANY_REQUESTS)', 'from starlette.status import HTTP_429_TOO_MANY_REQUESTS'],
  ['HTTPStatus.TOO_MANY_REQUESTS', 'if request.remote_addr in BLOCKED:\n            abort(HTTPStatus.TOO_MANY_REQUESTS)', 'from http import HTTPStatus'],
  ["werkzeug's TooManyRequests", 'if request.remote_addr in BLOCKED:\n            raise TooManyRequests()', 'from werkzeug.exceptions import TooManyRequests'],
])('a limit decorator naming 429 (%s) makes the route unknown, naming it', (_, check, head) => {
  const found = route(decoratorNamed('limit_guard', check), { decorator: '@limit_guard', head });
  expect(found.status).toBe('unknown');
  expect(found.evidence.map((e) => e.message)).toEqual([expect.stringMatching(/^`app\.limit_guard` \(app\.py:\d+\) wraps this route and refuses requests over a limit \(it names HTTP 429 Too Many Requests/)]);
});

test('a limiter the handler calls makes the route unknown', () => {
  const found = route('def check_rate_limit():\n    if request.remote_addr in BLOCKED:\n        abort(429)', { body: 'check_rate_limit()' });
  expect([found.status, found.evidence.map((e) => e.message.split(' and ')[0])]).toEqual(['unknown', ['`app.check_rate_limit` (app.py:5) is called by the handler']]);
});

test('code that names no 429, or is not named like a limiter, leaves the route unlimited', () => {
  expect(route(decoratorNamed('limit_guard', 'print(request.path)'), { decorator: '@limit_guard' }).status).toBe('unlimited');
  // 429 as part of another number, or in a string, is no answer.
  expect(route(decoratorNamed('limit_guard', 'print(4290, "429")'), { decorator: '@limit_guard' }).status).toBe('unlimited');
  // An error-mapping decorator names 429 among other answers.
  expect(route(decoratorNamed('api_errors', 'return "busy", 429'), { decorator: '@api_errors' }).status).toBe('unlimited');
});

test('a declared limiter counts; a library limit is kept', () => {
  const helpers = decoratorNamed('limit_guard', 'return "slow", 429');
  const limiter = { name: 'limit_guard', kind: 'decorator' as const, target: 'app.limit_guard', rate: '5/minute' };
  const declared = route(helpers, { decorator: '@limit_guard', config: { ...DEFAULT_CONFIG, limiters: [limiter] } });
  expect([declared.status, declared.limits.map((l) => l.rate)]).toEqual(['limited', ['5/minute']]);
  const head = 'from flask_limiter import Limiter\nfrom flask_limiter.util import get_remote_address';
  const library = route(`${helpers}\nlimiter = Limiter(get_remote_address, app=app, default_limits=["10/minute"])`, { decorator: '@limit_guard', head });
  expect([library.status, library.limits.map((l) => l.rate)]).toEqual(['limited', ['10/minute']]);
});

test('a before_request hook that is, or calls, a limiter makes the routes it runs before unknown, naming the hook', () => {
  const limiter = 'def throttle_clients():\n    if request.remote_addr in BLOCKED:\n        abort(429)';
  const itself = route(`${limiter}\n\napp.before_request(throttle_clients)`);
  expect([itself.status, itself.evidence.map((e) => e.message.split(' and ')[0])]).toEqual(['unknown', ['`app.throttle_clients` (app.py:5) runs before the handler (a before_request hook)']]);
  const calling = route(`${limiter}\n\n@app.before_request\ndef checks():\n    throttle_clients()`);
  expect(calling.evidence.map((e) => e.message.split(' and ')[0])).toEqual(['`app.throttle_clients` (app.py:5) is called by the before_request hook `checks` (app.py:10)']);
  // A hook cannot be declared as [[limiter]], so the message does not suggest it.
  expect(calling.evidence[0].message).toMatch(/does not evaluate$/);
  expect(route(`${limiter}\n\n@app.before_request\ndef checks():\n    print(request.path)`).status).toBe('unlimited');
});

test("counting with the `limits` library marks a limiter, and a strategy's hit in the handler itself counts", () => {
  const head = 'from limits import parse, storage, strategies';
  const strategy = 'window = strategies.MovingWindowRateLimiter(storage.MemoryStorage())\nPER_MINUTE = parse("5/minute")';
  // Called in a condition, the method's `self` is each instance the project constructs of its class.
  const limiter = `${strategy}\n\n\nclass RateLimit:\n    def __init__(self, window):\n        self.window = window\n\n    def hit(self, key):\n        return self.window.hit(PER_MINUTE, key)\n\n\nlogin_limit = RateLimit(window)`;
  const object = route(limiter, { head, body: 'if not login_limit.hit(request.remote_addr):\n        return "later"' });
  expect([object.status, object.evidence.map((e) => e.message.split(': ')[0])]).toEqual(['unknown', ['`app.RateLimit.hit` (app.py:13) is called by the handler and counts requests with the `limits` library (`MovingWindowRateLimiter.hit`)']]);
  const direct = route(strategy, { head, body: 'if not window.test(PER_MINUTE, request.remote_addr):\n        return "later"' });
  expect(direct.evidence.map((e) => e.message.split(': ')[0])).toEqual(['`window.test` (app.py:11) is called by the handler and counts requests with the `limits` library (`MovingWindowRateLimiter.test`)']);
  // Another object's `hit` is no counting.
  expect(route('class Game:\n    def hit(self, key):\n        return key', { head, body: 'Game().hit(1)' }).status).toBe('unlimited');
});

test('a limiter of the project that counts through another of its own is marked by it (Mailu\'s factory over its wrapper)', () => {
  const head = 'from limits import parse, storage, strategies';
  const wrapper = `class LimitWrapper:\n    def __init__(self, limiter, limit):\n        self.limiter = limiter\n        self.limit = limit\n\n    def hit(self, key):\n        return self.limiter.hit(self.limit, key)\n\n\nclass LimitFactory:\n    def __init__(self):\n        self.limiter = strategies.MovingWindowRateLimiter(storage.MemoryStorage())\n\n    def rate_limit_ip(self, ip):\n        LimitWrapper(self.limiter, parse("5/minute")).hit(ip)\n\n\nfactory = LimitFactory()`;
  const found = route(wrapper, { head, body: 'factory.rate_limit_ip(request.remote_addr)' });
  expect([found.status, found.evidence.map((e) => e.message.split(': ')[0])]).toEqual([
    'unknown',
    ['`app.LimitFactory.rate_limit_ip` (app.py:18) is called by the handler and calls `app.LimitWrapper.hit`, which counts requests with the `limits` library (`MovingWindowRateLimiter.hit`)'],
  ]);
});

test('a route the project\'s own limiters are not found on does not read that the project uses no rate limiter', () => {
  const limiter = 'def check_rate_limit():\n    if request.remote_addr in BLOCKED:\n        abort(429)';
  expect(route('').evidence.map((e) => e.message)).toEqual(['no rate limiter is used in this project']);
  const open = route(limiter);
  expect([open.status, open.evidence.map((e) => e.message)]).toEqual(['unlimited', ["no limiter library apiposture models is used in this project, and its own rate limiting code (`app.check_rate_limit` (app.py:5)) is not found running for this route (apiposture reads the route's decorators and dependencies, the handler's own calls and the hooks run before it)"]]);
  // A view that cannot be read may call it: said so, and the route stays unlimited, in front of a gate.
  const source = `from flask import Flask, request\n\napp = Flask(__name__)\n\n${limiter}\n\n\napp.add_url_rule("/x", "x", VIEWS["x"])\n`;
  const [unread] = analyzeModules([extractFacts(pythonParser().parse(source).rootNode, 'app.py')]);
  expect([unread.status, unread.evidence.map((e) => e.message)]).toEqual(['unlimited', ['no limiter library apiposture models is used in this project; whether its own rate limiting code (`app.check_rate_limit` (app.py:5)) runs for this route is not known: the handler\'s code is not found']]);
});
