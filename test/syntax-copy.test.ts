/**
 * Facts extraction reads a plain copy of the tree (src/python/syntax.ts) instead of native nodes; the
 * facts must be the same, byte for byte, on every fixture and on odd text.
 */
import fg from 'fast-glob';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pythonParser } from '../src/parse';
import { extractFacts } from '../src/python/facts';
import { copyTree } from '../src/python/syntax';
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
