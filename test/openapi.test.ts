/** `scan --openapi`: the inventory against the spec, matched by method and path shape, JSON or YAML. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathShape } from '../src/openapi';
import { runCli } from './support/run-cli';

test('every parameter syntax is one parameter; anchors, escapes and a trailing slash do not count', () => {
  expect(pathShape('/orders/<int:order_id>')).toBe('/orders/{}');
  expect(pathShape('/orders/{order_id}')).toBe('/orders/{}');
  expect(pathShape('/files/{name:path}')).toBe('/files/{}');
  expect(pathShape('/api/books/(?P<pk>[^/.]+)/')).toBe('/api/books/{}');
  expect(pathShape('/legacy/(?P<slug>[-\\w]+(?:-(?P<n>\\d+))?)/$')).toBe('/legacy/{}');
  expect(pathShape('/auth/token/login/?')).toBe('/auth/token/login');
  expect(pathShape('/')).toBe('/');
});

const SPEC = {
  swagger: '2.0',
  basePath: '/',
  paths: {
    '/login': { post: { responses: { 200: { description: 'ok' } } } },
    '/signup': { post: { responses: { 429: { description: 'slow down' } } } },
    '/orders/{order_id}': { get: { responses: { 200: { description: 'ok', headers: { 'Retry-After': { type: 'integer' } } } } } },
    '/legacy': { get: { responses: {} } },
  },
};

test('operations missing on either side, 429s documented or not, in JSON', async () => {
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'apiposture-openapi-')), 'swagger.json');
  writeFileSync(file, JSON.stringify(SPEC));
  const { code, stdout } = await runCli(['scan', 'fixtures/flask/shop', '-f', 'json', '--openapi', file]);
  expect(code).toBe(1);
  const { openapi } = JSON.parse(stdout);
  const ops = (list: { method: string; path: string }[]) => list.map((o) => `${o.method} ${o.path}`);
  expect(openapi.operations).toBe(4);
  expect(ops(openapi.inSpecOnly)).toEqual(['GET /legacy']);
  expect(ops(openapi.limitedWithout429)).toEqual(['POST /login']);
  expect(ops(openapi.documented429Unlimited)).toEqual(['POST /signup']);
  expect(ops(openapi.inCodeOnly)).toContain('DELETE /orders/<int:order_id>');
  expect(ops(openapi.inCodeOnly)).not.toContain('GET /orders/<int:order_id>');
});

test('YAML with an OpenAPI 3 server path; a document without paths is a usage error', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'apiposture-openapi-'));
  writeFileSync(path.join(dir, 'api.yaml'), 'openapi: 3.0.3\nservers:\n  - url: https://example.com/v1\npaths:\n  /login:\n    post:\n      responses:\n        "429": {description: slow down}\n');
  const { stdout } = await runCli(['scan', 'fixtures/flask/shop', '-f', 'json', '--openapi', path.join(dir, 'api.yaml')]);
  expect(JSON.parse(stdout).openapi.inSpecOnly).toEqual([{ method: 'POST', path: '/v1/login' }]);
  writeFileSync(path.join(dir, 'empty.yaml'), 'openapi: 3.0.3\n');
  const bad = await runCli(['scan', 'fixtures/flask/shop', '--openapi', path.join(dir, 'empty.yaml')]);
  expect(bad.code).toBe(2);
  expect(bad.stderr).toContain('no `paths` object: not an OpenAPI or Swagger document');
});
