/**
 * A Flask app's `config` as the code fills it: `app.config["K"] = v`, `update(K=v)`, `from_mapping(K=v)` and
 * `from_object(X)` (a class with its project bases, or a module, also named by a dotted string). Config objects
 * named for tests or development (`TestConfig`, `config.dev`) count only when no other one sets the key; loaders
 * reading files or the environment (`from_pyfile`, `from_envvar`, ...) make every key possibly set elsewhere.
 * Read by route extraction (`url_prefix=app.config["X"]`) and by Flask-Limiter (its `RATELIMIT_*` keys).
 */
import type { CallExpr, Expr, ModuleFacts } from '../../python/ir';
import { exprLine, lineOf, locAt } from '../../python/ir';
import { armsAround, type Assumption, type Ctx, type Project, type Value } from '../../python/project';
import type { Evidence } from '../../model';
import { callSites } from '../common';
import { addTo } from '../../collections';
import { isApp } from './routes';

type Instance = Extract<Value, { kind: 'instance' }>;

interface ConfigSetting {
  value: Value[];
  assumed: Assumption[]; // what reading the value assumed: counted wherever the key is read
  expr: Expr;
  ctx: Ctx;
  at: Evidence;
  production: boolean;
  branch?: Evidence; // the undecided branch the write stands in: it may not run
}

const NON_PRODUCTION = /test|dev|local|debug/i;
// Config loaders whose content is not in the scanned sources: any key may come from them.
const OPAQUE_CONFIG = ['from_pyfile', 'from_envvar', 'from_prefixed_env', 'from_file'];

export class FlaskAppConfig {
  private readonly settings = new Map<string, Map<string, ConfigSetting[]>>(); // app site → key → settings
  private readonly opaque = new Set<string>(); // app sites whose config is also loaded from files or the environment
  private readonly writes = new Map<ModuleFacts, { key: string; at: Ctx }[]>(); // see moduleWrites
  // app site → key → what deciding the branches took whose writes of the key the deployment profile does not run
  private readonly unwritten = new Map<string, Map<string, Assumption[]>>();

  constructor(private readonly project: Project) {
    const isConfigCall = ({ fn }: CallExpr): boolean => fn.k === 'attr' && fn.obj.k === 'attr' && fn.obj.name === 'config';
    for (const { call, ctx } of callSites(project, isConfigCall)) {
      const fn = call.fn;
      if (fn.k !== 'attr' || fn.obj.k !== 'attr') continue;
      for (const app of this.project.resolve(fn.obj.obj, ctx).filter(isApp)) this.configCall(app, fn.name, call, ctx);
    }
    // `if _limits_off(): app.config["RATELIMIT_ENABLED"] = False`, not run: the key's value rests on that decision.
    for (const { call, ctx, assumed } of project.profileSkipped) {
      const { fn } = call;
      if (!isConfigCall(call) || fn.k !== 'attr' || fn.obj.k !== 'attr' || !assumed.length) continue;
      const keys = fn.name === '__setitem__' ? [this.project.stringValue(call.args[0], ctx)] : call.kwargs.map(([k]) => k);
      for (const app of this.project.resolve(fn.obj.obj, ctx).filter(isApp)) {
        const byKey = this.unwritten.get(app.site.key) ?? new Map<string, Assumption[]>();
        for (const key of keys) if (key !== undefined) addTo(byKey, key, ...assumed);
        this.unwritten.set(app.site.key, byKey);
      }
    }
  }

  /** True when the app's config is also loaded from somewhere the scan cannot read. */
  isOpaque(app: Instance): boolean {
    return this.opaque.has(app.site.key);
  }

  /** The value a config key has for an app: direct settings win; config objects must agree. */
  value(app: Instance, key: string): { value?: Value[]; expr?: { expr: Expr; ctx: Ctx }; ambiguous?: Evidence; at?: Evidence } {
    for (const assumption of this.unwritten.get(app.site.key)?.get(key) ?? []) this.project.assume(assumption);
    const settings = this.settings.get(app.site.key)?.get(key) ?? [];
    if (!settings.length) return {};
    const candidates = settings.some((s) => s.production) ? settings.filter((s) => s.production) : settings;
    const texts = new Set(candidates.map((s) => valueText(s.value)));
    if (texts.size > 1) return { ambiguous: { ...candidates[0].at, message: `\`${key}\` differs between config objects` } };
    const last = candidates[candidates.length - 1];
    if (last.branch) return { ambiguous: last.branch };
    this.project.replay(last.assumed);
    return { value: last.value, expr: { expr: last.expr, ctx: last.ctx }, at: last.at };
  }

  private configCall(app: Instance, method: string, call: CallExpr, ctx: Ctx): void {
    // A write in an arm the deployment profile left undecided (it drops the arms it rules out) may not run.
    const line = lineOf(call.loc);
    const [arm] = armsAround(ctx.mod, line);
    const add = (key: string, expr: Expr, valueCtx: Ctx, production: boolean): void => {
      const settings = this.settings.get(app.site.key) ?? new Map<string, ConfigSetting[]>();
      const at = { file: valueCtx.mod.file, line: exprLine(expr, line), message: `\`${key}\`` };
      const { value, assumed } = this.project.captured(() => this.project.resolve(expr, valueCtx));
      const branch = arm && { file: ctx.mod.file, line, message: `\`${key}\` is set in a branch the deployment profile does not decide (${ctx.mod.file}:${arm.of}): it may keep another value` };
      addTo(settings, key, { value, assumed, expr, ctx: valueCtx, at, production, ...(branch && { branch }) });
      this.settings.set(app.site.key, settings);
    };
    if (method === '__setitem__') {
      const key = this.project.stringValue(call.args[0], ctx);
      if (key && call.args[1]) add(key, call.args[1], ctx, true);
    } else if (method === 'update' || method === 'from_mapping') {
      // `update({"KEY": value})` or `update(dict({...}, KEY=value))`: a dict literal, read where it is written; any other
      // mapping is not read.
      const wrapped = call.args[0]?.k === 'call' && call.args[0].fn.k === 'name' && call.args[0].fn.id === 'dict' && !call.args[0].splat ? call.args[0] : undefined;
      const given = wrapped ? wrapped.args[0] : call.args[0];
      const [mapping, ...others] = given ? this.project.resolve(given, ctx) : [];
      const dict = !others.length && mapping?.kind === 'literal' && mapping.expr.k === 'dict' ? mapping : undefined;
      if (given && (!dict || dict.expr.k !== 'dict' || dict.expr.spreads?.length || dict.expr.entries.some(([k]) => k.k !== 'str'))) this.opaque.add(app.site.key);
      else if (dict?.expr.k === 'dict') for (const [k, value] of dict.expr.entries) if (k.k === 'str') add(k.v, value, dict.ctx, true);
      for (const [key, value] of [...(wrapped?.kwargs ?? []), ...call.kwargs]) add(key, value, ctx, true);
    } else if (method === 'from_object' && call.args[0]) {
      const sources = this.configObjects(call.args[0], ctx);
      if (!sources.length) this.opaque.add(app.site.key);
      for (const source of sources) {
        for (const [key, { expr, ctx: c }] of source.attrs) add(key, expr, c, source.production);
      }
    } else if (OPAQUE_CONFIG.includes(method)) {
      this.opaque.add(app.site.key);
    }
  }

  /** Attributes of a module that code elsewhere assigns (`config.KEY = value`), with where. */
  private moduleWrites(target: ModuleFacts): { key: string; at: Ctx }[] {
    let found = this.writes.get(target);
    if (!found) {
      found = [];
      for (const mod of this.project.modules) {
        for (const { scope, call } of mod.calls) {
          const { fn, args } = call;
          if (fn.k !== 'attr' || fn.name !== '__setattr__' || fn.obj.k !== 'name' || args[0]?.k !== 'str') continue;
          const at: Ctx = { mod, scope, line: lineOf(call.loc) };
          if (this.project.resolve(fn.obj, at).some((v) => v.kind === 'module' && v.mod === target)) found.push({ key: args[0].v, at });
        }
      }
      this.writes.set(target, found);
    }
    return found;
  }

  /** Candidate config objects of `from_object(X)`: classes (and their project bases) or modules. */
  private configObjects(expr: Expr, ctx: Ctx): { production: boolean; attrs: Map<string, { expr: Expr; ctx: Ctx }> }[] {
    const out: { production: boolean; attrs: Map<string, { expr: Expr; ctx: Ctx }> }[] = [];
    for (const value of this.project.resolve(expr, ctx)) {
      let target: Value | undefined = value;
      if (value.kind === 'literal' && value.expr.k === 'str') {
        const dotted = value.expr.v;
        const mod = this.project.findModule(dotted);
        const parent = this.project.findModule(dotted.split('.').slice(0, -1).join('.'));
        target = mod ? { kind: 'module', mod } : parent ? this.project.lookup(dotted.split('.').pop()!, this.project.moduleCtx(parent), 0)[0] : undefined;
      }
      const attrs = new Map<string, { expr: Expr; ctx: Ctx }>();
      if (target?.kind === 'class') {
        for (const cls of [...this.project.classChain(target.ref)].reverse()) {
          for (const b of cls.mod.bindings[cls.cls.bodyScope] ?? []) {
            if (b.kind === 'assign') attrs.set(b.name, { expr: b.value, ctx: { mod: cls.mod, scope: cls.cls.bodyScope, line: b.line } });
          }
        }
        out.push({ production: !NON_PRODUCTION.test(target.ref.cls.name), attrs });
      } else if (target?.kind === 'module') {
        for (const b of target.mod.bindings[0] ?? []) {
          if (b.kind === 'assign') attrs.set(b.name, { expr: b.value, ctx: { mod: target.mod, scope: 0, line: b.line } });
        }
        // `config.SECURITY_RECOVERABLE = True` elsewhere (pgadmin4, in server mode): the value the app gets is not read.
        for (const { key, at } of this.moduleWrites(target.mod)) attrs.set(key, { expr: { k: 'other', text: `${key} set in ${at.mod.file}:${at.line}`, loc: locAt(at.line, 1) }, ctx: at });
        out.push({ production: !NON_PRODUCTION.test(target.mod.module.split('.').pop() ?? ''), attrs });
      }
    }
    return out;
  }
}

export function valueText(values: Value[]): string {
  return values.map((v) => (v.kind === 'literal' ? JSON.stringify(v.expr.k === 'str' || v.expr.k === 'bool' || v.expr.k === 'num' ? v.expr.v : v.expr.k) : v.kind)).join('|');
}
