/**
 * Django and DRF views: what a URL pattern's view expression is (function view, `@api_view` function,
 * class view through `as_view()`, viewset with an action map) and which HTTP methods it serves, as
 * Django's `View.dispatch` and DRF's `APIView`/`ViewSetMixin` decide them.
 */
import type { CallExpr, Expr } from '../../python/ir';
import { argument, exprLine, lineOf, locAt } from '../../python/ir';
import { versionSide } from '../../manifests';
import { Project, type ClassRef, type Ctx, type FunctionRef, type Value } from '../../python/project';
import { decoratorName, functionCtx, httpMethods, sortedUnique, stringList, type Decorator } from '../common';
import { addTo } from '../../collections';
import { STANDARD_METHODS } from '../../model';
import { externalFunctionView, externalView, factoryView, isKnownPackage, type ExternalView } from './tables';

/** A keyword given to the view: `as_view(throttle_classes=[...])` or `@action(throttle_classes=[...])`. */
export interface ViewOption {
  name: string;
  expr: Expr;
  ctx: Ctx;
}

export interface DjangoView {
  handler: string; // dotted name of the function or class
  handlerFile: string;
  handlerLine: number;
  fn?: FunctionRef; // a function view
  cls?: ClassRef; // a project class view or viewset
  drf: boolean; // DRF's APIView machinery runs (throttling applies)
  unreadBases?: string; // why its bases cannot be read (one outside the project and the known libraries, or no view found): they may bring DRF and its throttles
  noThrottles?: boolean; // a library view with `throttle_classes = ()`
  allauthAction?: string; // a django-allauth view that rate-limits itself under this action
  handlers: Map<string, string>; // HTTP method → handler method or viewset action (lower case)
  automatic: string[]; // methods the framework adds (OPTIONS, HEAD for GET)
  anyMethod: boolean; // a function view without a method restriction serves every method
  options: ViewOption[];
  wrappers: Decorator[]; // applied in urls.py, outermost first
  unresolved: string[];
}

const REQUIRE_METHODS = new Map<string, string[] | undefined>([
  ['require_GET', ['GET']],
  ['require_POST', ['POST']],
  ['require_safe', ['GET', 'HEAD']],
  ['require_http_methods', undefined], // read from its argument
]);
const CALLABLE_BASES = ['Feed'];
// Django's View.http_method_names default.
const HTTP_METHOD_NAMES = STANDARD_METHODS.map((m) => m.toLowerCase());


export function lastSegment(qname: string | undefined): string {
  return qname?.split('.').pop() ?? '';
}

/** `lambda request: HttpResponse("ok")`: a function view no decorator restricts, serving every method. */
function lambdaView(lambda: Extract<Expr, { k: 'lambda' }>, ctx: Ctx, wrappers: Decorator[]): DjangoView {
  return {
    handler: `${ctx.mod.module}.<lambda>`, handlerFile: ctx.mod.file, handlerLine: lineOf(lambda.loc),
    drf: false, handlers: new Map(STANDARD_METHODS.map((m) => [m, '<lambda>'])), automatic: [], anyMethod: true, options: [], wrappers, unresolved: [],
  };
}

export class ViewResolver {
  private setattrCalls?: Map<string, { call: CallExpr; ctx: Ctx }[]>; // see attachedMethods

  constructor(private readonly project: Project) {}

  /**
   * Methods set on a class from outside it with `setattr(View, name, handler)`: each name, undefined where it is
   * not static (oncall's `for method in APIView.http_method_names: setattr(GatewayView, method.lower(), proxy)`;
   * a loop variable is not, even over a literal list: every method is listed then).
   */
  private attachedMethods(ref: ClassRef): (string | undefined)[] {
    if (!this.setattrCalls) {
      // By the name the class is written with: only those calls are read, for the classes that are views.
      this.setattrCalls = new Map();
      for (const mod of this.project.modules) {
        for (const { call, scope } of mod.calls) {
          const target = call.args[0];
          const written = target?.k === 'name' ? target.id : target?.k === 'attr' ? target.name : undefined;
          if (call.fn.k === 'name' && call.fn.id === 'setattr' && call.args.length === 3 && written) addTo(this.setattrCalls, written, { call, ctx: { mod, scope, line: lineOf(call.loc) } });
        }
      }
    }
    const onThis = (this.setattrCalls.get(ref.cls.name) ?? []).filter(({ call, ctx }) => this.project.resolve(call.args[0], ctx).some((v) => v.kind === 'class' && v.ref.cls === ref.cls));
    return onThis.map(({ call, ctx }) => this.project.stringValue(call.args[1], ctx));
  }

  /** The view a pattern's second argument denotes, unwrapping `login_required(view)`-style wrappers. */
  view(expr: Expr, ctx: Ctx, wrappers: Decorator[] = [], depth = 0): DjangoView | { why: string } {
    if (depth > 8) return { why: 'view expression nests too deeply' };
    if (expr.k === 'call') {
      // Keywords given where a library builds the view are the view's, as `as_view()`'s are.
      const made = this.madeView(expr, ctx);
      if (made) return this.library(made.name, made.view, ctx, wrappers, expr.kwargs.map(([name, value]) => ({ name, expr: value, ctx })));
      if (expr.fn.k === 'attr' && expr.fn.name === 'as_view') return this.asView(expr, ctx, wrappers);
      // `partial(view, exception=None)` calls the view with more arguments.
      if (expr.args[0] && this.project.resolve(expr.fn, ctx).some((v) => v.kind === 'external' && v.qname === 'functools.partial')) {
        return this.view(expr.args[0], ctx, wrappers, depth + 1);
      }
      // `login_required(view)` wraps a view; `error_view(400)`, a factory, returns one (read below).
      if (expr.args.length === 1 && !expr.kwargs.length && !expr.splat) {
        const wrapped = this.view(expr.args[0], ctx, [...wrappers, { expr: expr.fn, ctx }], depth + 1);
        if (!('why' in wrapped) || !this.project.resolve(expr.fn, ctx).some((v) => v.kind === 'function')) return wrapped;
      }
    }
    const values = this.project.resolve(expr, ctx);
    const functions = values.filter((v): v is Extract<Value, { kind: 'function' }> => v.kind === 'function');
    // A factory returning one of several function views (`error_view(400)`): one view when they answer alike.
    if (functions.length > 1) return this.oneOf(functions.map((f) => this.functionView(f.ref, wrappers)), expr, ctx);
    for (const v of values) {
      if (v.kind === 'function') return this.functionView(v.ref, wrappers);
      if (v.kind === 'literal' && v.expr.k === 'lambda') return lambdaView(v.expr, v.ctx, wrappers);
      if (v.kind === 'result' && v.call !== expr) return this.view(v.call, v.ctx, wrappers, depth + 1);
      if (v.kind === 'instance' && v.cls && this.isCallable(v.cls)) return this.callableInstance(v.cls, wrappers);
      if (v.kind === 'instance' && v.site.call !== expr) return this.view(v.site.call, v.site.ctx, wrappers, depth + 1);
      if (v.kind === 'external') {
        const known = externalFunctionView(v.qname);
        if (known) return this.library(known.name, known.view, ctx, wrappers);
      }
    }
    return { why: `view \`${Project.describe(expr)}\` cannot be resolved statically` };
  }

  /** A view a library function builds (see factoryView): `get_schema_view(...)`, `schema_view.with_ui("swagger")`. */
  private madeView(call: CallExpr, ctx: Ctx): { name: string; view: ExternalView } | undefined {
    const { fn } = call;
    for (const v of this.project.resolve(fn, ctx)) {
      const made = v.kind === 'external' ? factoryView(v.qname) : undefined;
      if (made) return made;
    }
    if (fn.k !== 'attr') return undefined;
    const built = this.project.resolve(fn.obj, ctx).flatMap((v) => (v.kind === 'instance' ? v.types : []));
    return built.map((qname) => factoryView(qname, fn.name)).find(Boolean);
  }

  private oneOf(views: DjangoView[], expr: Expr, ctx: Ctx): DjangoView | { why: string } {
    const methods = (v: DjangoView): string => [...v.handlers.keys()].sort().join();
    if (views.some((v) => methods(v) !== methods(views[0]) || v.drf !== views[0].drf)) return { why: `view \`${Project.describe(expr)}\` is one of several views that answer differently` };
    return { ...views[0], handler: Project.describe(expr), handlerFile: ctx.mod.file, handlerLine: exprLine(expr, ctx.line), fn: undefined };
  }

  /** Instances used as views (syndication `Feed()`, classes with `__call__`) answer every method. */
  private isCallable(ref: ClassRef): boolean {
    return this.project.classChain(ref).some((c) => c.cls.methods.includes('__call__')) || this.project.externalBases(ref).some((q) => CALLABLE_BASES.includes(lastSegment(q)));
  }

  private callableInstance(ref: ClassRef, wrappers: Decorator[]): DjangoView {
    return {
      handler: `${ref.mod.module}.${ref.cls.qualname}`, handlerFile: ref.mod.file, handlerLine: lineOf(ref.cls.loc), cls: ref,
      drf: false, handlers: new Map(STANDARD_METHODS.map((m) => [m, '__call__'])), automatic: [], anyMethod: true,
      options: [], wrappers, unresolved: [],
    };
  }

  functionView(ref: FunctionRef, wrappers: Decorator[]): DjangoView {
    const ctx = functionCtx(ref.mod, ref.fn);
    const decorators: Decorator[] = [...wrappers, ...ref.fn.decorators.map((expr) => ({ expr, ctx }))];
    const base = {
      handler: `${ref.mod.module}.${ref.fn.qualname}`, handlerFile: ref.mod.file, handlerLine: lineOf(ref.fn.loc),
      fn: ref, options: [], wrappers, unresolved: [] as string[],
    };
    const api = ref.fn.decorators.find((d) => decoratorName(this.project, d, ctx) === 'rest_framework.decorators.api_view');
    if (api) {
      const listed = api.k === 'call' ? argument(api, 0, 'http_method_names') : undefined;
      const methods = listed ? httpMethods(this.project, listed, ctx) : ['GET'];
      if (!methods) base.unresolved.push('`@api_view` methods are not static');
      const handlers = new Map((methods ?? STANDARD_METHODS).map((m) => [m, ref.fn.name] as [string, string]));
      handlers.set('OPTIONS', 'options');
      return { ...base, drf: true, handlers, automatic: methods?.includes('OPTIONS') ? [] : ['OPTIONS'], anyMethod: !methods };
    }
    // `@require_POST` and friends; without one (or with methods we cannot read) every method is served.
    const restriction = decorators
      .map((d) => ({ ...d, qname: decoratorName(this.project, d.expr, d.ctx) ?? '' }))
      .find(({ qname }) => qname.startsWith('django.') && REQUIRE_METHODS.has(lastSegment(qname)));
    const listedArg = restriction?.expr.k === 'call' ? { expr: restriction.expr.args[0], ctx: restriction.ctx } : undefined;
    const listed = (restriction && REQUIRE_METHODS.get(lastSegment(restriction.qname))) ?? (listedArg?.expr && httpMethods(this.project, listedArg.expr, listedArg.ctx));
    if (restriction && !listed) base.unresolved.push('`require_http_methods` methods are not static');
    return { ...base, drf: false, handlers: new Map((listed ?? STANDARD_METHODS).map((m) => [m, ref.fn.name])), automatic: [], anyMethod: !listed };
  }

  private asView(call: CallExpr, ctx: Ctx, wrappers: Decorator[]): DjangoView | { why: string } {
    if (call.fn.k !== 'attr') return { why: 'not an as_view() call' };
    // `SpectacularAPIView().as_view()`: DRF's `as_view` is a classmethod, so an instance builds its class's view;
    // Django's is class-only, and importing the URLconf raises AttributeError.
    const owner = this.project.resolve(call.fn.obj, ctx);
    const onInstance = owner.some((v) => v.kind === 'instance');
    const classes = owner.flatMap((v): Value[] => (v.kind !== 'instance' ? [v] : v.cls ? [{ kind: 'class', ref: v.cls }] : v.types.map((qname) => ({ kind: 'external', qname }))));
    const view = this.classAsView(classes, call, call.fn.obj, ctx, wrappers);
    if (!onInstance || 'why' in view || view.drf) return view;
    return { why: `\`${Project.describe(call.fn.obj)}.as_view()\` is called on an instance: Django's \`View.as_view\` is class-only, so importing this URLconf raises AttributeError` };
  }

  /** The view `as_view()` builds from the first of `classes` that is a view class (`owner`: where they were read). */
  private classAsView(classes: Value[], call: CallExpr, owner: Expr, ctx: Ctx, wrappers: Decorator[]): DjangoView | { why: string } {
    const options = call.kwargs.map(([name, expr]) => ({ name, expr, ctx }));
    const actionMap = argument(call, 0, 'actions');
    for (const v of classes) {
      if (v.kind === 'class') {
        const view = this.classView(v.ref, wrappers, options);
        // An `as_view` of the project's own that does not build the view through Django's (pretalx's CRUD views set
        // each method's handler on the instance from a table, per call) answers methods its class does not show.
        const own = this.project.methodOf(v.ref, 'as_view');
        if (own && !own.fn.calls.some((c) => isSuperMethod(c.fn, 'as_view'))) {
          view.unresolved.push(`\`${own.fn.qualname}\` builds the view itself, not through Django's \`as_view\`: every method is listed`);
          return { ...view, handlers: new Map(STANDARD_METHODS.map((m) => [m, 'as_view'])), anyMethod: true };
        }
        return actionMap ? this.withActions(view, actionMap, ctx) : view;
      }
      if (v.kind === 'external') {
        const known = externalView(v.qname);
        if (!known) break;
        const view = this.library(v.qname, known, ctx, wrappers, options);
        return actionMap ? this.withActions(view, actionMap, ctx) : view;
      }
    }
    return { why: `view class \`${Project.describe(owner)}\` cannot be resolved statically` };
  }

  library(qname: string, known: ExternalView, ctx: Ctx, wrappers: Decorator[] = [], given: ViewOption[] = []): DjangoView {
    // A library class's own `throttle_scope` counts after the keywords given to `as_view()`.
    const scope: ViewOption[] = known.throttleScope ? [{ name: 'throttle_scope', expr: { k: 'str', v: known.throttleScope, loc: locAt(ctx.line, 1) }, ctx }] : [];
    const view: DjangoView = {
      handler: qname, handlerFile: ctx.mod.file, handlerLine: ctx.line, drf: !!known.drf,
      handlers: new Map(), automatic: [], anyMethod: false, options: [...given, ...scope], wrappers, unresolved: [],
    };
    if (known.noThrottles) view.noThrottles = true;
    if (known.allauthAction) view.allauthAction = known.allauthAction;
    if (known.functionView) return { ...view, handlers: new Map(STANDARD_METHODS.map((m) => [m, lastSegment(qname)])), anyMethod: true };
    return withHandlers(view, new Set(this.handlersOf(known)), HTTP_METHOD_NAMES);
  }

  /** A library view's handlers in the Django version the project declares (the newest when it declares none). */
  private handlersOf(known: ExternalView): string[] {
    if (!known.since) return known.handlers;
    const side = versionSide(this.project.metadata.packages.get('django'), known.since.django);
    return side === 'below' ? known.handlers : known.since.handlers;
  }

  /** A project class view: handlers from its own methods and its library bases, limited by `http_method_names`. */
  classView(ref: ClassRef, wrappers: Decorator[], options: ViewOption[]): DjangoView {
    const external = this.project.externalBases(ref);
    const library = external.map((q) => externalView(q)).filter((k): k is ExternalView => k !== undefined);
    const unresolved: string[] = [];
    // A base outside the known libraries counts when nothing else makes this a view, or when it is named as a view
    // itself (`FilterView` beside a mixin from Django): its handlers are unknown. Other mixins add none.
    const unknown = external.filter((q) => !isKnownPackage(q) && !externalView(q));
    const unreadBase = library.length ? unknown.find((q) => /View(Set)?$/.test(lastSegment(q))) : unknown[0];
    const attached = this.project.classChain(ref).flatMap((c) => this.attachedMethods(c));
    const unreadHandlers = unreadBase
      ? `view base \`${unreadBase}\` is not a class apiposture knows`
      : !library.length
        ? `\`${ref.cls.qualname}\` does not derive from a Django view class found statically`
        : attached.includes(undefined) && `\`${ref.cls.qualname}\` gets methods from \`setattr\` under names computed at run time`;
    // Handlers such a base may define are unknown: every method is listed, so none it serves goes unseen.
    if (unreadHandlers) unresolved.push(`${unreadHandlers}: every method is listed`);
    const allowed = this.allowedMethods(ref) ?? HTTP_METHOD_NAMES;
    const defined = new Set(unreadHandlers ? allowed : [...this.project.classChain(ref).flatMap((c) => c.cls.methods), ...library.flatMap((k) => this.handlersOf(k)), ...attached.filter((m) => m !== undefined)]);
    if (!allowed.length) unresolved.push('`http_method_names` is not static');
    const view: DjangoView = {
      handler: `${ref.mod.module}.${ref.cls.qualname}`, handlerFile: ref.mod.file, handlerLine: lineOf(ref.cls.loc),
      cls: ref, drf: library.some((k) => k.drf),
      handlers: new Map(), automatic: [], anyMethod: false, options, wrappers, unresolved,
      ...(unreadBase ? { unreadBases: `derives from \`${unreadBase}\`, which is not in the project` } : !library.length && { unreadBases: 'does not derive from a Django view class found statically' }),
    };
    if (library.some((k) => k.noThrottles)) view.noThrottles = true;
    const allauthAction = library.find((k) => k.allauthAction)?.allauthAction;
    if (allauthAction) view.allauthAction = allauthAction;
    // A `dispatch` of its own that never hands the request to `super().dispatch` picks handlers its own way; one
    // that does (returning its response, or keeping it to log first) leaves the choice to each method's handler.
    const dispatch = this.project.methodOf(ref, 'dispatch');
    if (dispatch && !dispatch.fn.calls.some((c) => isSuperMethod(c.fn, 'dispatch'))) {
      view.unresolved.push(`\`${dispatch.fn.qualname}\` answers requests itself, not through the handler of each method: every method is listed`);
      return { ...view, handlers: new Map(STANDARD_METHODS.map((m) => [m, 'dispatch'])), anyMethod: true };
    }
    return withHandlers(view, defined, allowed);
  }

  /** `http_method_names` as the class has it: its own or a project base's, else a library base's (see ExternalView). */
  private allowedMethods(ref: ClassRef): string[] | undefined {
    if (!this.project.classAttribute(ref, 'http_method_names')) return this.project.externalBases(ref).map((q) => externalView(q)?.methodNames).find((names) => names);
    const value = this.project.literalAttribute(ref, 'http_method_names');
    return (value && stringList(this.project, value.expr, value.ctx)?.map((m) => m.toLowerCase())) ?? [];
  }

  /** Actions a viewset implements: its own methods and those of its library bases and mixins. */
  viewsetActions(ref: ClassRef): Set<string> {
    const library = this.project.externalBases(ref).flatMap((q) => externalView(q)?.actions ?? []);
    return new Set([...this.project.classChain(ref).flatMap((c) => c.cls.methods), ...library]);
  }

  /** `ViewSet.as_view({"get": "list"})`, or a router route: methods from the action map. */
  withActions(view: DjangoView, mapping: Expr | Map<string, string>, ctx: Ctx): DjangoView {
    const handlers = new Map<string, string>();
    if (mapping instanceof Map) {
      for (const [m, action] of mapping) handlers.set(m.toUpperCase(), action);
    } else if (mapping.k === 'dict') {
      for (const [k, v] of mapping.entries) {
        const method = this.project.stringValue(k, ctx);
        const action = this.project.stringValue(v, ctx);
        if (method && action) handlers.set(method.toUpperCase(), action);
        else view.unresolved.push('the action map is not static');
      }
    } else {
      view.unresolved.push('the action map is not static');
    }
    handlers.set('OPTIONS', 'options');
    // ViewSetMixin.as_view maps HEAD to the GET action.
    const automatic = ['OPTIONS', ...headFromGet(handlers)].sort();
    // Dispatch answers 405 to a method the class's `http_method_names` leaves out, whatever the action map says.
    const allowed = view.cls && this.allowedMethods(view.cls);
    if (allowed?.length) for (const method of handlers.keys()) if (!allowed.includes(method.toLowerCase())) handlers.delete(method);
    return { ...view, handlers, automatic: automaticOf(automatic.filter((m) => handlers.has(m)), handlers), anyMethod: false };
  }

  /** The project function that handles a method: the function view, or the class's handler/action method. */
  handlerFunction(view: DjangoView, method: string): FunctionRef | undefined {
    if (view.fn) return view.fn;
    const name = view.handlers.get(method);
    return view.cls && name ? this.project.methodOf(view.cls, name) : undefined;
  }
}

/** HEAD answered by the GET handler when there is no HEAD handler of its own: `['HEAD']` when added. */
function headFromGet(handlers: Map<string, string>): string[] {
  const get = handlers.get('GET');
  if (get === undefined || handlers.has('HEAD')) return [];
  handlers.set('HEAD', get);
  return ['HEAD'];
}

/** Django's dispatch: a method is served when it is in `http_method_names` and the class has a handler for it. */
function withHandlers(view: DjangoView, defined: Set<string>, allowed: string[]): DjangoView {
  for (const name of allowed) if (defined.has(name) || name === 'options') view.handlers.set(name.toUpperCase(), name);
  // View.setup() makes HEAD answer with `get` when the class has no `head` (if HEAD is allowed at all).
  const head = allowed.includes('head') ? headFromGet(view.handlers) : [];
  view.automatic = automaticOf(sortedUnique([...(view.handlers.has('OPTIONS') ? ['OPTIONS'] : []), ...head]), view.handlers);
  return view;
}

/**
 * The methods answered without a handler of their own (OPTIONS, HEAD from `get`), unless they are all the view
 * answers: a route left with OPTIONS alone (JumpServer's `http_method_names = ['get', 'options']` on a POST
 * action) serves DRF's metadata answer and nothing else, its method, throttled as any other.
 */
function automaticOf(automatic: string[], handlers: Map<string, string>): string[] {
  return automatic.length < handlers.size ? automatic : [];
}

/** `super().<method>(...)`: the library's own method runs. */
export function callsSuper(expr: Expr, method: string): boolean {
  return expr.k === 'call' && isSuperMethod(expr.fn, method);
}

/** `super().<method>` (or `super(Cls, self).<method>`) as a callee. */
function isSuperMethod(fn: Expr, method: string): boolean {
  const base = fn.k === 'attr' && fn.name === method ? fn.obj : undefined;
  return base?.k === 'call' && base.fn.k === 'name' && base.fn.id === 'super';
}
