import type { Evidence, Limit } from '../src/model';
import { predictLimit, predictRoute } from '../src/limiter/predict';

const limit = (rate: string, more: Partial<Limit> = {}): Limit => ({ rate, source: 'decorator', library: 'flask-limiter', scope: 'route', file: 'app.py', line: 1, ...more });
const noRetry: Evidence = { file: 'app.py', line: 1, message: 'no Retry-After', concern: 'no-retry-signal' };

test('a window limit admits its count, then 429 with Retry-After', () => {
  expect(predictLimit(limit('5/minute'), [])).toEqual({ admitted: 5, status: 429, retryAfter: true, rate: '5/minute' });
  expect(predictLimit(limit('5/minute', { algorithm: 'moving-window' }), [])?.admitted).toBe(5);
});

test('a multi-item rate admits its smallest count', () => {
  expect(predictLimit(limit('100/day;10 per hour;20/minute'), [])?.admitted).toBe(10);
});

test('no-retry-signal evidence means no Retry-After is expected', () => {
  expect(predictLimit(limit('5/minute'), [noRetry])?.retryAfter).toBe(false);
});

test('django-ratelimit rejects with 403 and no Retry-After, in its own grammar', () => {
  expect(predictLimit(limit('3/m', { library: 'django-ratelimit' }), [])).toEqual({ admitted: 3, status: 403, retryAfter: false, rate: '3/m' });
});

test('buckets and unreadable rates are not predicted', () => {
  expect(predictLimit(limit('5/minute', { algorithm: 'token-bucket' }), [])).toBeUndefined();
  expect(predictLimit(limit('5/m'), [])).toBeUndefined();
});

test('a route rejects at its tightest limit covering the method and anonymous clients', () => {
  const route = {
    evidence: [],
    limits: [
      limit('10/minute'),
      limit('2/minute', { methods: ['POST'] }),
      limit('1/minute', { principals: ['authenticated'] }),
      limit('4/hour', { library: 'drf', principals: ['anonymous'] }),
    ],
  };
  expect(predictRoute(route, 'GET')).toMatchObject({ admitted: 4, rate: '4/hour' });
  expect(predictRoute(route, 'POST')).toMatchObject({ admitted: 2, rate: '2/minute' });
  expect(predictRoute({ evidence: [], limits: [limit('2/minute', { methods: ['POST'] })] }, 'GET')).toBeUndefined();
  expect(predictRoute({ evidence: [], limits: [limit('2/minute'), limit('bad')] }, 'GET')).toBeUndefined();
});
