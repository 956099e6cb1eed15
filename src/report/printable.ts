/**
 * Text from scanned files, baselines and reports may hold terminal control sequences (a file named
 * `\x1b[2J….py` clears the screen). What is printed for people passes through `printable` first.
 */

// C0 and C1 controls (ESC, BEL, newline, CSI …) and the bidirectional overrides that reorder what is shown.
const UNPRINTABLE = /[\p{Cc}\u202a-\u202e\u2066-\u2069]/gu;

function escape(ch: string): string {
  const code = ch.charCodeAt(0);
  return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** The value with control characters in its strings written as `\xHH` or `\uHHHH`; objects and arrays are copied. */
export function printable<T>(value: T): T {
  if (typeof value === 'string') return value.replace(UNPRINTABLE, escape) as T;
  if (Array.isArray(value)) return value.map(printable) as T;
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, printable(item)])) as T;
  return value;
}
