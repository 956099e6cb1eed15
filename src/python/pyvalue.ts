/** Python values the analysis computes from literals (texts, numbers, booleans, None, lists), and tests on them. */
import type { Expr } from './ir';

export type PyValue = string | number | boolean | null | PyValue[];

type Literal = Extract<Expr, { k: 'str' | 'num' | 'bool' | 'none' | 'seq' }>;

const LITERAL_KINDS: ReadonlySet<Expr['k']> = new Set(['str', 'num', 'bool', 'none', 'seq']);

export function isLiteral(expr: Expr): expr is Literal {
  return LITERAL_KINDS.has(expr.k);
}

/** A literal's value; a list's from its items' (each read by `item`), undefined when one is unknown. */
export function literalValue(expr: Literal, item: (e: Expr) => PyValue | undefined): PyValue | undefined {
  if (expr.k === 'none') return null;
  if (expr.k !== 'seq') return expr.v;
  const items = expr.items.map(item);
  return items.includes(undefined) ? undefined : (items as PyValue[]);
}

export function truthy(v: PyValue): boolean {
  return Array.isArray(v) ? v.length > 0 : Boolean(v);
}

/** `not`, `and`, `or` and `a if test else b`, kept as calls of these names (see ir's OPERATOR_NAMES). */
export const LOGICAL_OPERATORS: ReadonlySet<string> = new Set(['__not__', '__and__', '__or__', '__ifelse__']);

/**
 * A logical operator's value, each operand read (`operand(i)`, by position) only where Python reads it; undefined
 * where one it needs is unknown.
 */
export function logicalValue(operator: string, operand: (i: number) => PyValue | undefined): PyValue | undefined {
  if (operator === '__ifelse__') {
    const test = operand(1);
    return test === undefined ? undefined : operand(truthy(test) ? 0 : 2);
  }
  const first = operand(0);
  if (first === undefined) return undefined;
  if (operator === '__not__') return !truthy(first);
  // `and` and `or` return the deciding operand.
  return truthy(first) === (operator === '__or__') ? first : operand(1);
}

/** `left op right` for one comparison operator of a chain; undefined where Python would raise or it cannot be told. */
export function comparison(op: string, left: PyValue, right: PyValue): boolean | undefined {
  const equal = JSON.stringify(left) === JSON.stringify(right);
  switch (op) {
    case '==':
    case 'is':
      return equal;
    case '!=':
    case 'is not':
      return !equal;
    case 'in':
    case 'not in': {
      const inside = Array.isArray(right) ? right.some((r) => JSON.stringify(r) === JSON.stringify(left)) : typeof right === 'string' && typeof left === 'string' ? right.includes(left) : undefined;
      return inside === undefined ? undefined : op === 'in' ? inside : !inside;
    }
    case '<':
    case '<=':
    case '>':
    case '>=':
      return ordered(op, left, right);
    default:
      return undefined;
  }
}

/** `a < b` of two numbers or two texts; Python refuses to order others (None, lists are left undecided). */
function ordered(op: string, left: PyValue, right: PyValue): boolean | undefined {
  const comparable = (typeof left === 'number' && typeof right === 'number') || (typeof left === 'string' && typeof right === 'string');
  if (!comparable) return undefined;
  return op === '<' ? left < right : op === '<=' ? left <= right : op === '>' ? left > right : left >= right;
}
