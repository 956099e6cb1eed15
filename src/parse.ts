/**
 * Reads and parses one Python file into `ModuleFacts`, or says why it was skipped: unreadable, too large,
 * binary. Text is decoded as Python decodes it (see decodeSource).
 */
import Parser from 'tree-sitter';
import Python from 'tree-sitter-python';
import { constants } from 'node:buffer';
import { statSync } from 'node:fs';
import path from 'node:path';
import { extractFacts } from './python/facts';
import { copyTree, nativeParse, type ParsedText } from './python/syntax';
import type { ModuleFacts } from './python/ir';
import { readRegularFile } from './regular-file';
import { lookupTable } from './collections';

export const DEFAULT_MAX_FILE_BYTES = 2 * 1024 * 1024;

export type ParseOutcome =
  | { ok: true; facts: ModuleFacts; note?: string }
  | { ok: false; reason: string };

let parser: Parser | undefined;

export function pythonParser(): Parser {
  if (!parser) {
    parser = new Parser();
    parser.setLanguage(Python as unknown as Parser.Language);
  }
  return parser;
}

const BOMS: { mark: number[]; encoding: string; note?: string }[] = [
  { mark: [0xef, 0xbb, 0xbf], encoding: 'utf-8' },
  { mark: [0xfe, 0xff], encoding: 'utf-16be', note: 'decoded as UTF-16BE (BOM)' },
  { mark: [0xff, 0xfe], encoding: 'utf-16le', note: 'decoded as UTF-16LE (BOM)' },
];

/**
 * Decodes Python source bytes as Python does: by the BOM, else by the PEP 263 coding line, else as UTF-8;
 * UTF-16 without a BOM is told by its zero bytes. Text that is not valid in its encoding, or whose coding is
 * unknown, is decoded as UTF-8 or Latin-1 with a note saying so. Returns a reason when the file is not text.
 */
export function decodeSource(bytes: Buffer): { text: string; note?: string } | { reason: string } {
  const bom = BOMS.find(({ mark }) => mark.every((byte, i) => bytes[i] === byte));
  const wide = bom ? undefined : utf16WithoutBom(bytes);
  if (bom || wide) {
    const encoding = bom?.encoding ?? wide!;
    const text = decode(bytes, encoding); // TextDecoder drops the BOM
    if (text === undefined) return { reason: `not valid ${encoding.toUpperCase()} text` };
    return { text, note: bom ? bom.note : `decoded as ${encoding.toUpperCase()} (no BOM)` };
  }
  if (bytes.subarray(0, 8192).includes(0)) return { reason: 'binary file (contains NUL bytes)' };
  const declared = codingDeclaration(bytes);
  const encoding = declared === undefined ? 'utf-8' : pythonEncoding(declared);
  const text = encoding && decode(bytes, encoding);
  if (text !== undefined) {
    // Only non-ASCII text can read differently in another encoding.
    return encoding !== 'utf-8' && /[^\x00-\x7f]/.test(text) ? { text, note: `decoded as ${declared} (its coding line)` } : { text };
  }
  const why = declared === undefined ? 'not UTF-8' : encoding ? `not valid ${declared}` : `unknown coding ${declared}`;
  const utf8 = encoding === undefined ? decode(bytes, 'utf-8') : undefined;
  return utf8 !== undefined ? { text: utf8, note: `${why}; decoded as UTF-8` } : { text: bytes.toString('latin1'), note: `${why}; decoded as Latin-1` };
}

/** The bytes in `encoding` (a WHATWG encoding, or `latin1`: ISO-8859-1 byte for byte); undefined when not valid in it. */
function decode(bytes: Buffer, encoding: string): string | undefined {
  if (encoding === 'latin1') return bytes.toString('latin1');
  if (encoding === 'windows-1252') return decodeCp1252(bytes);
  try {
    return new TextDecoder(encoding, { fatal: true }).decode(bytes);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_ENCODING_INVALID_ENCODED_DATA') return undefined;
    throw error; // a text too long for a string, say
  }
}

// Python's cp1252 for 0x80–0x9F; U+FFFD where it defines nothing, which makes the text invalid.
const CP1252_HIGH = '€\ufffd‚ƒ„…†‡ˆ‰Š‹Œ\ufffdŽ\ufffd\ufffd‘’“”•–—˜™š›œ\ufffdžŸ';

/** Node 20 decodes windows-1252 as Latin-1 (nodejs/node#60888), so its 0x80–0x9F are mapped here. */
function decodeCp1252(bytes: Buffer): string | undefined {
  const text = bytes.toString('latin1').replace(/[\x80-\x9f]/g, (c) => CP1252_HIGH[c.charCodeAt(0) - 0x80]);
  return text.includes('\ufffd') ? undefined : text;
}

/**
 * UTF-16 without a BOM: source code is mostly ASCII, which UTF-16LE writes with a zero in nearly every odd byte
 * and none in the even ones (UTF-16BE the other way round).
 */
function utf16WithoutBom(bytes: Buffer): 'utf-16le' | 'utf-16be' | undefined {
  const pairs = Math.min(bytes.length, 4096) >> 1;
  let evenZeros = 0;
  let oddZeros = 0;
  for (let i = 0; i < 2 * pairs; i += 2) {
    if (bytes[i] === 0) evenZeros++;
    if (bytes[i + 1] === 0) oddZeros++;
  }
  const mostly = (zeros: number): boolean => pairs >= 4 && zeros >= 0.75 * pairs;
  const rarely = (zeros: number): boolean => zeros <= 0.05 * pairs;
  if (mostly(oddZeros) && rarely(evenZeros)) return 'utf-16le';
  if (mostly(evenZeros) && rarely(oddZeros)) return 'utf-16be';
  return undefined;
}

/** The PEP 263 coding: a comment on the first line, or on the second after a blank or comment-only first line. */
function codingDeclaration(bytes: Buffer): string | undefined {
  const lines = bytes.subarray(0, 4096).toString('latin1').split(/\r\n|\r|\n/, 2);
  for (const [index, line] of lines.entries()) {
    const coding = /^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)/.exec(line)?.[1];
    if (coding) return coding;
    if (index === 0 && !/^[ \t\f]*(#.*)?$/.test(line)) return undefined;
  }
  return undefined;
}

// Python's latin-1 is ISO-8859-1 byte for byte; the WHATWG label `latin1` means windows-1252.
const LATIN_1 = /^(latin-?1|iso-?8859-1|iso-latin-1)(-|$)|^(latin|l1|iso8859|8859|cp819|iso-ir-100|csisolatin1)$/;

/** Python codec names that are not WHATWG labels of the same encoding (after `_` → `-`). */
const PYTHON_NAMES = lookupTable<string>({
  // ASCII is the first half of UTF-8; WHATWG reads `ascii` as windows-1252
  ascii: 'utf-8', 'us-ascii': 'utf-8', '646': 'utf-8', u8: 'utf-8', utf: 'utf-8', cp65001: 'utf-8',
  'utf-16': 'utf-16le', utf16: 'utf-16le', 'utf-16-le': 'utf-16le', 'utf-16-be': 'utf-16be',
  shiftjis: 'shift_jis', 's-jis': 'shift_jis', cp932: 'shift_jis', '932': 'shift_jis', mskanji: 'shift_jis', 'ms-kanji': 'shift_jis',
  eucjp: 'euc-jp', ujis: 'euc-jp', 'u-jis': 'euc-jp', iso2022jp: 'iso-2022-jp', 'iso2022-jp': 'iso-2022-jp',
  cp936: 'gbk', ms936: 'gbk', '936': 'gbk', 'euc-cn': 'gbk', euccn: 'gbk',
  cp949: 'euc-kr', ms949: 'euc-kr', uhc: 'euc-kr', euckr: 'euc-kr', cp950: 'big5', ms950: 'big5', 'big5-tw': 'big5',
  'mac-roman': 'macintosh', macroman: 'macintosh', 'mac-cyrillic': 'x-mac-cyrillic', maccyrillic: 'x-mac-cyrillic',
  cp866: 'ibm866', '866': 'ibm866', cp874: 'windows-874',
});

/** The encoding to decode a declared Python codec with (see `decode`); undefined when it is unknown. */
function pythonEncoding(declared: string): string | undefined {
  const name = declared.toLowerCase().replace(/_/g, '-');
  if (/^utf-?8(-|$)/.test(name)) return 'utf-8'; // utf-8-sig too, as Python's tokenizer normalises it
  if (LATIN_1.test(name)) return 'latin1';
  try {
    return new TextDecoder(PYTHON_NAMES[name] ?? name).encoding;
  } catch {
    return undefined;
  }
}

export type SourceOutcome = { ok: true; text: string; note?: string } | { ok: false; reason: string };

/** Reads and decodes a file, or says why it cannot be analysed (unreadable, too large, binary). */
export function readSource(root: string, file: string, maxBytes = DEFAULT_MAX_FILE_BYTES): SourceOutcome {
  const abs = path.join(root, file);
  let bytes: Buffer;
  try {
    const stat = statSync(abs);
    if (stat.size > maxBytes) return { ok: false, reason: `larger than ${(maxBytes / 1048576).toFixed(1)} MB (${(stat.size / 1048576).toFixed(1)} MB)` };
    bytes = readRegularFile(abs);
  } catch (error) {
    return { ok: false, reason: `unreadable: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}` };
  }
  let decoded: ReturnType<typeof decodeSource>;
  try {
    decoded = decodeSource(bytes);
  } catch (error) {
    // Possible only with a raised --max-file-size: V8 strings end at about 512 MB.
    if ((error as NodeJS.ErrnoException).code !== 'ERR_STRING_TOO_LONG') throw error;
    return { ok: false, reason: `too long to hold as text (more than ${constants.MAX_STRING_LENGTH} characters)` };
  }
  return 'reason' in decoded ? { ok: false, reason: decoded.reason } : { ok: true, ...decoded };
}

/** The file's facts, from `source` when the scan has read it already (see Selection.sources). */
export function parseFile(root: string, file: string, maxBytes = DEFAULT_MAX_FILE_BYTES, source = readSource(root, file, maxBytes)): ParseOutcome {
  const parseable = parseableSource(source);
  return parseable.ok ? factsOfParse(file, parseText(parseable.text), parseable.note) : parseable;
}

/** The source with the text tree-sitter is given (see withoutLongTokenlessRuns). */
export function parseableSource(source: SourceOutcome): SourceOutcome {
  return source.ok ? { ...source, text: withoutLongTokenlessRuns(source.text) } : source;
}

function parseText(text: string): ParsedText {
  if (nativeParse) return nativeParse(text);
  const tree = pythonParser().parse(text);
  return { root: copyTree(tree, text), ...(tree.rootNode.hasError && { errorLine: firstErrorLine(tree.rootNode) }) };
}

/** The facts of a parsed text of `file` (see parseableSource). */
export function factsOfParse(file: string, { root, errorLine }: ParsedText, note: string | undefined): ParseOutcome {
  const facts = extractFacts(root, file);
  if (errorLine) facts.syntaxErrorLine = errorLine;
  return { ok: true, facts, note };
}

/**
 * tree-sitter-python's scanner reads a run of lines without a token (comments, lone `\` joining lines) to its end
 * at every line of it, to learn the indent that follows, so n such lines in a row cost n² steps: 10,000 comment lines
 * take 5 s, 16,000 lone `\` 3 s, a 2 MB file of them hours. The lines of a run of more than LONG_RUN are blanked,
 * each to as many spaces (every position stays), but for `# apiposture:` directives: facts read no other comment,
 * and a line joined to a blank one is the line itself. Blank lines belong to a run, as for the scanner. A run that
 * long inside a string literal would be blanked too: not a form code takes.
 */
const LONG_RUN = 200;
const DIRECTIVE_START = /#[^\S\n]*apiposture:/y;
const HASH = 35;
const BACKSLASH = 92;

export function withoutLongTokenlessRuns(text: string): string {
  // Most files have fewer `#` and `\` than a long run has lines: counting them is cheaper than reading lines.
  let marks = 0;
  for (const mark of ['#', '\\']) for (let i = text.indexOf(mark); i >= 0 && marks <= LONG_RUN; i = text.indexOf(mark, i + 1)) marks++;
  if (marks <= LONG_RUN) return text;
  const runs: { from: number; to: number }[] = [];
  let run: { from: number; lines: number } | undefined;
  const endRun = (to: number): void => {
    if (run && run.lines > LONG_RUN) runs.push({ from: run.from, to });
    run = undefined;
  };
  for (let lineStart = 0; lineStart <= text.length; ) {
    const end = lineEnd(text, lineStart, text.length);
    const first = firstNonSpace(text, lineStart, end);
    // A blank line neither starts nor ends a run.
    if (first < end && tokenless(text, first, end)) {
      run ??= { from: lineStart, lines: 0 };
      run.lines++;
    } else if (first < end) endRun(lineStart);
    lineStart = end + 1;
  }
  endRun(text.length);
  if (!runs.length) return text;
  const parts: string[] = [];
  let copied = 0;
  for (const { from, to } of runs) {
    for (let lineStart = from; lineStart < to; ) {
      const end = lineEnd(text, lineStart, to);
      const first = firstNonSpace(text, lineStart, end);
      DIRECTIVE_START.lastIndex = first;
      const contentEnd = text.charCodeAt(end - 1) === 13 /* \r */ ? end - 1 : end;
      if (first < contentEnd && !DIRECTIVE_START.test(text)) {
        parts.push(text.slice(copied, first), ' '.repeat(contentEnd - first));
        copied = contentEnd;
      }
      lineStart = end + 1;
    }
  }
  parts.push(text.slice(copied));
  return parts.join('');
}

/** Where the line from `lineStart` ends: at its newline, or at `limit`. */
function lineEnd(text: string, lineStart: number, limit: number): number {
  const newline = text.indexOf('\n', lineStart);
  return newline < 0 || newline > limit ? limit : newline;
}

/** A line with no token from `first`, its first non-space character: a comment, or a lone `\`. */
function tokenless(text: string, first: number, end: number): boolean {
  const c = text.charCodeAt(first);
  return c === HASH || (c === BACKSLASH && firstNonSpace(text, first + 1, end) === end);
}

/** The index of the first character from `from` on that is not a space, tab, form feed or carriage return; `end` if none. */
function firstNonSpace(text: string, from: number, end: number): number {
  let i = from;
  while (i < end && ' \t\f\r'.includes(text[i])) i++;
  return i;
}

/**
 * The first line with an ERROR or missing node, read from the native tree: the copy leaves out missing
 * hidden tokens such as a newline. The walk is bounded in depth, so hostile nesting cannot exhaust the stack.
 */
const MAX_ERROR_DEPTH = 200;

export function firstErrorLine(root: Parser.SyntaxNode): number {
  let line = Infinity;
  const visit = (node: Parser.SyntaxNode, depth: number): void => {
    if (node.startPosition.row + 1 >= line || depth > MAX_ERROR_DEPTH) return;
    if (node.type === 'ERROR' || node.isMissing) {
      line = Math.min(line, node.startPosition.row + 1);
      return;
    }
    if (node.hasError) for (const child of node.children) visit(child, depth + 1);
  };
  visit(root, 0);
  return Number.isFinite(line) ? line : 1;
}
