/**
 * Django settings as a project configures them: which modules are settings (named by
 * `DJANGO_SETTINGS_MODULE` in manage.py/wsgi.py/asgi.py, or assigning `ROOT_URLCONF`), and what a setting
 * holds, read through split-settings chains (`from .base import *`) and later `X["key"] = v` overrides.
 */
import type { CallExpr, Expr, ModuleFacts } from '../../python/ir';
import { argument, exprLine, lineOf, locAt } from '../../python/ir';
import { Project, type ClassRef, type Ctx, type ExternalNames, type Value } from '../../python/project';
import type { Evidence, SourceRef } from '../../model';
import { sequenceItems, type CallSite } from '../common';

const SETTINGS_OBJECT = 'django.conf.settings.';

/** `NAME` of `django.conf.settings.NAME`; undefined for other names and deeper attributes. */
function settingName(qname: string): string | undefined {
  const name = qname.startsWith(SETTINGS_OBJECT) ? qname.slice(SETTINGS_OBJECT.length) : undefined;
  return name && !name.includes('.') ? name : undefined;
}

/** A setting's value: absent (Django's default applies), a literal, or computed at run time. */
export type SettingValue =
  | { kind: 'absent' }
  | { kind: 'value'; expr: Expr; ctx: Ctx; at: SourceRef }
  | { kind: 'dynamic'; why: string; at: SourceRef };

/** Where a setting's final value comes from: the module binding it, and the modules on the way (outermost first). */
interface Binder {
  mod: ModuleFacts;
  line: number;
  path: { mod: ModuleFacts; after: number }[]; // `X["k"] = v` after line `after` of each still applies
}

export class DjangoSettings implements ExternalNames {
  constructor(
    private readonly project: Project,
    readonly mod: ModuleFacts,
    readonly origin: SourceRef, // where the project names this settings module
    readonly cls?: ClassRef, // the settings class the module is configured by (django-configurations, `X.load_settings(__name__)`)
  ) {}

  /** `django.conf.settings.NAME` as the project's settings define it; undefined for names they leave to Django. */
  values(qname: string): Value[] | undefined {
    const name = settingName(qname);
    const binder = name && this.binder(name);
    return binder ? this.project.lookup(name, this.project.moduleCtx(binder.mod), 0) : name ? this.classValues(name) : undefined;
  }

  /** `django.conf.settings.NAME` as the module binding it last reads the name, for the profile to evaluate. */
  definition(qname: string): { expr: Expr; ctx: Ctx } | undefined {
    const name = settingName(qname);
    const binder = name && this.binder(name);
    return binder ? { expr: { k: 'name', id: name, loc: locAt(binder.line, 1) }, ctx: this.project.moduleCtx(binder.mod) } : undefined;
  }

  /** A setting given as an attribute of the settings class (own or inherited). */
  private classValues(name: string): Value[] | undefined {
    return this.cls && this.project.classAttribute(this.cls, name);
  }

  /**
   * As Python runs the module: the last top-level binding of `name` wins, and a later `from x import *` that
   * provides the name replaces an earlier assignment (split settings, `try: from .local import *`).
   */
  private binder(name: string, mod = this.mod, seen = new Set<ModuleFacts>()): Binder | undefined {
    if (seen.has(mod)) return undefined;
    seen.add(mod);
    const own = Math.max(-1, ...(mod.bindings[0] ?? []).filter((b) => b.name === name && b.kind !== 'param').map((b) => b.line));
    for (const star of this.project.starImports(mod).filter((s) => s.line > own).reverse()) {
      const inner = this.binder(name, star.mod, seen);
      if (inner) return { ...inner, path: [{ mod, after: star.line }, ...inner.path] };
    }
    return own >= 0 ? { mod, line: own, path: [{ mod, after: own }] } : undefined;
  }

  read(name: string): SettingValue {
    const binder = this.binder(name);
    if (!binder) {
      const values = this.classValues(name);
      if (!values || !this.cls) return { kind: 'absent' };
      return asSetting(this.project, values.length === 1 ? values[0] : undefined, `\`${name}\``, { file: this.cls.mod.file, line: lineOf(this.cls.cls.loc) });
    }
    const ctx = this.project.moduleCtx(binder.mod);
    const values = this.project.lookup(name, ctx, 0);
    return asSetting(this.project, values.length === 1 ? values[0] : undefined, `\`${name}\``, { file: binder.mod.file, line: binder.line }, { expr: { k: 'name', id: name, loc: locAt(binder.line, 1) }, ctx });
  }

  /** `REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]`: the dict entry, unless a later `X["key"] = v` replaces it. */
  entry(name: string, key: string): SettingValue {
    for (const { mod, after } of this.binder(name)?.path ?? []) {
      const overrides = mod.calls.filter(
        (c) => c.scope === 0 && lineOf(c.call.loc) > after && c.call.fn.k === 'attr' && c.call.fn.name === '__setitem__' && c.call.fn.obj.k === 'name' && c.call.fn.obj.id === name && c.call.args[0]?.k === 'str' && c.call.args[0].v === key,
      );
      const last = overrides[overrides.length - 1]?.call;
      if (last) return { kind: 'value', expr: last.args[1], ctx: { mod, scope: 0, line: lineOf(last.loc) }, at: { file: mod.file, line: exprLine(last.args[1], lineOf(last.loc)) } };
    }
    return entryOf(this.project, this.read(name), key);
  }

  /** A setting's text, also when computed from known parts (`"{}.urls".format(PROJECT_MODULE)`). */
  string(name: string): string | undefined {
    const binder = this.binder(name);
    if (binder) return this.project.stringValue({ k: 'name', id: name, loc: locAt(binder.line, 1) }, this.project.moduleCtx(binder.mod));
    const value = this.read(name);
    return value.kind === 'value' ? this.project.stringValue(value.expr, value.ctx) : undefined;
  }

  /** A boolean setting (see `asFlag`). */
  flag(name: string, fallback: boolean): Flag {
    return asFlag(this.read(name), fallback);
  }
}

interface Flag {
  value?: boolean;
  at?: SourceRef;
}

/** A boolean setting or dict entry: its literal value, the default when absent, undefined when computed at run time. */
function asFlag(value: SettingValue, fallback: boolean): Flag {
  if (value.kind === 'absent') return { value: fallback };
  if (value.kind === 'value' && value.expr.k === 'bool') return { value: value.expr.v, at: value.at };
  return { at: value.at };
}

/** `label` names the setting in a message: `` `NAME` ``, or an entry with what it is written as. */
function asSetting(project: Project, value: Value | undefined, label: string, at: SourceRef, written?: { expr: Expr; ctx: Ctx }): SettingValue {
  if (value?.kind === 'literal') return { kind: 'value', expr: value.expr, ctx: value.ctx, at: { file: value.ctx.mod.file, line: exprLine(value.expr, at.line) } };
  // A read with a default in the code (`os.environ.get("ANON_RATE", "20/hour")`): that text, noted as an assumption.
  const text = written && value && value.kind !== 'unknown' ? project.stringValue(written.expr, written.ctx) : undefined;
  if (written && text !== undefined) return { kind: 'value', expr: { k: 'str', v: text, loc: locAt(at.line, 1) }, ctx: written.ctx, at };
  // A read with another default (`env.list("DEFAULT_THROTTLE_CLASSES", default=[])`): that value, noted as an assumption.
  const fallback = value && project.environmentDefault(value);
  if (fallback) return { kind: 'value', expr: fallback.expr, ctx: fallback.ctx, at };
  return { kind: 'dynamic', why: `${label} is computed at run time${value?.kind === 'unknown' ? ` (${value.why})` : ''}`, at };
}

/**
 * The entry `key` of a dict-valued setting, `**spreads` read in place (`{**BASE_RATES, "burst": "20/minute"}`); a
 * spread the scan cannot read that could hold the key makes it dynamic.
 */
export function entryOf(project: Project, setting: SettingValue, key: string): SettingValue {
  if (setting.kind !== 'value') return setting;
  const { expr, ctx } = setting;
  if (expr.k !== 'dict') return { kind: 'dynamic', why: 'the setting is not a dict literal', at: setting.at };
  const entry = (value: Expr, valueCtx: Ctx): SettingValue => {
    const values = project.resolve(value, valueCtx);
    const at = { file: valueCtx.mod.file, line: exprLine(value, setting.at.line) };
    return asSetting(project, values.length === 1 ? values[0] : undefined, `entry \`${key}\` (\`${Project.describe(value)}\`)`, at, { expr: value, ctx: valueCtx });
  };
  const merged = expr.spreads && project.dictEntries(expr, ctx);
  if (merged) {
    const found = merged.find((e) => e.key === key);
    return found ? entry(found.value, found.ctx) : { kind: 'absent' };
  }
  for (const [index, [k, v]] of expr.entries.entries()) {
    if (project.stringValue(k, ctx) !== key) continue;
    // A later `**spread` may replace the entry.
    if ((expr.spreads?.at(-1)?.before ?? 0) > index) return { kind: 'dynamic', why: `\`${key}\` may be replaced by a later \`**\` spread`, at: setting.at };
    return entry(v, ctx);
  }
  return expr.spreads ? { kind: 'dynamic', why: `\`${key}\` may come from a \`**\` spread`, at: setting.at } : { kind: 'absent' };
}

export interface DjangoProject {
  settings: DjangoSettings;
  urlconf: ModuleFacts; // the ROOT_URLCONF module, or a django-hosts host's
  host?: string; // the django-hosts host pattern that serves this URLconf
}

// Entry points read in this order: the deployed settings (wsgi/asgi) before the development ones (manage.py).
const ENTRY_RANK = [/(^|\/)(wsgi|asgi)\.py$/, /(^|\/)manage\.py$/];

/**
 * The Django projects in the tree: one per distinct ROOT_URLCONF, with the settings module the deployment
 * entry point names (wsgi/asgi before manage.py before any other module that assigns ROOT_URLCONF).
 */
export function findDjangoProjects(project: Project, sites: CallSite[]): DjangoProject[] {
  const named: { mod: ModuleFacts; origin: SourceRef; rank: number }[] = [];
  for (const { call, ctx } of sites) {
    if (!mayNameSettings(call) || project.stringValue(call.args[0], ctx) !== 'DJANGO_SETTINGS_MODULE' || !isEnviron(project, call.fn.obj, ctx)) continue;
    const name = project.stringValue(call.args[1], ctx);
    const mod = name === undefined ? undefined : project.findModule(name, ctx.mod);
    if (!mod) continue;
    const rank = ENTRY_RANK.findIndex((r) => r.test(ctx.mod.file));
    named.push({ mod, origin: { file: ctx.mod.file, line: lineOf(call.loc) }, rank: rank < 0 ? ENTRY_RANK.length : rank });
  }
  for (const mod of project.modules) {
    // A module assigning ROOT_URLCONF, or loading a settings class (which may set it on a mixin).
    if ((mod.bindings[0] ?? []).some((b) => b.kind === 'assign' && b.name === 'ROOT_URLCONF') || settingsLoader(mod)) {
      named.push({ mod, origin: { file: mod.file, line: 1 }, rank: ENTRY_RANK.length + 1 });
    }
  }
  named.sort((a, b) => a.rank - b.rank || (a.mod.file < b.mod.file ? -1 : a.mod.file > b.mod.file ? 1 : 0));
  const byUrlconf = new Map<ModuleFacts, DjangoProject>();
  for (const { mod, origin } of named) {
    const settings = new DjangoSettings(project, mod, origin, settingsClass(project, mod, sites.filter((s) => s.ctx.mod.file === origin.file)));
    const name = settings.string('ROOT_URLCONF');
    const urlconf = name === undefined ? undefined : project.findModule(name, mod);
    if (urlconf && !byUrlconf.has(urlconf)) byUrlconf.set(urlconf, { settings, urlconf });
    for (const served of hostUrlconfs(project, settings)) if (!byUrlconf.has(served.urlconf)) byUrlconf.set(served.urlconf, served);
  }
  return [...byUrlconf.values()];
}

// The environment variables a Django entry point names its settings by (the second: django-configurations).
const SETTINGS_VARIABLES = ['DJANGO_SETTINGS_MODULE', 'DJANGO_CONFIGURATION'];

/**
 * A statement that may name the settings module: its receiver is `os.environ` wherever the statement is read (a
 * name it depends on holds every value it may have), so the loops around other `d[key] = v` are not read for it.
 */
export function namesSettingsIn(project: Project): (call: CallExpr, at: Ctx) => boolean {
  return (call, at) => mayNameSettings(call) && isEnviron(project, call.fn.obj, at);
}

/**
 * `os.environ.setdefault(name, value)` or `os.environ[name] = value` as written, with a name that may be one of
 * SETTINGS_VARIABLES (any but another literal: `data["key"] = value` is most subscript assignments); the environ is
 * not resolved yet.
 */
function mayNameSettings(call: CallExpr): call is CallExpr & { fn: Extract<Expr, { k: 'attr' }> } {
  if (call.fn.k !== 'attr' || !['setdefault', '__setitem__'].includes(call.fn.name) || call.args.length < 2) return false;
  const [name] = call.args;
  return name.k !== 'str' || SETTINGS_VARIABLES.includes(name.v);
}

/** django-hosts: each `host(regex, urlconf)` of ROOT_HOSTCONF's `host_patterns` serves that URLconf from its root. */
function hostUrlconfs(project: Project, settings: DjangoSettings): DjangoProject[] {
  const hostconf = project.findModule(settings.string('ROOT_HOSTCONF') ?? '', settings.mod);
  if (!hostconf) return [];
  const ctx = project.moduleCtx(hostconf);
  const served: DjangoProject[] = [];
  for (const item of sequenceItems(project, { k: 'name', id: 'host_patterns', loc: locAt(1, 1) }, ctx) ?? []) {
    const { expr } = item;
    if (expr.k !== 'call' || !project.resolve(expr.fn, item.ctx).some((v) => v.kind === 'external' && v.qname.startsWith('django_hosts.'))) continue;
    const regex = argument(expr, 0, 'regex');
    const named = argument(expr, 1, 'urlconf');
    const urlconf = named && project.findModule(project.stringValue(named, item.ctx) ?? '', hostconf);
    const host = regex && project.stringValue(regex, item.ctx);
    if (urlconf) served.push({ settings, urlconf, ...(host !== undefined && { host }) });
  }
  return served;
}

/**
 * The class a settings module is configured by: the one `DJANGO_CONFIGURATION` names where the settings
 * module is named (django-configurations), or the one the module loads itself (`X.load_settings(__name__)`).
 */
function settingsClass(project: Project, mod: ModuleFacts, entrySites: CallSite[]): ClassRef | undefined {
  const byName = (name: string | undefined): ClassRef | undefined => {
    const found = name === undefined ? [] : project.lookup(name, project.moduleCtx(mod), 0);
    return found.find((v): v is Extract<Value, { kind: 'class' }> => v.kind === 'class')?.ref;
  };
  for (const { call, ctx } of entrySites) {
    if (!mayNameSettings(call) || !isEnviron(project, call.fn.obj, ctx)) continue;
    if (project.stringValue(call.args[0], ctx) === 'DJANGO_CONFIGURATION') return byName(project.stringValue(call.args[1], ctx));
  }
  return byName(settingsLoader(mod));
}

/** `X.load_settings(__name__)` at module level: the settings class's name. */
function settingsLoader(mod: ModuleFacts): string | undefined {
  for (const { scope, call } of mod.calls) {
    if (scope === 0 && call.fn.k === 'attr' && call.fn.name === 'load_settings' && call.fn.obj.k === 'name') return call.fn.obj.id;
  }
  return undefined;
}

function isEnviron(project: Project, expr: Expr, ctx: Ctx): boolean {
  return project.resolve(expr, ctx).some((v) => v.kind === 'external' && v.qname === 'os.environ');
}

export type CacheKind = 'dummy' | 'per-process' | 'non-atomic' | 'shared' | 'unknown';

export interface CacheBackend {
  kind: CacheKind;
  evidence?: Evidence; // what the backend does to counters: stores nothing, per process, not atomic
  ignoresErrors?: Evidence; // django-redis told to swallow connection errors: reads return the default
}

/** How a Django cache alias stores counters (django-ratelimit and DRF keep their counts there). */
export function cacheBackend(project: Project, settings: DjangoSettings | undefined, alias: string): CacheBackend {
  if (!settings) return { kind: 'unknown' };
  const caches = settings.read('CACHES');
  if (caches.kind === 'absent') {
    return { kind: 'per-process', evidence: { ...settings.origin, message: 'no CACHES setting: Django\'s default LocMemCache keeps counters per process', concern: 'per-process-storage' } };
  }
  const cache = settings.entry('CACHES', alias);
  const backend = entryOf(project, cache, 'BACKEND');
  const name = backend.kind === 'value' ? project.stringValue(backend.expr, backend.ctx) : undefined;
  if (name === undefined || backend.kind !== 'value') return { kind: 'unknown' };
  const at = backend.at;
  if (name.endsWith('DummyCache')) return { kind: 'dummy', evidence: { ...at, message: `cache \`${alias}\` is DummyCache: nothing is stored, so no request is ever counted`, concern: 'disabled' } };
  if (name.endsWith('LocMemCache')) return { kind: 'per-process', evidence: { ...at, message: `cache \`${alias}\` is LocMemCache: counters are kept per process`, concern: 'per-process-storage' } };
  if (name.endsWith('FileBasedCache') || name.endsWith('DatabaseCache')) return { kind: 'non-atomic', evidence: { ...at, message: `cache \`${alias}\` (${name.split('.').pop()}) has no atomic increment: concurrent requests are undercounted` } };
  return { kind: 'shared', ignoresErrors: name.startsWith('django_redis.') ? ignoredRedisErrors(project, settings, cache, alias) : undefined };
}

/** django-redis `OPTIONS["IGNORE_EXCEPTIONS"]`, falling back to `DJANGO_REDIS_IGNORE_EXCEPTIONS` (django_redis/cache.py). */
function ignoredRedisErrors(project: Project, settings: DjangoSettings, cache: SettingValue, alias: string): Evidence | undefined {
  const option = entryOf(project, entryOf(project, cache, 'OPTIONS'), 'IGNORE_EXCEPTIONS');
  const name = option.kind === 'absent' ? 'DJANGO_REDIS_IGNORE_EXCEPTIONS' : 'IGNORE_EXCEPTIONS';
  const flag = option.kind === 'absent' ? settings.flag(name, false) : asFlag(option, false);
  if (flag.value !== true || !flag.at) return undefined;
  return { ...flag.at, message: `cache \`${alias}\` (django-redis) swallows Redis connection errors (\`${name} = True\`)` };
}
