/**
 * Regular expressions run on text a repository chooses (a rate string in its code, a middleware's path pattern,
 * a suppression glob in its configuration) are compiled for V8's linear-time engine: no input can make them
 * backtrack for hours (`(a+)+$` against forty `a`s and a `!`). The engine has no backreferences, lookarounds
 * or ignore-case: such a pattern throws here.
 */
import v8 from 'node:v8';

v8.setFlagsFromString('--enable-experimental-regexp-engine');

// On a Node whose V8 no longer has the engine behind that flag, patterns are compiled as usual.
const LINEAR = linearEngine() ? 'l' : '';

function linearEngine(): boolean {
  try {
    new RegExp('', 'l');
    return true;
  } catch {
    return false;
  }
}

export function linearRegExp(source: string, flags = ''): RegExp {
  return new RegExp(source, flags + LINEAR);
}

/** ASCII letters lowered, nothing else: what ignore-case does for a pattern whose letters are all ASCII. */
export function asciiLower(text: string): string {
  return text.replace(/[A-Z]+/g, (letters) => letters.toLowerCase());
}
