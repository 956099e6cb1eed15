/** Reading JSON that apiposture wrote earlier or a user hands it (cache, baselines, reports): checked before use. */

/** Parses JSON text, after a UTF-8 byte order mark if there is one (editors on Windows write it). */
export function parseJson(text: string): unknown {
  return JSON.parse(text.replace(/^\uFEFF/, ''));
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function isStrings(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}
