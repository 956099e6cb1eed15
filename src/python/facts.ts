/**
 * Turns a tree-sitter-python tree into `ModuleFacts`: scopes, bindings (assignments, imports, defs,
 * parameters), call statements with their enclosing `for` loops, functions with decorators, classes.
 * Control flow is flattened: statements under `if`/`try`/`with`/`for`/`while` count as if they ran.
 */
import type { PyNode } from './syntax';
import type { Binding, BodyCall, CallExpr, ClassDef, Directive, Expr, FunctionDef, Loc, Loop, ModuleFacts, Param, Scope } from './ir';
import { lineOf, locAt } from './ir';

// Deeper nesting is summarised as `other`, so hostile input cannot exhaust the stack.
const MAX_DEPTH = 200;

const BLOCK_STATEMENTS = new Set([
  'if_statement', 'elif_clause', 'else_clause', 'try_statement', 'except_clause', 'except_group_clause',
  'finally_clause', 'with_statement', 'while_statement', 'block', 'match_statement', 'case_clause',
]);

// Names of HTTP 429 Too Many Requests: Starlette's and DRF's `HTTP_429_TOO_MANY_REQUESTS`, `HTTPStatus.TOO_MANY_REQUESTS`,
// werkzeug's `TooManyRequests`, DRF's `Throttled`, slowapi's and Flask-Limiter's `RateLimitExceeded` and fastcrud's
// `RateLimitException` (all answer 429; FastAPI-boilerplate's own dependency raises the last); and django-ratelimit's
// `Ratelimited`, the over-limit refusal it answers with 403 (DefectDojo's own decorator over `is_ratelimited` raises it).
const TOO_MANY_REQUESTS = /^(HTTP_429_\w*|TOO_MANY_REQUESTS|TooManyRequests|Throttled|RateLimitExceeded|RateLimitException|Ratelimited)$/;

export function locOf(node: PyNode): Loc {
  return locAt(node.startPosition.row + 1, node.startPosition.column + 1);
}

/** Dotted module name and package flag for a relative file path such as `app/api/__init__.py`. */
export function moduleNameOf(file: string): { module: string; isPackage: boolean } {
  const parts = file.replace(/\.pyi?$/, '').split('/');
  const isPackage = parts[parts.length - 1] === '__init__';
  if (isPackage) parts.pop();
  return { module: parts.join('.'), isPackage };
}

export function extractFacts(root: PyNode, file: string): ModuleFacts {
  const { module, isPackage } = moduleNameOf(file);
  const facts: ModuleFacts = {
    file, module, isPackage, scopes: [], bindings: {}, calls: [], functions: [], classes: [], directives: directivesOf(root), arms: [],
  };
  const builder = new FactsBuilder(facts);
  const moduleScope = builder.newScope(null, 'module', module);
  builder.statements(root.namedChildren, moduleScope, '', [], 0);
  dropUnboundCalls(facts);
  return facts;
}

/**
 * Body calls of names the module binds nowhere (builtins such as `len`, loop variables) can never be
 * resolved: they are dropped to keep facts small. Star imports may bind anything, so they keep every call.
 */
function dropUnboundCalls(facts: ModuleFacts): void {
  const bound = new Set(Object.values(facts.bindings).flatMap((list) => list.map((b) => b.name)));
  if (bound.has('*')) return;
  for (const fn of facts.functions) fn.calls = fn.calls.filter((c) => c.fn.k !== 'name' || bound.has(c.fn.id));
}

/** Only real `comment` nodes count, so a `#` inside a string is never a directive. */
function directivesOf(root: PyNode): Directive[] {
  const directives: Directive[] = [];
  for (const comment of root.descendantsOfType('comment')) {
    const text = comment.text.replace(/^#\s*/, '').trimEnd(); // a CRLF file's comments end in \r
    if (!text.startsWith('apiposture:')) continue;
    const match = /^apiposture:\s*ignore\[\s*(AP\d{3}(?:\s*,\s*AP\d{3})*)\s*\](.*)$/.exec(text);
    directives.push({
      line: comment.startPosition.row + 1,
      ids: match ? match[1].split(',').map((id) => id.trim()) : [],
      reason: match ? match[2].trim() : '',
    });
  }
  return directives;
}

class FactsBuilder {
  private readonly functionByBodyScope = new Map<number, FunctionDef>();
  private readonly globalNames = new Map<number, Set<string>>(); // by function body scope: the names it declares `global`
  // What bodyCall built of a call's callee and first argument, by node, with the depth the build reached: the body's
  // statements read the same nodes again, and share the expression where it reads the same there (a tenth of the
  // objects facts held were such copies).
  private readonly bodyCallExprs = new Map<PyNode, { expr: Expr; reach: number }>();
  private reach = 0; // the deepest `expr` went since bodyCallExpr began its build

  constructor(private readonly facts: ModuleFacts) {}

  newScope(parent: number | null, kind: Scope['kind'], name: string): number {
    const id = this.facts.scopes.length;
    this.facts.scopes.push({ id, parent, kind, name });
    this.facts.bindings[id] = [];
    return id;
  }

  private bind(scope: number, binding: Binding): void {
    if (this.globalNames.get(scope)?.has(binding.name)) (this.facts.lateBindings ??= []).push({ ...binding, scope });
    else this.facts.bindings[scope].push(binding);
  }

  statements(nodes: PyNode[], scope: number, qualPrefix: string, loops: Loop[], depth: number): void {
    for (const node of nodes) this.statement(node, scope, qualPrefix, loops, depth);
  }

  private statement(node: PyNode, scope: number, qualPrefix: string, loops: Loop[], depth: number): void {
    if (depth > MAX_DEPTH) return;
    switch (node.type) {
      case 'expression_statement':
        for (const child of node.namedChildren) this.expressionStatement(child, scope, loops);
        return;
      case 'import_statement':
      case 'import_from_statement':
        this.importStatement(node, scope);
        return;
      case 'decorated_definition': {
        const definition = node.childForFieldName('definition');
        const decorators = node.namedChildren.filter((c) => c.type === 'decorator').map((d) => this.decoratorExpr(d));
        if (definition) this.definition(definition, scope, qualPrefix, decorators, depth);
        return;
      }
      case 'function_definition':
      case 'class_definition':
        this.definition(node, scope, qualPrefix, [], depth);
        return;
      case 'for_statement':
      case 'for_in_clause': {
        const left = node.childForFieldName('left');
        const right = node.childForFieldName('right');
        const body = node.childForFieldName('body');
        const targets = left ? loopTargets(left) : [];
        const inner = right && targets.length ? [...loops, { targets, iterable: this.expr(right, 0) }] : loops;
        if (body) this.statements(body.namedChildren, scope, qualPrefix, inner, depth + 1);
        const alternative = node.childForFieldName('alternative');
        if (alternative) this.statements(alternative.namedChildren, scope, qualPrefix, loops, depth + 1);
        return;
      }
      case 'return_statement': {
        const value = node.namedChildren[0];
        const fn = this.functionByBodyScope.get(scope);
        if (!value) return;
        const returned = this.expr(value, 0);
        if (fn) fn.returns.push(returned);
        // `return self.add_resource(...)` registers as a statement would.
        if (returned.k === 'call') this.facts.calls.push({ scope, call: returned, loops });
        return;
      }
      default:
        if (node.type === 'if_statement' || node.type === 'match_statement' || node.type === 'try_statement') this.recordArms(node, scope);
        if (BLOCK_STATEMENTS.has(node.type)) {
          for (const child of node.namedChildren) {
            if (child.type === 'block' || BLOCK_STATEMENTS.has(child.type)) {
              this.statements(child.type === 'block' ? child.namedChildren : [child], scope, qualPrefix, loops, depth + 1);
            } else if (child.type === 'with_clause') {
              for (const item of child.namedChildren) this.withItem(item, scope, loops);
            }
          }
        }
    }
  }

  /**
   * A `case` as the test it makes of the subject: `case "production":` is `subject == "production"`, `case "a" |
   * "b":` an `or` of those; `case _:` has none (an `else`); other patterns and guards are tests nobody can decide.
   */
  private caseTest(match: PyNode, clause: PyNode): Expr | undefined {
    const subject = match.childForFieldName('subject');
    const patterns = clause.namedChildren.filter((c) => c.type === 'case_pattern');
    const guarded = clause.namedChildren.some((c) => c.type === 'if_clause');
    if (!guarded && patterns.length === 1 && patterns[0].text === '_') return undefined;
    const undecidable: Expr = { k: 'other', text: clip(clause.text.split('\n')[0]), loc: locOf(clause) };
    const inner = patterns.length === 1 && !guarded && subject ? patterns[0].namedChildren : [];
    const alternatives = inner.length === 1 && inner[0].type === 'union_pattern' ? inner[0].namedChildren : inner;
    // `case Environment.production:` is a value pattern, compared with `==` like a literal; a bare name captures.
    const isValue = (a: PyNode): boolean => LITERAL_PATTERNS.has(a.type) || (a.type === 'dotted_name' && a.namedChildren.length > 1);
    if (!subject || !alternatives.length || !alternatives.every(isValue)) return undecidable;
    const valueOf = (pattern: PyNode): Expr =>
      pattern.type === 'dotted_name'
        ? pattern.namedChildren.slice(1).reduce<Expr>((obj, part) => ({ k: 'attr', obj, name: part.text, loc: locOf(part) }), { k: 'name', id: pattern.namedChildren[0].text, loc: locOf(pattern) })
        : this.expr(pattern, 0);
    const compare = (pattern: PyNode): Expr => operatorCall('__cmp__', [this.expr(subject, 0), { k: 'str', v: '==', loc: locOf(pattern) }, valueOf(pattern)], locOf(pattern));
    return alternatives.map(compare).reduce((a, b) => operatorCall('__or__', [a, b], locOf(clause)));
  }

  /**
   * The lines of each arm of an `if` (its block, each `elif`, the `else`), a `match` (each `case`) or the handlers of a
   * `try` (each `except`: it runs only when the body raises, a test nobody can decide).
   */
  private recordArms(node: PyNode, scope: number): void {
    const of = node.startPosition.row + 1;
    const arms =
      node.type === 'if_statement'
        ? node.namedChildren.filter((c) => c.type === 'block' || c.type === 'elif_clause' || c.type === 'else_clause')
        : node.type === 'try_statement'
          ? node.namedChildren.filter((c) => c.type === 'except_clause' || c.type === 'except_group_clause')
          : (node.childForFieldName('body')?.namedChildren ?? []).filter((c) => c.type === 'case_clause');
    arms.forEach((arm, i) => {
      // The test of the `if` itself stands before its block; an `elif` holds its own.
      const condition = node.type !== 'if_statement' ? undefined : i === 0 ? node.childForFieldName('condition') : arm.type === 'elif_clause' ? arm.childForFieldName('condition') : undefined;
      const handler: Expr | undefined = node.type === 'try_statement' ? { k: 'other', text: clip(arm.text.split('\n')[0]), loc: locOf(arm) } : undefined;
      const test = condition ? this.expr(condition, 0) : node.type === 'match_statement' ? this.caseTest(node, arm) : handler;
      // `if (path := ...):` binds `path` for the arm, as Python does.
      for (const walrus of condition ? [condition, ...condition.descendantsOfType('named_expression')].filter((n) => n.type === 'named_expression') : []) {
        const name = walrus.childForFieldName('name');
        const value = walrus.childForFieldName('value');
        if (name?.type === 'identifier' && value) this.bind(scope, { kind: 'assign', name: name.text, line: walrus.startPosition.row + 1, value: this.expr(value, 0) });
      }
      this.facts.arms.push({ of, arm: i, from: arm.startPosition.row + 1, to: arm.endPosition.row + 1, ...(test && { test, scope }) });
    });
  }

  private expressionStatement(node: PyNode, scope: number, loops: Loop[]): void {
    if (node.type === 'assignment' || node.type === 'augmented_assignment') {
      const left = node.childForFieldName('left');
      const right = node.childForFieldName('right');
      if (!left || !right) return;
      if (right.type === 'assignment') this.expressionStatement(right, scope, loops); // a = b = value
      const valueNode = right.type === 'assignment' ? lastAssignedValue(right) : right;
      if (!valueNode) return;
      let value = this.expr(valueNode, 0);
      const line = node.startPosition.row + 1;
      if (node.type === 'augmented_assignment' && left.type === 'identifier') {
        // `urlpatterns += [...]` keeps the earlier value as the left operand.
        value = { k: 'concat', parts: [{ k: 'name', id: left.text, loc: locOf(left) }, value] };
      }
      for (const target of assignTargets(left)) this.bind(scope, { kind: 'assign', name: target, line, value });
      if (value.k === 'call') this.facts.calls.push({ scope, call: value, loops });
      // `app.config["X"] = v` and `app.state.limiter = v` are recorded as the calls
      // `app.config.__setitem__("X", v)` and `app.state.__setattr__("limiter", v)`.
      const obj = left.childForFieldName(left.type === 'subscript' ? 'value' : 'object');
      const keyNode = left.childForFieldName(left.type === 'subscript' ? 'subscript' : 'attribute');
      if ((left.type === 'subscript' || left.type === 'attribute') && obj && keyNode) {
        const key: Expr = left.type === 'subscript' ? this.expr(keyNode, 0) : { k: 'str', v: keyNode.text, loc: locOf(keyNode) };
        const fn: Expr = { k: 'attr', obj: this.expr(obj, 0), name: left.type === 'subscript' ? '__setitem__' : '__setattr__', loc: locOf(left) };
        this.facts.calls.push({ scope, call: { k: 'call', fn, args: [key, value], kwargs: [], splat: false, loc: locOf(left) }, loops });
      }
      return;
    }
    if (node.type === 'call' || node.type === 'await') {
      const value = this.expr(node.type === 'await' ? node.namedChildren[0] ?? node : node, 0);
      if (value.k === 'call') this.facts.calls.push({ scope, call: value, loops });
    }
  }

  /** `with x as y` binds `y` to `x`: the usual context managers (clients, sessions, files) return themselves. */
  private withItem(item: PyNode, scope: number, loops: Loop[]): void {
    const value = item.namedChildren[0] ?? item;
    const target = value.type === 'as_pattern' ? value.childForFieldName('alias')?.namedChildren[0] : undefined;
    const managed = value.namedChildren[0];
    if (target?.type === 'identifier' && managed) {
      this.bind(scope, { kind: 'assign', name: target.text, line: item.startPosition.row + 1, value: this.expr(managed, 0) });
    } else {
      this.expressionStatement(value, scope, loops);
    }
  }

  private importStatement(node: PyNode, scope: number): void {
    const line = node.startPosition.row + 1;
    if (node.type === 'import_statement') {
      for (const item of node.namedChildren) {
        if (item.type === 'aliased_import') {
          const name = item.childForFieldName('name')?.text ?? '';
          const alias = item.childForFieldName('alias')?.text ?? name;
          this.bind(scope, { kind: 'import', name: alias, line, module: name, level: 0 });
        } else if (item.type === 'dotted_name') {
          // `import a.b.c` binds `a` to the top package.
          const head = item.text.split('.')[0];
          this.bind(scope, { kind: 'import', name: head, line, module: head, level: 0 });
        }
      }
      return;
    }
    const moduleNode = node.childForFieldName('module_name');
    if (!moduleNode) return;
    let level = 0;
    let moduleName = moduleNode.text;
    if (moduleNode.type === 'relative_import') {
      const prefix = moduleNode.namedChildren.find((c) => c.type === 'import_prefix');
      level = prefix ? prefix.text.length : 0;
      moduleName = moduleNode.namedChildren.find((c) => c.type === 'dotted_name')?.text ?? '';
    }
    for (const item of node.childrenForFieldName('name')) {
      const attr = item.type === 'aliased_import' ? item.childForFieldName('name')?.text ?? '' : item.text;
      const alias = item.type === 'aliased_import' ? item.childForFieldName('alias')?.text ?? attr : attr;
      this.bind(scope, { kind: 'import', name: alias, line, module: moduleName, attr, level });
    }
    // `from x import *` is kept as a binding named `*` so lookups can fall through to that module.
    if (node.namedChildren.some((c) => c.type === 'wildcard_import')) {
      this.bind(scope, { kind: 'import', name: '*', line, module: moduleName, level });
    }
  }

  private definition(node: PyNode, scope: number, qualPrefix: string, decorators: Expr[], depth: number): void {
    const name = node.childForFieldName('name')?.text ?? '';
    const qualname = qualPrefix + name;
    const body = node.childForFieldName('body');
    const loc = locOf(node);
    if (node.type === 'function_definition') {
      const bodyScope = this.newScope(scope, 'function', qualname);
      const declared = body && globalsDeclared(body);
      if (declared?.size) this.globalNames.set(bodyScope, declared);
      const params = this.parameters(node.childForFieldName('parameters'));
      const fn: FunctionDef = {
        name, qualname, scope, bodyScope, loc, decorators, params, returns: [],
        isAsync: node.children.some((c) => c.type === 'async'),
        ...(body ? this.bodyFacts(body) : { reads: [], calls: [], stringKeys: [] }),
      };
      const index = this.facts.functions.push(fn) - 1;
      this.functionByBodyScope.set(bodyScope, fn);
      this.bind(scope, { kind: 'def', name, line: lineOf(loc), index });
      params.forEach((p, position) =>
        this.bind(bodyScope, { kind: 'param', name: p.name, line: lineOf(loc), index, position, default: p.default }),
      );
      if (body) this.statements(body.namedChildren, bodyScope, `${qualname}.<locals>.`, [], depth + 1);
      return;
    }
    if (node.type === 'class_definition') {
      const bodyScope = this.newScope(scope, 'class', qualname);
      const superclasses = node.childForFieldName('superclasses');
      // `Base[T]` stands for `Base`: typing's generics give Python's order the class itself, and Django's and DRF's
      // `__class_getitem__` (`ModelViewSet[Item]`, for type checkers) returns it.
      const bases = (superclasses?.namedChildren ?? []).filter((c) => c.type !== 'keyword_argument').map((c) => this.expr(c.type === 'subscript' ? c.childForFieldName('value')! : c, 0));
      const cls: ClassDef = { name, qualname, scope, bodyScope, loc, decorators, bases, methods: [] };
      const index = this.facts.classes.push(cls) - 1;
      this.bind(scope, { kind: 'class', name, line: lineOf(loc), index });
      const firstFunction = this.facts.functions.length;
      if (body) this.statements(body.namedChildren, bodyScope, `${qualname}.`, [], depth + 1);
      cls.methods = this.facts.functions.slice(firstFunction).filter((f) => f.scope === bodyScope).map((f) => f.name);
    }
  }

  /**
   * One walk of a body: the attribute names it reads, directly or through `getattr`/`hasattr` with a literal
   * name, and the literal keys it looks up (nested code included); and the calls it makes (nested functions
   * and classes left out: they are functions of their own).
   */
  private bodyFacts(body: PyNode): Pick<FunctionDef, 'reads' | 'calls' | 'stringKeys' | 'names429'> {
    const names = new Set<string>();
    const keys = new Set<string>();
    const calls: BodyCall[] = [];
    let names429 = false;
    // descendantsOfType lists in source order, the node itself included. Calls inside nested defs belong to those defs.
    const nested = body.descendantsOfType(['function_definition', 'class_definition']);
    const inNested = (node: PyNode): boolean => nested.some((d) => node.startIndex >= d.startIndex && node.endIndex <= d.endIndex);
    for (const node of body.descendantsOfType(['attribute', 'call', 'subscript', 'integer', 'argument_list', 'raise_statement'])) {
      if (node.type === 'integer') {
        names429 ||= node.text === '429';
        continue;
      }
      if (node.type === 'raise_statement') {
        // `raise Ratelimited`, the class itself (a call or an attribute is read below).
        const raised = node.namedChildren[0];
        names429 ||= raised?.type === 'identifier' && TOO_MANY_REQUESTS.test(raised.text);
        continue;
      }
      if (node.type === 'argument_list') {
        // `HTTPException(HTTP_429_TOO_MANY_REQUESTS)`, `abort(code=TOO_MANY_REQUESTS)`: names imported bare.
        const values = node.namedChildren.map((a) => (a.type === 'keyword_argument' ? a.childForFieldName('value') : a));
        names429 ||= values.some((v) => v?.type === 'identifier' && TOO_MANY_REQUESTS.test(v.text));
        continue;
      }
      const keyText = plainStringText(lookedUpKey(node));
      if (keyText) keys.add(keyText);
      if (node.type === 'attribute') {
        const name = node.childForFieldName('attribute')?.text;
        if (name) names.add(name);
      } else if (node.type === 'call') {
        const fn = node.childForFieldName('function');
        const args = node.childForFieldName('arguments');
        if (fn?.type === 'identifier' && (fn.text === 'getattr' || fn.text === 'hasattr')) {
          const text = plainStringText(args?.namedChildren[1]);
          if (text) names.add(text);
        }
        if (fn?.type === 'identifier') names429 ||= TOO_MANY_REQUESTS.test(fn.text);
        if (fn && !inNested(node)) calls.push(this.bodyCall(node, fn, args?.type === 'argument_list' ? args.namedChildren.filter((a) => a.type !== 'comment') : []));
      }
    }
    names429 ||= [...names].some((name) => TOO_MANY_REQUESTS.test(name));
    return { reads: [...names].sort(), calls, stringKeys: [...keys].sort(), ...(names429 && { names429: true }) };
  }

  private bodyCall(node: PyNode, fn: PyNode, args: PyNode[]): BodyCall {
    const call: BodyCall = { fn: this.bodyCallExpr(fn), line: node.startPosition.row + 1 };
    const keywords = args.filter((a) => a.type === 'keyword_argument').map((a) => a.childForFieldName('name')?.text ?? '');
    if (keywords.length) call.keywords = keywords;
    const first = args[0];
    if (first && first.type !== 'keyword_argument' && first.type !== 'dictionary_splat') {
      const plain = first.type === 'identifier' || first.type === 'attribute' || (first.type === 'string' && !first.namedChildren.some((c) => c.type === 'interpolation'));
      // An ASCII summary: one other character makes a facts file's whole JSON text two bytes a character (see ScanCache.moduleFacts).
      call.arg0 = plain ? this.bodyCallExpr(first) : { k: 'other', text: '...', loc: locOf(first) };
    }
    return call;
  }

  private bodyCallExpr(node: PyNode): Expr {
    const outer = this.reach; // of a build this one is part of (a lambda's body calls): builds from depth 0 go no deeper
    this.reach = 0;
    const expr = this.expr(node, 0);
    this.bodyCallExprs.set(node, { expr, reach: this.reach });
    this.reach = outer;
    return expr;
  }

  private parameters(node: PyNode | null): Param[] {
    const params: Param[] = [];
    for (const p of node?.namedChildren ?? []) {
      if (p.type === 'identifier') params.push({ name: p.text });
      else if (p.type === 'default_parameter' || p.type === 'typed_default_parameter') {
        const value = p.childForFieldName('value');
        const annotation = p.childForFieldName('type');
        params.push({
          name: p.childForFieldName('name')?.text ?? '',
          default: value ? this.expr(value, 0) : undefined,
          annotation: annotation ? this.expr(annotation, 0) : undefined,
        });
      } else if (p.type === 'typed_parameter') {
        // `name: T`, or `*name: T` / `**name: T` (as any other `*args`, `**kwargs`)
        const id = p.namedChildren.find((c) => c.type === 'identifier' || c.type === 'list_splat_pattern' || c.type === 'dictionary_splat_pattern');
        const name = id?.type === 'identifier' ? id : id?.namedChildren[0];
        const annotation = p.childForFieldName('type');
        const unpacks = id === name ? {} : id?.type === 'list_splat_pattern' ? { star: true as const } : { kwstar: true as const };
        if (name?.type === 'identifier') params.push({ name: name.text, ...unpacks, annotation: annotation ? this.expr(annotation, 0) : undefined });
      } else if (p.type === 'list_splat_pattern' && p.namedChildren[0]?.type === 'identifier') {
        params.push({ name: p.namedChildren[0].text, star: true });
      } else if (p.type === 'dictionary_splat_pattern' && p.namedChildren[0]?.type === 'identifier') {
        params.push({ name: p.namedChildren[0].text, kwstar: true });
      }
    }
    return params;
  }

  private decoratorExpr(decorator: PyNode): Expr {
    const inner = decorator.namedChildren.find((c) => c.type !== 'comment');
    return inner ? this.expr(inner, 0) : { k: 'other', text: '', loc: locOf(decorator) };
  }

  expr(node: PyNode, depth: number): Expr {
    const built = this.bodyCallExprs.get(node);
    // Built from depth 0, it is what this depth builds unless one of them cuts it short at MAX_DEPTH.
    if (built && depth + built.reach <= MAX_DEPTH) {
      this.reach = Math.max(this.reach, depth + built.reach);
      return built.expr;
    }
    this.reach = Math.max(this.reach, depth);
    const loc = locOf(node);
    if (depth > MAX_DEPTH) return { k: 'other', text: '…', loc };
    const sub = (n: PyNode | null): Expr => (n ? this.expr(n, depth + 1) : { k: 'none' });
    switch (node.type) {
      case 'string':
        return this.string(node, depth);
      case 'concatenated_string':
        // A comment may stand between the parts (`r"^{x}/exports"  # noqa` then `"/delete$"` on the next line).
        return joinParts(node.namedChildren.filter((c) => c.type !== 'comment').map((c) => sub(c)));
      case 'integer':
      case 'float': {
        const v = Number(node.text.replace(/_/g, ''));
        return Number.isFinite(v) ? { k: 'num', v, loc } : { k: 'other', text: node.text, loc };
      }
      case 'true':
      case 'false':
        return { k: 'bool', v: node.type === 'true', loc };
      case 'none':
        return { k: 'none', loc };
      case 'identifier':
        return { k: 'name', id: node.text, loc };
      case 'attribute':
        return { k: 'attr', obj: sub(node.childForFieldName('object')), name: node.childForFieldName('attribute')?.text ?? '', loc };
      case 'call': {
        const argsNode = node.childForFieldName('arguments');
        const call: CallExpr = { k: 'call', fn: sub(node.childForFieldName('function')), args: [], kwargs: [], splat: false, loc };
        // `list(x for x in xs)`: the generator is the whole argument list.
        const given = argsNode?.type === 'generator_expression' ? [argsNode] : (argsNode?.namedChildren ?? []);
        const unpacked = given.filter((a) => a.type === 'list_splat');
        let positionalAfterStar = false;
        for (const a of given) {
          if (a.type === 'keyword_argument') {
            call.kwargs.push([a.childForFieldName('name')?.text ?? '', sub(a.childForFieldName('value'))]);
          } else if (a.type === 'list_splat' || a.type === 'dictionary_splat') {
            call.splat = true;
            if (a.namedChildren[0]) call[a.type === 'list_splat' ? 'star' : 'kwstar'] = sub(a.namedChildren[0]);
          } else if (a.type !== 'comment') {
            positionalAfterStar ||= call.star !== undefined;
            call.args.push(sub(a));
          }
        }
        // `f(x, *rest)`: kept only when it is the one unpacking and nothing positional follows it.
        if (unpacked.length !== 1 || positionalAfterStar) delete call.star;
        if (given.filter((a) => a.type === 'dictionary_splat').length !== 1) delete call.kwstar;
        return call;
      }
      case 'list':
      case 'tuple':
      case 'set':
      case 'expression_list': {
        // `[*urlpatterns, path(...)]` is the concatenation of the unpacked sequences and the runs between them.
        const parts: Expr[] = [];
        let run: Expr[] = [];
        for (const c of node.namedChildren.filter((n) => n.type !== 'comment')) {
          if (c.type !== 'list_splat' || !c.namedChildren[0]) {
            run.push(sub(c));
            continue;
          }
          if (run.length) parts.push({ k: 'seq', items: run });
          parts.push(sub(c.namedChildren[0]));
          run = [];
        }
        if (!parts.length) return { k: 'seq', items: run, loc };
        if (run.length) parts.push({ k: 'seq', items: run });
        return { k: 'concat', parts };
      }
      case 'dictionary': {
        const dict: Expr = {
          k: 'dict',
          loc,
          entries: node.namedChildren
            .filter((c) => c.type === 'pair')
            .map((p) => [sub(p.childForFieldName('key')), sub(p.childForFieldName('value'))] as [Expr, Expr]),
        };
        let pairs = 0;
        for (const item of node.namedChildren) {
          if (item.type === 'pair') pairs++;
          const spread = item.type === 'dictionary_splat' ? item.namedChildren[0] : undefined;
          if (spread) (dict.spreads ??= []).push({ before: pairs, expr: sub(spread) });
        }
        return dict;
      }
      case 'parenthesized_expression': {
        const inner = node.namedChildren.find((c) => c.type !== 'comment');
        return inner ? sub(inner) : { k: 'none' };
      }
      case 'binary_operator': {
        const operator = node.childForFieldName('operator')?.type;
        if (operator === '+') return joinParts([sub(node.childForFieldName('left')), sub(node.childForFieldName('right'))]);
        // `"%s.urls" % name` is kept as the call Python makes, `"%s.urls".__mod__(name)`, for string evaluation.
        if (operator === '%') return { k: 'call', fn: { k: 'attr', obj: sub(node.childForFieldName('left')), name: '__mod__', loc }, args: [sub(node.childForFieldName('right'))], kwargs: [], splat: false, loc };
        return { k: 'other', text: clip(node.text), loc };
      }
      case 'subscript':
        return { k: 'subscript', obj: sub(node.childForFieldName('value')), index: sub(node.childForFieldName('subscript')) };
      case 'list_comprehension':
      case 'generator_expression': {
        // One `for`, then any number of `if`s (`[m for m in names if m != "post"]`).
        const [clause, ...filters] = node.namedChildren.filter((c) => c.type === 'for_in_clause' || c.type === 'if_clause');
        const left = clause?.childForFieldName('left');
        const targets = left?.type === 'identifier' ? [left.text] : (left?.namedChildren ?? []).map((c) => (c.type === 'identifier' ? c.text : ''));
        const body = node.childForFieldName('body');
        const conds = filters.map((f) => f.namedChildren.find((c) => c.type !== 'comment'));
        if (clause?.type !== 'for_in_clause' || filters.some((f) => f.type !== 'if_clause') || conds.includes(undefined) || !body || !targets.length || targets.includes('')) return { k: 'other', text: clip(node.text), loc };
        return { k: 'comp', elt: sub(body), targets, iterable: sub(clause.childForFieldName('right')), ...(conds.length && { conds: conds.map((c) => sub(c!)) }) };
      }
      case 'lambda': {
        const body = node.childForFieldName('body');
        if (!body) return { k: 'other', text: clip(node.text), loc };
        const { reads, stringKeys } = this.bodyFacts(body);
        const params = this.parameters(node.childForFieldName('parameters')).map((p) => p.name);
        return { k: 'lambda', loc, params, body: sub(body), reads, stringKeys };
      }
      case 'type': // an annotation
        return node.namedChildren[0] ? sub(node.namedChildren[0]) : { k: 'other', text: clip(node.text), loc };
      case 'generic_type': {
        // `Annotated[Session, Depends(get_db)]` as the subscript `Annotated[(Session, Depends(get_db))]`
        const params = node.namedChildren.find((c) => c.type === 'type_parameter');
        const items = (params?.namedChildren ?? []).map((c) => sub(c));
        return { k: 'subscript', obj: sub(node.namedChildren[0]), index: { k: 'seq', items } };
      }
      case 'await':
        return node.namedChildren[0] ? sub(node.namedChildren[0]) : { k: 'none' };
      // Conditions, kept as calls of operator names for the deployment profile to decide (python/profile.ts).
      case 'not_operator':
        return operatorCall('__not__', [sub(node.childForFieldName('argument'))], loc);
      case 'boolean_operator':
        return operatorCall(node.childForFieldName('operator')?.type === 'and' ? '__and__' : '__or__', [sub(node.childForFieldName('left')), sub(node.childForFieldName('right'))], loc);
      case 'conditional_expression': {
        // `a if test else b` as `__ifelse__(a, test, b)`.
        const [body, test, orelse] = node.namedChildren.filter((c) => c.type !== 'comment');
        return body && test && orelse ? operatorCall('__ifelse__', [sub(body), sub(test), sub(orelse)], loc) : { k: 'other', text: clip(node.text), loc };
      }
      case 'comparison_operator': {
        // `a == b != c` as `__cmp__(a, "==", b, "!=", c)`; `not in` and `is not` are one operator each.
        const operands = node.namedChildren.filter((c) => c.type !== 'comment');
        const operators = node.childrenForFieldName('operators').map((c) => c.text);
        const words: string[] = [];
        for (const op of operators) {
          if ((op === 'in' && words[words.length - 1] === 'not') || (op === 'not' && words[words.length - 1] === 'is')) words[words.length - 1] += ` ${op}`;
          else words.push(op);
        }
        const args = operands.flatMap((o, i): Expr[] => (i === 0 ? [sub(o)] : [{ k: 'str', v: words[i - 1] ?? '?', loc }, sub(o)]));
        return operatorCall('__cmp__', args, loc);
      }
      case 'slice': {
        // `text[1:]`: kept as `__slice__(start, stop)`, for string evaluation
        const bounds: Expr[] = [{ k: 'none' }, { k: 'none' }];
        let at = 0;
        for (const c of node.children) {
          if (c.type === ':') at++;
          else if (at < 2 && c.type !== 'comment') bounds[at] = sub(c);
        }
        return operatorCall('__slice__', bounds, loc);
      }
      case 'named_expression': // `if (path := ...):` tests the value
        return sub(node.childForFieldName('value'));
      default:
        return { k: 'other', text: clip(node.text), loc };
    }
  }

  private string(node: PyNode, depth: number): Expr {
    const start = node.children[0]?.text ?? '"';
    const prefix = start.replace(/['"]+$/, '').toLowerCase();
    const raw = prefix.includes('r');
    const formatted = prefix.includes('f');
    const parts: Expr[] = [];
    let text = '';
    for (const child of node.children) {
      if (child.type === 'string_content') {
        const content = raw ? child.text : unescape(child.text);
        // An f-string writes a brace as `{{` or `}}`.
        text += formatted ? content.replace(/\{\{|\}\}/g, (pair) => pair[0]) : content;
      } else if (child.type === 'escape_sequence') text += raw ? child.text : unescape(child.text);
      else if (child.type === 'interpolation') {
        if (text) parts.push({ k: 'str', v: text, loc: locOf(node) });
        text = '';
        const inner = child.childForFieldName('expression') ?? child.namedChildren[0];
        parts.push(inner ? this.expr(inner, depth + 1) : { k: 'other', text: child.text, loc: locOf(child) });
      }
    }
    if (!formatted) return { k: 'str', v: text, loc: locOf(node) };
    if (text) parts.push({ k: 'str', v: text, loc: locOf(node) });
    return { k: 'fstr', parts };
  }
}

// Literal patterns a `case` compares the subject with.
const LITERAL_PATTERNS = new Set(['string', 'concatenated_string', 'integer', 'float', 'true', 'false', 'none']);

/** An operator kept as a call: `__not__(x)`, `__and__(a, b)`, `__or__(a, b)`, `__cmp__(a, "==", b)`, `__ifelse__(a, test, b)`. */
function operatorCall(name: string, args: Expr[], loc: Loc): CallExpr {
  return { k: 'call', fn: { k: 'name', id: name, loc }, args, kwargs: [], splat: false, loc };
}

/** The text of a string literal node (its first content part), else undefined. */
function plainStringText(node: PyNode | null | undefined): string | undefined {
  return node?.type === 'string' ? node.namedChildren.find((c) => c.type === 'string_content')?.text : undefined;
}

/** The literal key node a subscript `x["key"]` or a call `x.get("key", ...)` looks up. */
function lookedUpKey(node: PyNode): PyNode | null | undefined {
  if (node.type === 'subscript') return node.childForFieldName('subscript');
  const method = node.type === 'call' ? node.childForFieldName('function')?.childForFieldName('attribute')?.text : undefined;
  if (method === 'get' || method === 'getlist') return node.childForFieldName('arguments')?.namedChildren[0];
  return undefined;
}

function joinParts(parts: Expr[]): Expr {
  const flat = parts.flatMap((p) => (p.k === 'concat' ? p.parts : [p]));
  if (flat.every((p) => p.k === 'str')) {
    const first = flat[0] as Extract<Expr, { k: 'str' }>;
    return { k: 'str', v: flat.map((p) => (p as { v: string }).v).join(''), loc: first.loc };
  }
  return { k: 'concat', parts: flat };
}

const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"', '0': '\0' };

function unescape(text: string): string {
  return text.replace(/\\(.)/gs, (whole, ch: string) => ESCAPES[ch] ?? whole);
}

function clip(text: string): string {
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

/** The names a function body's `global` statements declare (those of functions and classes nested in it left out). */
function globalsDeclared(body: PyNode): Set<string> {
  const names = new Set<string>();
  if (!body.text.includes('global')) return names;
  const nested = body.descendantsOfType(['function_definition', 'class_definition']);
  for (const statement of body.descendantsOfType(['global_statement'])) {
    if (nested.some((d) => statement.startIndex >= d.startIndex && statement.endIndex <= d.endIndex)) continue;
    for (const name of statement.namedChildren) if (name.type === 'identifier') names.add(name.text);
  }
  return names;
}

function loopTargets(left: PyNode): string[] {
  if (left.type === 'identifier') return [left.text];
  if (left.type === 'pattern_list' || left.type === 'tuple_pattern' || left.type === 'tuple') {
    return left.namedChildren.map((c) => (c.type === 'identifier' ? c.text : '_'));
  }
  return [];
}

function assignTargets(left: PyNode): string[] {
  if (left.type === 'identifier') return [left.text];
  if (left.type === 'attribute') return [left.text.replace(/\s+/g, '')]; // `app.config` style targets, by text
  if (left.type === 'subscript') {
    // `app.config["KEY"] = v` is kept as the target `app.config[KEY]`, whatever the quotes.
    const value = left.childForFieldName('value');
    const index = left.childForFieldName('subscript');
    const key = plainStringText(index);
    return value && key !== undefined ? [`${value.text.replace(/\s+/g, '')}[${key}]`] : [];
  }
  return [];
}

function lastAssignedValue(node: PyNode): PyNode | null {
  let current: PyNode | null = node;
  while (current && current.type === 'assignment') current = current.childForFieldName('right');
  return current;
}
