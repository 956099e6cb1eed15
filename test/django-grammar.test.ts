/** django-ratelimit and DRF rate strings, read exactly as each library reads them (reference C.2, C.3). */
import { parseDjangoRatelimitRate, parseDrfRate } from '../src/ratelimit/grammar';

const window = (parsed: ReturnType<typeof parseDrfRate>): string => (parsed.ok ? `${parsed.item.count}/${parsed.item.seconds}s${parsed.note ? ' (note)' : ''}` : 'error');

test.each([
  ['5/m', '5/60s'], ['5/minute', '5/60s'], ['5/min', '5/60s'], ['100/h', '100/3600s'], ['1000/d', '1000/86400s'],
  ['10/5m', '10/300s'], ['5/s', '5/1s'], ['5/', '5/1s'], ['5/10', '5/10s'],
  ['5/M', '5/1s (note)'], ['5/w', '5/1s (note)'], ['5/month', '5/60s (note)'], ['10/m;100/h', '10/60s (note)'], ['5/ m', '5/1s (note)'],
  ['5 / m', 'error'], ['five/m', 'error'], ['5/0m', 'error'],
])('django-ratelimit reads %s as %s', (text, expected) => {
  expect(window(parseDjangoRatelimitRate(text))).toBe(expected);
});

test.each([
  ['100/day', '100/86400s'], ['100/d', '100/86400s'], ['5/min', '5/60s'], ['1000/hour', '1000/3600s'], ['3/sec', '3/1s'],
  ['100/dinosaur', '100/86400s (note)'], ['5/month', '5/60s (note)'],
  ['5/10m', 'error'], ['5/M', 'error'], ['5/week', 'error'], ['5/ m', 'error'], ['5/m/x', 'error'], ['5.0/m', 'error'], ['5/', 'error'],
])('DRF reads %s as %s', (text, expected) => {
  expect(window(parseDrfRate(text))).toBe(expected);
});
