/**
 * GitHub code scanning's `primaryLocationLineHash`, computed as github/codeql-action's upload does
 * (src/fingerprints.ts there): so the value we write agrees with the one the upload would compute and
 * alerts keep their identity when lines move. Each line's hash covers the first 100 characters from the
 * line's start, spaces and tabs dropped, line endings read as `\n`, then an end marker and zero padding;
 * `:n` counts earlier lines of the file with the same hash.
 */
const WINDOW = 100;
const MULTIPLIER = 37n;
const END_OF_FILE = 0xffff;
const SPACE = 0x20;
const TAB = 0x09;
const LF = 0x0a;
const CR = 0x0d;

/** The hash of every line of `text`, index 0 for line 1 (a trailing newline starts one more, empty line). */
export function lineHashes(text: string): string[] {
  const { chars, lineStarts } = normalise(text);
  const seen = new Map<string, number>();
  return lineStarts.map((start) => {
    let hash = 0n;
    for (let i = start; i < start + WINDOW; i++) hash = BigInt.asUintN(64, hash * MULTIPLIER + BigInt(chars[i] ?? 0));
    const hex = hash.toString(16);
    const occurrence = (seen.get(hex) ?? 0) + 1;
    seen.set(hex, occurrence);
    return `${hex}:${occurrence}`;
  });
}

/** The character codes the hash reads, and where each line starts among them. */
function normalise(text: string): { chars: number[]; lineStarts: number[] } {
  const chars: number[] = [];
  const lineStarts: number[] = [];
  let atLineStart = true;
  let afterCR = false;
  const read = (code: number): void => {
    const skip = code === SPACE || code === TAB || (afterCR && code === LF);
    afterCR = code === CR;
    if (skip) return;
    if (atLineStart) lineStarts.push(chars.length);
    atLineStart = code === CR || code === LF;
    chars.push(code === CR ? LF : code);
  };
  for (let i = 0; i < text.length; i++) read(text.charCodeAt(i));
  read(END_OF_FILE);
  return { chars, lineStarts };
}
