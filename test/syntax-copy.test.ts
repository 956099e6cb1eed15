/**
 * Facts extraction reads a plain copy of the tree (src/python/syntax.ts) instead of native nodes; the
 * facts must be the same, byte for byte, on every fixture and on odd text. Positions are packed numbers.
 */
import fg from 'fast-glob';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { firstErrorLine, pythonParser } from '../src/parse';
import { extractFacts } from '../src/python/facts';
import { columnOf, lineOf, locAt } from '../src/python/ir';
import { copyTree, nativeParse, parseAhead, type PyNode } from '../src/python/syntax';
import type Parser from 'tree-sitter';
import Python from 'tree-sitter-python';
import { scan } from '../src/scan';
import { ROOT } from './support/run-cli';
import { requireSystem } from './support/system-python';

function sameFacts(text: string, file = 'm.py'): void {
  const tree = pythonParser().parse(text);
  expect(JSON.stringify(extractFacts(copyTree(tree, text), file))).toBe(JSON.stringify(extractFacts(tree.rootNode, file)));
}

const FIXTURE_FILES = fg.sync('fixtures/**/*.py', { cwd: ROOT }).sort();

/** Each node in source order: depth, kind, field and range; native nodes asked everything of the addon. */
function nativeNodes(tree: Parser.Tree): string[] {
  const found: string[] = [];
  const cursor = tree.walk();
  let depth = 0;
  for (;;) {
    found.push(`${depth} ${cursor.nodeIsNamed ? cursor.nodeType : JSON.stringify(cursor.nodeType)} ${cursor.currentFieldName ?? '-'} ${cursor.startIndex}-${cursor.endIndex}`);
    if (cursor.gotoFirstChild()) depth++;
    else {
      while (!cursor.gotoNextSibling()) {
        if (!cursor.gotoParent()) return found;
        depth--;
      }
    }
  }
}

function copiedNodes(node: PyNode & { isNamed?: boolean; field?: string }, depth = 0, found: string[] = []): string[] {
  found.push(`${depth} ${node.isNamed ? node.type : JSON.stringify(node.type)} ${node.field ?? '-'} ${node.startIndex}-${node.endIndex}`);
  for (const child of node.children) copiedNodes(child, depth + 1, found);
  return found;
}

/** The copy holds the native tree's nodes as they are, leaving out only punctuation, keywords and closing quotes (leaves). */
function sameNodes(text: string): void {
  const tree = pythonParser().parse(text);
  const copied = copiedNodes(copyTree(tree, text));
  const inCopy = new Set(copied);
  const native = nativeNodes(tree);
  expect(native.filter((n) => inCopy.has(n))).toEqual(copied);
  for (const n of native.filter((n) => !inCopy.has(n))) expect(n).toMatch(/^\d+ ("[^a-z]+"|"[a-z]+"|string_end) /);
}

test('there are fixture sources to compare', () => expect(FIXTURE_FILES.length).toBeGreaterThan(100));

test.each(FIXTURE_FILES)('%s', (file) => sameFacts(readFileSync(path.join(ROOT, file), 'utf8'), file));

test('the copy holds the native nodes of every fixture', () => {
  for (const file of FIXTURE_FILES) sameNodes(readFileSync(path.join(ROOT, file), 'utf8'));
});

const ODD_TEXTS: [string, string][] = [
  ['escapes and multi-line strings', 's = "a\\tb\\n" + """x\n\\\\y"""\nt = f"{a!r:>{w}} \\x41"\nu = rb"\\d" r"\\n"\n'],
  ['non-ASCII before a node on its line', 'é = "ünï"; app.route("/ß")(view)\n'],
  ['CRLF, lone CR and tabs', 'import flask\r\napp = flask.Flask(__name__)\r\n\tx = 1\rdef f():\r\n\treturn g(1)\r\n'],
  ['a syntax error mid-route', '@app.route("/a")\ndef a(:\n    pass\n@app.route("/b")\ndef b():\n    return 1\n'],
  ['a missing token', 'x = (1,\ny = 2\n'],
  ['empty', ''],
  ['comments and directives', '# apiposture: ignore[AP001] ok\nx = 1  # trailing\n'],
  ['escapes between and after string text', 's = "a\\tb\\n tail" + f"{x:>{w}.2f} and {y!r:^10}"\n'],
  ['operators of two keywords', 'if a is not b and c not in d:\n    pass\n'],
  ['text after the last statement', 'x = 1\n\n# end\n\n'],
];

test.each(ODD_TEXTS)('%s', (_name, text) => sameFacts(text));

test.each(ODD_TEXTS)('the copy holds the native nodes: %s', (_name, text) => sameNodes(text));

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

/** The native walk (native/tree-walk.c) gives the copy's nodes and tells a syntax error's first line as the addon does. */
function sameAsCopy(text: string): void {
  const tree = pythonParser().parse(text);
  const walked = nativeParse!(text);
  expect(copiedNodes(walked.root)).toEqual(copiedNodes(copyTree(tree, text)));
  expect(walked.errorLine).toBe(tree.rootNode.hasError ? firstErrorLine(tree.rootNode) : undefined);
}

const withNativeWalk = requireSystem(nativeParse !== undefined, 'the native tree walk is not built (npm ci builds it: native/build.js needs a C compiler)');

withNativeWalk('the native walk gives the copy of every fixture', () => {
  for (const file of FIXTURE_FILES) sameAsCopy(readFileSync(path.join(ROOT, file), 'utf8'));
});

withNativeWalk.each(ODD_TEXTS)('the native walk gives the copy: %s', (_name, text) => sameAsCopy(text));

withNativeWalk('parsed ahead on the addon\'s thread, each text gives what parsing it here gives, in the order submitted', () => {
  const texts = [...FIXTURE_FILES.map((file) => readFileSync(path.join(ROOT, file), 'utf8')), ...ODD_TEXTS.map(([, text]) => text)];
  const ahead = parseAhead!();
  try {
    // Submitted a few at a time, as the parse pool does, and all at once.
    for (let i = 0; i < texts.length; i++) {
      if (i % 3 === 0) texts.slice(i, i + 3).forEach((text) => ahead.submit(text));
      const taken = ahead.take();
      const here = nativeParse!(texts[i]);
      expect(copiedNodes(taken.root)).toEqual(copiedNodes(here.root));
      expect(taken.errorLine).toBe(here.errorLine);
    }
    expect(() => ahead.take()).toThrow('nothing submitted to take');
    texts.forEach((text) => ahead.submit(text));
  } finally {
    ahead.stop(); // with texts left untaken
  }
  expect(() => ahead.submit('x = 1\n')).toThrow('parsing ahead was stopped');
  // Only a handle startAhead made is taken for one.
  const addon = require(path.join(ROOT, 'native', 'build', 'Release', 'tree_walk.node')) as { take(handle: unknown): unknown };
  expect(() => addon.take(Python.language)).toThrow('not a parse-ahead handle');
});

const glibc = Boolean((process.report.getReport() as { header?: { glibcVersionRuntime?: string } }).header?.glibcVersionRuntime);

requireSystem(nativeParse !== undefined && glibc, 'giving freed memory back is glibc\'s malloc_trim, through the native tree walk')('what parsing freed is given back to the system once files are parsed', () => {
  // In a process of its own, for its own resident memory: glibc keeps what tree-sitter freed unless asked.
  const script = `
    const { nativeParse, releaseParserMemory } = require(${JSON.stringify(path.join(ROOT, 'dist', 'src', 'python', 'syntax.js'))});
    const text = Array.from({ length: 20000 }, (_, i) => 'def view_' + i + '(request, x=1):\\n    if x > ' + i + ':\\n        return helper(request, {"key": [1, 2]})\\n    return None\\n').join('');
    const rss = () => process.memoryUsage().rss;
    nativeParse(text);
    const parsed = rss();
    releaseParserMemory();
    console.log(JSON.stringify({ parsed, released: rss() }));`;
  const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
  expect(r.stderr).toBe('');
  const { parsed, released } = JSON.parse(r.stdout) as { parsed: number; released: number };
  expect(parsed - released).toBeGreaterThan(50 * 1048576); // about 115 MB for these 2.3 MB of Python
});
