/**
 * Flask-AppBuilder's limiter (4.3+), as the Flask-Limiter resolver counts it. The security manager makes a
 * Flask-Limiter `Limiter(key_func=get_remote_address)` for the AppBuilder's app, and the AppBuilder sets
 * `RATELIMIT_ENABLED` to False where the config does not set it: a limiter bound with `enabled=False` where the
 * AppBuilder is bound (a limiter bound to the app before it leaves it on, one bound after is off too). Its blueprint
 * limits are a view's `limits = [Limit(...)]` and every `@limit(...)` on the view's methods, counted on each route of
 * the view (a `Limit`'s `override_defaults` is False, `@limit`'s True). A limit that does something per request
 * (`exempt_when`, `deduct_when`, `cost`) or counts with other routes (`scope`) is not read: it makes the answer unknown.
 */
import type { Expr } from '../../python/ir';
import { argument, exprLine, kwarg, lineOf } from '../../python/ir';
import { Project, type ClassRef, type Ctx } from '../../python/project';
import { decoratorName, functionCtx, sequenceItems } from '../common';
import { declareRate, type DeclaredLimit } from '../limits-family';
import type { LibraryDescriptor } from '../library';
import { functionDefinedIn } from '../../python/module-index';
import { APPBUILDER_PACKAGE, isAppBuilder } from './appbuilder';
import { extensionSites, type ExtensionSite } from './exposed-views';

const LIMIT_CLASS = /^flask_appbuilder\.(utils\.limit\.|api\.|security\.decorators\.)?Limit$/;
const LIMIT_DECORATOR = /^flask_appbuilder\.security\.decorators\.limit$/;
// Options of a limit that act per request, or make it count with other routes: not read.
const NOT_READ = ['exempt_when', 'deduct_when', 'cost', 'scope'];

/** The project's AppBuilders and the calls binding each to an app, where it imports Flask-AppBuilder. */
export function appBuilderSites(project: Project): ExtensionSite[] {
  return project.modules.some((m) => Project.imports(m, [APPBUILDER_PACKAGE])) ? extensionSites(project, isAppBuilder, 'AppBuilder') : [];
}

/**
 * A view's limits: its `limits` list, then the `@limit`s of its methods (own or from project bases), each declared for
 * `limiter`.
 */
export function viewLimits(project: Project, cls: ClassRef, limiter: string, library: LibraryDescriptor): DeclaredLimit[] {
  const declared: DeclaredLimit[] = [];
  const [listed, ...others] = project.classAttribute(cls, 'limits') ?? [];
  if (listed && !(listed.kind === 'literal' && listed.expr.k === 'none')) {
    const items = !others.length && listed.kind === 'literal' ? sequenceItems(project, listed.expr, listed.ctx) : undefined;
    const line = listed.kind === 'literal' ? exprLine(listed.expr, listed.ctx.line) : lineOf(cls.cls.loc);
    if (!items) declared.push({ dynamic: `\`limits\` of \`${cls.cls.qualname}\` is not a static list`, overrideDefaults: false, limiter, file: cls.mod.file, line });
    for (const item of items ?? []) declared.push(readLimit(project, item.expr, item.ctx, { callee: LIMIT_CLASS, overridesDefaults: false, limiter, library }));
  }
  const seen = new Set<string>();
  for (const c of project.classChain(cls)) {
    for (const name of c.cls.methods) {
      const fn = functionDefinedIn(c.mod, c.cls.bodyScope, name);
      if (!fn || seen.has(name)) continue;
      seen.add(name);
      const ctx = functionCtx(c.mod, fn);
      for (const d of fn.decorators) {
        if (d.k === 'call' && LIMIT_DECORATOR.test(decoratorName(project, d, ctx) ?? '')) declared.push(readLimit(project, d, ctx, { callee: LIMIT_DECORATOR, overridesDefaults: true, limiter, library }));
      }
    }
  }
  return declared;
}

/** `Limit(rate, key_func, ...)` or `@limit(rate, ...)`: its rate, the methods it counts and whether it overrides the defaults. */
function readLimit(project: Project, expr: Expr, ctx: Ctx, how: { callee: RegExp; overridesDefaults: boolean; limiter: string; library: LibraryDescriptor }): DeclaredLimit {
  const line = exprLine(expr, ctx.line);
  const base = { overrideDefaults: how.overridesDefaults, limiter: how.limiter, file: ctx.mod.file, line };
  const call = expr.k === 'call' && how.callee.test(decoratorName(project, expr, ctx) ?? '') ? expr : undefined;
  if (!call) return { ...base, dynamic: `\`${Project.describe(expr)}\` is not a Limit apiposture can read` };
  const override = kwarg(call, 'override_defaults');
  const overrideDefaults = override?.k === 'bool' ? override.v : how.overridesDefaults;
  const unread = NOT_READ.find((option) => kwarg(call, option));
  const methodsArg = kwarg(call, 'methods');
  const methods = methodsArg && sequenceItems(project, methodsArg, ctx)?.map((m) => project.stringValue(m.expr, m.ctx)?.toUpperCase());
  if (unread || (override && override.k !== 'bool') || (methodsArg && (!methods || methods.includes(undefined)))) {
    const why = unread ? `\`${unread}=\`, which apiposture does not read` : 'an option that is not static';
    return { ...base, overrideDefaults, dynamic: `\`${Project.describe(call)}\` has ${why}: whether it counts a request is unknown` };
  }
  const meta = { library: how.library, source: 'blueprint' as const, scope: 'route' as const, line, conditions: [], overrideDefaults, ...(methods && { methods: methods as string[] }) };
  return declareRate(project, argument(call, 0, 'limit_value'), ctx, how.limiter, meta);
}
