/**
 * Flask-Classful (0.16): `View.register(app_or_blueprint, route_base=..., route_prefix=..., trailing_slash=...,
 * method_dashified=...)` adds a rule for each routable method of a `FlaskView` subclass, built as the library's
 * `register` and `build_rule` build them: `index`, `get`, `post`, `put`, `patch` and `delete` on the route base
 * (with the method's positional parameters as URL variables), `@route(rule)` methods on their own rules, and any
 * other public method on `/<route base>/<name>/` for GET (or its `@method(...)`s, or the class's `default_methods`).
 */
import type { CallExpr, Expr, FunctionDef } from '../../python/ir';
import { argument, dottedName, kwarg } from '../../python/ir';
import { Project, type ClassRef, type Ctx, type FunctionRef, type Value } from '../../python/project';
import { decoratorName, functionCtx, httpMethods, sequenceItems, stringList, UNRESOLVED_SEGMENT, type Decorator } from '../common';
import { lookupTable } from '../../collections';
import { functionDefinedIn } from '../../python/module-index';
import { compareText } from '../../model';

export const CLASSFUL_VIEW = 'flask_classful.FlaskView';
const ROUTE_DECORATOR = 'flask_classful.route';
const METHOD_DECORATOR = 'flask_classful.method';
// `dir(FlaskView)`: what the library never routes.
const VIEW_OWN = new Set(['register', 'parse_options', 'make_proxy_method', 'build_rule', 'get_route_base', 'default_route_base', 'build_route_name', 'decorators', 'representations', 'route_base', 'route_prefix', 'trailing_slash', 'base_args', 'excluded_methods', 'method_dashified', 'special_methods', 'type_hints']);
const SPECIAL_METHODS = lookupTable<string>({ get: 'GET', put: 'PUT', patch: 'PATCH', post: 'POST', delete: 'DELETE', index: 'GET' });
// Annotations `build_rule` turns into URL converters.
const TYPE_HINTS = lookupTable<string>({ str: 'string', int: 'int', float: 'float', UUID: 'uuid', 'uuid.UUID': 'uuid' });
// `register`'s parameters after the app, in order.
const REGISTER_OPTIONS = ['route_base', 'subdomain', 'route_prefix', 'trailing_slash', 'method_dashified'];

/** One rule `register` adds: for the method `member`, with what wraps it (the class's `decorators`, then its own). */
export interface ClassfulRule {
  member: FunctionRef;
  rule: string; // `{?}` where a part cannot be read
  methods: string[] | undefined; // as declared; undefined when they cannot be read
  unresolved: string[];
  decorators: Decorator[];
}

/** Whether a value is a `FlaskView` subclass of the project's. */
export function isClassfulView(project: Project, v: Value): v is Extract<Value, { kind: 'class' }> {
  return v.kind === 'class' && project.externalBases(v.ref).includes(CLASSFUL_VIEW);
}

export function classfulRules(project: Project, cls: ClassRef, call: CallExpr, ctx: Ctx): ClassfulRule[] {
  const unresolved: string[] = [];
  const text = (name: string, given: { expr: Expr; ctx: Ctx } | undefined): string | undefined => {
    const value = given ?? classValue(project, cls, name);
    if (!value) return undefined;
    const read = project.stringValue(value.expr, value.ctx);
    if (read === undefined && value.expr.k !== 'none') unresolved.push(`${name} \`${Project.describe(value.expr)}\` of \`${cls.cls.qualname}\` is not a static string`);
    return read ?? (value.expr.k === 'none' ? undefined : UNRESOLVED_SEGMENT);
  };
  const option = (name: string): { expr: Expr; ctx: Ctx } | undefined => {
    const given = argument(call, REGISTER_OPTIONS.indexOf(name) + 1, name);
    return given && given.k !== 'none' ? { expr: given, ctx } : undefined;
  };
  const flag = (name: string, fallback: boolean): boolean => {
    const value = option(name) ?? classValue(project, cls, name);
    return value?.expr.k === 'bool' ? value.expr.v : fallback;
  };
  // `register` sets route_base and route_prefix when given a true value, the flags when given one at all.
  const routeBase = text('route_base', option('route_base'));
  const routePrefix = text('route_prefix', option('route_prefix')) ?? '';
  const trailingSlash = flag('trailing_slash', true);
  const dashified = flag('method_dashified', false);
  const inspectArgs = flag('inspect_args', true);
  const base = routeBase === undefined ? dashify(cls.cls.name.replace(/View$/, '')) : routeBase.replace(/^\/*/, '/').replace(/^\/+|\/+$/g, '');
  const listed = (name: string): string[] => {
    const value = classValue(project, cls, name);
    return (value && stringList(project, value.expr, value.ctx)) ?? [];
  };
  // `get_route_base` adds the variables of a route_base it is given to the arguments no rule takes.
  const ignored = new Set(['self', ...listed('base_args'), ...[...(routeBase ?? '').matchAll(/<(?:[^<>:]+:)?([^<>]+)>/g)].map((m) => m[1])]);
  const excluded = new Set(listed('excluded_methods'));
  const defaultMethods = classValue(project, cls, 'default_methods');
  const decoratorList = classValue(project, cls, 'decorators');
  const classDecorators = (decoratorList && sequenceItems(project, decoratorList.expr, decoratorList.ctx)) ?? [];

  const buildRule = (rule: string, fn?: FunctionDef): string => {
    const parts = [routePrefix, base, rule].filter((p) => p);
    if (fn && inspectArgs) parts.push(...urlArguments(fn, ignored));
    return `/${parts.join('/')}`.replace(/\/{2,}/g, '/');
  };
  const withSlash = (rule: string): string => (trailingSlash && !rule.endsWith('/') ? `${rule}/` : rule);

  return members(project, cls).filter(({ fn }) => !excluded.has(fn.name)).flatMap((member): ClassfulRule[] => {
    const memberCtx = functionCtx(member.mod, member.fn);
    const own = member.fn.decorators.map((expr) => ({ expr, ctx: memberCtx, named: decoratorName(project, expr, memberCtx) }));
    const decorators = [...classDecorators, ...own.filter((d) => d.named !== ROUTE_DECORATOR && d.named !== METHOD_DECORATOR)];
    const routes = own.filter((d): d is typeof d & { expr: CallExpr } => d.named === ROUTE_DECORATOR && d.expr.k === 'call');
    const shared = { member, decorators, unresolved };
    if (routes.length) {
      return routes.map(({ expr }) => {
        const rule = argument(expr, 0, 'rule');
        const written = rule && project.stringValue(rule, memberCtx);
        const why = written === undefined ? [`rule \`${rule ? Project.describe(rule) : '?'}\` is not a static string`] : [];
        const methods = kwarg(expr, 'methods');
        return { ...shared, rule: buildRule(written ?? UNRESOLVED_SEGMENT), methods: methods ? httpMethods(project, methods, memberCtx) : ['GET'], unresolved: [...unresolved, ...why] };
      });
    }
    const special = SPECIAL_METHODS[member.fn.name];
    if (special) {
      const rule = buildRule('/', member.fn);
      return [{ ...shared, rule: !trailingSlash && rule !== '/' ? rule.replace(/\/+$/, '') : withSlash(rule), methods: [special] }];
    }
    const declared = own.filter((d) => d.named === METHOD_DECORATOR && d.expr.k === 'call').map((d) => (d.expr.k === 'call' && d.expr.args[0] ? project.stringValue(d.expr.args[0], memberCtx) : undefined));
    const methods = declared.length ? (declared.includes(undefined) ? undefined : (declared as string[])) : defaultMethods ? httpMethods(project, defaultMethods.expr, defaultMethods.ctx) : ['GET'];
    const name = dashified ? member.fn.name.replace(/_/g, '-') : member.fn.name;
    const route = trailingSlash ? `/${name}/` : `/${name}`;
    return [{ ...shared, rule: withSlash(buildRule(route, member.fn)), methods: methods?.map((m) => m.toUpperCase()) }];
  });
}

/** A class attribute as the class's MRO finds it among the project's classes, when it holds one value. */
function classValue(project: Project, cls: ClassRef, name: string): { expr: Expr; ctx: Ctx } | undefined {
  const [value, ...others] = project.classAttribute(cls, name) ?? [];
  return value?.kind === 'literal' && !others.length ? { expr: value.expr, ctx: value.ctx } : undefined;
}

/**
 * The methods `inspect.getmembers(cls, inspect.isfunction)` finds, the first definition of each name in the MRO:
 * neither FlaskView's own, nor private, `before_` or `after_` ones, nor class methods and properties.
 */
function members(project: Project, cls: ClassRef): FunctionRef[] {
  const found = new Map<string, FunctionRef>();
  for (const c of project.classChain(cls)) {
    for (const name of c.cls.methods) {
      const fn = functionDefinedIn(c.mod, c.cls.bodyScope, name);
      if (!fn || found.has(name)) continue;
      found.set(name, { mod: c.mod, fn });
    }
  }
  return [...found.values()]
    .filter(({ fn }) => !VIEW_OWN.has(fn.name) && !/^(_|before_|after_)/.test(fn.name) && !fn.decorators.some((d) => ['classmethod', 'property'].includes(dottedName(d) ?? '')))
    .sort((a, b) => compareText(a.fn.name, b.fn.name));
}

/** `<arg>` (or `<int:arg>` for an annotated one) for each positional parameter without a default that no rule ignores. */
function urlArguments(fn: FunctionDef, ignored: Set<string>): string[] {
  const firstStar = fn.params.findIndex((p) => p.star || p.kwstar);
  const positional = firstStar < 0 ? fn.params : fn.params.slice(0, firstStar);
  const defaults = positional.filter((p) => p.default).length;
  return positional.flatMap((p, i) => {
    if (ignored.has(p.name) || (defaults && positional.length - i <= defaults)) return [];
    const converter = p.annotation && TYPE_HINTS[dottedName(p.annotation) ?? ''];
    return [converter ? `<${converter}:${p.name}>` : `<${p.name}>`];
  });
}

/** `somethingWithUppercase` → `something-with-uppercase`, as flask-classful names a class's route base. */
function dashify(name: string): string {
  return name.replace(/(.)([A-Z][a-z]+)/g, '$1-$2').replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
}
