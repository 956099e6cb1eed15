/**
 * What a project's handler answers an over-limit request with, read from its body, for every framework: Flask
 * error handlers returning `(body, 403)`, `jsonify(...)` (200) or `make_response(body, 403)`, Starlette/FastAPI
 * handlers returning `JSONResponse(content, status_code=403)`, `Response(body, status=403)`; Flask-Limiter's
 * `on_breach` callback returning a response or calling `abort(403)` (Flask-Limiter ignores what else it returns).
 * An answer other than 429 tells the client nothing about the limit.
 */
import type { CallExpr, Expr } from '../python/ir';
import { argument, dottedName, kwarg } from '../python/ir';
import type { Value } from '../python/project';
import type { Evidence } from '../model';
import { callableBody } from './callable-body';

/** A handler of the framework's over-limit error (`who` names it), or a callback a limiter calls on breach. */
export type Answering = { who: string; kind: 'handler' | 'on_breach' };

/** The handler's answer when it is not a 429; undefined when it is, or cannot be read. */
export function otherThan429(values: Value[], { who, kind }: Answering): Evidence | undefined {
  const body = callableBody(values);
  if (!body) return undefined;
  const aborts = kind === 'on_breach' ? body.statements.filter((c) => calleeName(c) === 'abort') : [];
  const status = [...aborts, ...body.returns].map((e) => answeredStatus(e, kind)).find((s) => s !== undefined && s !== 429);
  if (status === undefined) return undefined;
  const named = body.name ? `${who} \`${body.name}\`` : who;
  return { ...body.at, message: `${named} answers ${status}, not 429: clients cannot tell they are rate limited`, concern: 'no-retry-signal' };
}

function answeredStatus(expr: Expr, kind: Answering['kind']): number | undefined {
  if (expr.k === 'call') {
    const name = calleeName(expr);
    if (name === 'jsonify') return 200;
    if (name === 'abort') return kind === 'on_breach' ? statusCode(expr.args[0]) : undefined;
    if (name === 'make_response') return expr.args.length === 1 ? answeredStatus(expr.args[0], 'handler') : statusCode(expr.args[1]);
    return statusCode(argument(expr, 1, 'status_code') ?? kwarg(expr, 'status'));
  }
  if (kind === 'on_breach') return undefined; // Flask-Limiter keeps its 429 unless the callback returns a Response
  if (expr.k === 'seq') return statusCode(expr.items[1]);
  return expr.k === 'str' || expr.k === 'fstr' ? 200 : undefined;
}

/** `403`, `status.HTTP_403_FORBIDDEN`, `HTTP_403_FORBIDDEN`. */
function statusCode(e: Expr | undefined): number | undefined {
  if (e?.k === 'num') return e.v;
  const name = e?.k === 'attr' ? e.name : e?.k === 'name' ? e.id : undefined;
  const m = name ? /^HTTP_(\d{3})_/.exec(name) : null;
  return m ? Number(m[1]) : undefined;
}

function calleeName(call: CallExpr): string | undefined {
  return dottedName(call.fn)?.split('.').pop();
}
