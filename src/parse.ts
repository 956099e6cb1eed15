/**
 * Reads and parses one Python file into `ModuleFacts`, or says why it was skipped: unreadable, too large,
 * binary. Non-UTF-8 text is decoded by its BOM, its PEP 263 coding line, or else as Latin-1.
 */
import Parser from 'tree-sitter';
import Python from 'tree-sitter-python';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { extractFacts } from './python/facts';
import { copyTree } from './python/syntax';
import type { ModuleFacts } from './python/ir';
import { readRegularFile } from './regular-file';

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

/** Decodes Python source bytes, or returns a reason the file is not text. */
export function decodeSource(bytes: Buffer): { text: string; note?: string } | { reason: string } {
  if (bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return { text: bytes.subarray(3).toString('utf8') };
  if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe) return { text: bytes.subarray(2).toString('utf16le'), note: 'decoded as UTF-16 (BOM)' };
  if (bytes.subarray(0, 8192).includes(0)) return { reason: 'binary file (contains NUL bytes)' };
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes) };
  } catch {
    const head = bytes.subarray(0, 400).toString('latin1').split('\n').slice(0, 2).join('\n');
    const coding = /coding[:=]\s*([-\w.]+)/.exec(head)?.[1] ?? 'latin-1 (fallback)';
    return { text: bytes.toString('latin1'), note: `not UTF-8; decoded as ${coding}` };
  }
}

export type SourceOutcome = { ok: true; text: string; note?: string } | { ok: false; reason: string };

/** Reads and decodes a file, or says why it cannot be analysed (unreadable, too large, binary). */
export async function readSource(root: string, file: string, maxBytes = DEFAULT_MAX_FILE_BYTES): Promise<SourceOutcome> {
  const abs = path.join(root, file);
  let bytes: Buffer;
  try {
    const stat = await fs.stat(abs);
    if (stat.size > maxBytes) return { ok: false, reason: `larger than ${(maxBytes / 1048576).toFixed(1)} MB (${(stat.size / 1048576).toFixed(1)} MB)` };
    bytes = await readRegularFile(abs);
  } catch (error) {
    return { ok: false, reason: `unreadable: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}` };
  }
  const decoded = decodeSource(bytes);
  return 'reason' in decoded ? { ok: false, reason: decoded.reason } : { ok: true, ...decoded };
}

export async function parseFile(root: string, file: string, maxBytes = DEFAULT_MAX_FILE_BYTES): Promise<ParseOutcome> {
  const source = await readSource(root, file, maxBytes);
  if (!source.ok) return source;
  const tree = pythonParser().parse(source.text);
  const facts = extractFacts(copyTree(tree, source.text), file);
  if (tree.rootNode.hasError) facts.syntaxErrorLine = firstErrorLine(tree.rootNode);
  return { ok: true, facts, note: source.note };
}

/**
 * The first line with an ERROR or missing node, read from the native tree: the copy leaves out missing
 * hidden tokens such as a newline. The walk is bounded in depth, so hostile nesting cannot exhaust the stack.
 */
const MAX_ERROR_DEPTH = 200;

function firstErrorLine(root: Parser.SyntaxNode): number {
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
