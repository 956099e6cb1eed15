/**
 * `apiposture fix`: the smallest source edit that limits an unguarded route (AP001), in the project's own idiom.
 * Flask-Limiter: `@<limiter>.limit("<rate>")` on the line above the view's `def`, so below the route decorator
 * where Flask-Limiter needs it, with the limiter object already bound to the route's app (imported into the
 * route's module when that module does not name it). The rate is the policy's: `auth-max-per-minute` for an
 * auth-sensitive route, `default-rate` for the others. Edits are line insertions; a file with a syntax error,
 * a route the fixer has no idiom for, or a limiter it cannot name is listed with why and left alone.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Policy } from './config';
import type { Route, ScanResult } from './model';
import { pythonParser } from './parse';
import type { ModuleFacts } from './python/ir';
import { Project, type Value } from './python/project';
import { compareText, counts, methodsLabel } from './model';

export interface Insertion {
  file: string; // relative to the scan root
  before: number; // 1-based line the text goes above
  text: string; // one line, without its newline
}

export interface NotFixed {
  route: string; // `POST /login`
  file: string;
  line: number;
  why: string;
}

export interface FixPlan {
  insertions: Insertion[];
  notFixed: NotFixed[];
}

const LIMITER_TYPES = ['flask_limiter.Limiter', 'flask_limiter.extension.Limiter'];

interface Limiter {
  mod: ModuleFacts;
  name: string; // its module-level name
  instance: Extract<Value, { kind: 'instance' }>;
}

/** The edits that fix the AP001 findings of these routes (all when `routes` is empty). */
export function planFixes(result: ScanResult, project: Project, policy: Policy, routes: string[] = []): FixPlan {
  const plan: FixPlan = { insertions: [], notFixed: [] };
  const limiters = limitersOf(project);
  const done = new Set<string>();
  const byId = new Map(result.routes.map((r) => [r.id, r]));
  const open = result.findings.filter((f) => f.ruleId === 'AP001' && counts(f)).flatMap((f) => f.routeIds.map((id) => byId.get(id)));
  for (const route of open) {
    if (!route || (routes.length && !routes.includes(`${methodsLabel(route)} ${route.path}`))) continue;
    const key = `${route.handlerFile}:${route.handlerLine}`;
    if (done.has(key)) continue; // one function under several route decorators
    done.add(key);
    const edit = fixRoute(route, result.root, project, limiters, policy);
    if ('why' in edit) plan.notFixed.push({ route: `${methodsLabel(route)} ${route.path}`, file: route.file, line: route.line, why: edit.why });
    else plan.insertions.push(...edit.insertions);
  }
  plan.insertions = dedupeInsertions(plan.insertions);
  return plan;
}

function fixRoute(route: Route, root: string, project: Project, limiters: Limiter[], policy: Policy): { insertions: Insertion[] } | { why: string } {
  if (route.framework !== 'flask') return { why: `no fix for ${route.framework} routes yet` };
  if (route.file !== route.handlerFile || route.line >= route.handlerLine) return { why: 'the view is not a function decorated by its route: decorate it by hand' };
  const mod = project.modules.find((m) => m.file === route.handlerFile);
  if (!mod) return { why: `${route.handlerFile} was not read` };
  const limiter = route.app && limiters.find((l) => boundTo(project, l, route.app!));
  if (!limiter) return { why: 'no Flask-Limiter limiter is bound to its app: create one (`limiter = Limiter(get_remote_address, app=app)`) and run fix again' };
  const source = readFileSync(path.join(root, route.handlerFile), 'utf8');
  const tree = pythonParser().parse(source);
  if (tree.rootNode.hasError) return { why: `${route.handlerFile} has a syntax error` };
  const lines = source.split('\n');
  const indent = /^\s*/.exec(lines[route.handlerLine - 1] ?? '')?.[0] ?? '';
  const rate = route.expensive.some((s) => s.kind === 'auth') ? `${policy.authMaxPerMinute}/minute` : policy.defaultRate;
  const named = nameIn(project, mod, limiter);
  const insertions: Insertion[] = [];
  let name = named;
  if (!name) {
    if (importsModule(limiter.mod, mod.module)) return { why: `importing \`${limiter.name}\` from ${limiter.mod.module} would be circular (it imports ${mod.module})` };
    name = limiter.name;
    if ((mod.bindings[0] ?? []).some((b) => b.name === name)) return { why: `\`${name}\` names something else in ${mod.file}` };
    insertions.push({ file: mod.file, before: afterImports(tree.rootNode), text: `from ${limiter.mod.module} import ${name}` });
  }
  insertions.push({ file: route.handlerFile, before: route.handlerLine, text: `${indent}@${name}.limit(${JSON.stringify(rate)})` });
  return { insertions };
}

/** Flask-Limiter instances bound to a module-level name. */
function limitersOf(project: Project): Limiter[] {
  const found: Limiter[] = [];
  for (const mod of project.modules) {
    for (const b of mod.bindings[0] ?? []) {
      if (b.kind !== 'assign' || b.value.k !== 'call') continue;
      const instance = project.resolve(b.value, { mod, scope: 0, line: b.line }).find((v): v is Extract<Value, { kind: 'instance' }> => Project.isInstance(v, LIMITER_TYPES));
      if (instance) found.push({ mod, name: b.name, instance });
    }
  }
  return found;
}

/** The limiter counts for the app: `Limiter(..., app=app)` or `limiter.init_app(app)`. */
function boundTo(project: Project, limiter: Limiter, app: { file: string; line: number }): boolean {
  const isApp = (v: Value): boolean => v.kind === 'instance' && v.site.ctx.mod.file === app.file && v.site.call.loc.line === app.line;
  const { call, ctx } = limiter.instance.site;
  const given = call.kwargs.find(([k]) => k === 'app')?.[1];
  if (given && project.resolve(given, ctx).some(isApp)) return true;
  return project.modules.some((mod) =>
    mod.calls.some(({ call: c, scope }) => {
      if (c.fn.k !== 'attr' || c.fn.name !== 'init_app' || !c.args[0]) return false;
      const at = { mod, scope, line: c.loc.line };
      return project.resolve(c.fn.obj, at).some((v) => v.kind === 'instance' && v.site.key === limiter.instance.site.key) && project.resolve(c.args[0], at).some(isApp);
    }),
  );
}

/** A module-level name the route's module already has for the limiter. */
function nameIn(project: Project, mod: ModuleFacts, limiter: Limiter): string | undefined {
  const names = [...new Set((mod.bindings[0] ?? []).map((b) => b.name))].sort(compareText);
  return names.find((n) => project.lookup(n, project.moduleCtx(mod), 0).some((v) => v.kind === 'instance' && v.site.key === limiter.instance.site.key));
}

function importsModule(mod: ModuleFacts, module: string): boolean {
  return (mod.bindings[0] ?? []).some((b) => b.kind === 'import' && (b.module === module || (b.attr !== undefined && `${b.module}.${b.attr}` === module)));
}

/** The line after the module's last top-level import (its docstring and `from __future__` stay first). */
function afterImports(root: ReturnType<ReturnType<typeof pythonParser>['parse']>['rootNode']): number {
  let line = 1;
  for (const node of root.namedChildren) {
    if (node.type === 'import_statement' || node.type === 'import_from_statement' || node.type === 'future_import_statement') line = node.endPosition.row + 2;
    else if (node.type === 'expression_statement' && node.namedChildren[0]?.type === 'string' && line === 1) line = node.endPosition.row + 2;
  }
  return line;
}

function dedupeInsertions(insertions: Insertion[]): Insertion[] {
  const seen = new Set<string>();
  return insertions
    .filter((i) => {
      const key = `${i.file}\0${i.before}\0${i.text}`;
      return !seen.has(key) && seen.add(key);
    })
    .sort((a, b) => compareText(a.file, b.file) || a.before - b.before);
}

/** Each file's text with the insertions made. */
export function applyInsertions(root: string, insertions: Insertion[]): Map<string, { before: string; after: string }> {
  const files = new Map<string, { before: string; after: string }>();
  for (const file of [...new Set(insertions.map((i) => i.file))]) {
    const before = readFileSync(path.join(root, file), 'utf8');
    const lines = before.split('\n');
    const mine = insertions.filter((i) => i.file === file).sort((a, b) => b.before - a.before);
    for (const i of mine) lines.splice(i.before - 1, 0, i.text);
    files.set(file, { before, after: lines.join('\n') });
  }
  return files;
}

/** A unified diff (3 lines of context) of insertions only, as `git apply` and `patch -p1` read it. */
export function unifiedDiff(file: string, before: string, insertions: Insertion[]): string {
  const old = before.split('\n');
  const ops: { kind: ' ' | '+'; text: string }[] = [];
  const at = new Map<number, string[]>();
  for (const i of insertions.filter((x) => x.file === file)) at.set(i.before, [...(at.get(i.before) ?? []), i.text]);
  old.forEach((text, index) => {
    for (const added of at.get(index + 1) ?? []) ops.push({ kind: '+', text: added });
    if (index < old.length - 1 || text !== '') ops.push({ kind: ' ', text });
  });
  const changed = ops.map((o, i) => (o.kind === '+' ? i : -1)).filter((i) => i >= 0);
  const hunks: [number, number][] = [];
  for (const i of changed) {
    const [from, to] = [Math.max(0, i - 3), Math.min(ops.length, i + 4)];
    const last = hunks[hunks.length - 1];
    if (last && from <= last[1]) last[1] = Math.max(last[1], to);
    else hunks.push([from, to]);
  }
  const out = [`--- a/${file}`, `+++ b/${file}`];
  for (const [from, to] of hunks) {
    const before = ops.slice(0, from);
    const oldStart = before.filter((o) => o.kind === ' ').length + 1;
    const newStart = before.length + 1;
    const body = ops.slice(from, to);
    const oldCount = body.filter((o) => o.kind === ' ').length;
    out.push(`@@ -${oldStart},${oldCount} +${newStart},${body.length} @@`, ...body.map((o) => `${o.kind}${o.text}`));
  }
  return `${out.join('\n')}\n`;
}
