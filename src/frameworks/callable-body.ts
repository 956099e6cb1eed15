/**
 * A project function or lambda passed to a limiter (key function, exemption condition, 429 handler), as its
 * facts describe its body: what it reads and looks up, what it returns, the calls it makes as statements.
 */
import type { CallExpr, Expr } from '../python/ir';
import { lineOf } from '../python/ir';
import type { Ctx, Value } from '../python/project';
import type { SourceRef } from '../model';

export interface CallableBody {
  name?: string; // none for a lambda
  at: SourceRef;
  reads: string[];
  stringKeys: string[];
  returns: Expr[];
  statements: CallExpr[]; // calls standing as statements in a function body, e.g. `abort(403)`
  ctx: Ctx; // where the body's names resolve
}

/** The one project function or lambda the values denote, if that is what they are. */
export function callableBody(values: Value[]): CallableBody | undefined {
  const value = values.length === 1 ? values[0] : undefined;
  if (value?.kind === 'function') {
    const { mod, fn } = value.ref;
    return {
      name: fn.qualname,
      at: { file: mod.file, line: lineOf(fn.loc) },
      reads: fn.reads,
      stringKeys: fn.stringKeys,
      returns: fn.returns,
      statements: mod.calls.filter((c) => c.scope === fn.bodyScope).map((c) => c.call),
      ctx: { mod, scope: fn.bodyScope, line: Infinity },
    };
  }
  if (value?.kind === 'literal' && value.expr.k === 'lambda') {
    const { loc, body, reads, stringKeys } = value.expr;
    return { at: { file: value.ctx.mod.file, line: lineOf(loc) }, reads, stringKeys, returns: [body], statements: [], ctx: value.ctx };
  }
  return undefined;
}
