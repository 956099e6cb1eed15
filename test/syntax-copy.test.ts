/**
 * Facts extraction reads a plain copy of the tree (src/python/syntax.ts) instead of native nodes; the
 * facts must be the same, byte for byte, on every fixture and on odd text. Positions are packed numbers.
 */
import fg from 'fast-glob';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pythonParser } from '../src/parse';
import { extractFacts } from '../src/python/facts';
import { columnOf, lineOf, locAt } from '../src/python/ir';
import { copyTree } from '../src/python/syntax';
import { scan } from '../src/scan';
import { ROOT } from './support/run-cli';

function sameFacts(text: string, file = 'm.py'): void {
  const tree = pythonParser().parse(text);
  expect(JSON.stringify(extractFacts(copyTree(tree, text), file))).toBe(JSON.stringify(extractFacts(tree.rootNode, file)));
}

const FIXTURE_FILES = fg.sync('fixtures/**/*.py', { cwd: ROOT }).sort();

test('there are fixture sources to compare', () => expect(FIXTURE_FILES.length).toBeGreaterThan(100));

test.each(FIXTURE_FILES)('%s', (file) => sameFacts(readFileSync(path.join(ROOT, file), 'utf8'), file));

test.each([
  ['escapes and multi-line strings', 's = "a\\tb\\n" + """x\n\\\\y"""\nt = f"{a!r:>{w}} \\x41"\nu = rb"\\d" r"\\n"\n'],
  ['non-ASCII before a node on its line', 'é = "ünï"; app.route("/ß")(view)\n'],
  ['CRLF, lone CR and tabs', 'import flask\r\napp = flask.Flask(__name__)\r\n\tx = 1\rdef f():\r\n\treturn g(1)\r\n'],
  ['a syntax error mid-route', '@app.route("/a")\ndef a(:\n    pass\n@app.route("/b")\ndef b():\n    return 1\n'],
  ['a missing token', 'x = (1,\ny = 2\n'],
  ['empty', ''],
  ['comments and directives', '# apiposture: ignore[AP001] ok\nx = 1  # trailing\n'],
])('%s', (_name, text) => sameFacts(text));

test('a position is packed exactly, on long lines too', () => {
  for (const [line, column] of [[1, 1], [7, 2047], [7, 2048], [123_456, 1_000_000], [2_000_000, 3]]) {
    expect([lineOf(locAt(line, column)), columnOf(locAt(line, column))]).toEqual([line, column]);
  }
});

test('a route far along a long line keeps its column', async () => {
  const padding = 'x = 1; '.repeat(400); // 2,800 columns
  const text = `from flask import Flask\napp = Flask(__name__)\ndef view():\n    return "ok"\n${padding}app.add_url_rule("/far", view_func=view)\n`;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'apiposture-loc-'));
  try {
    writeFileSync(path.join(dir, 'app.py'), text);
    const { routes } = await scan({ paths: [dir] });
    expect(routes.map((r) => [r.path, r.line, r.column])).toEqual([['/far', 5, padding.length + 1]]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
