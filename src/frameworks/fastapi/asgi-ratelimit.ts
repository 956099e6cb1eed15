/**
 * asgi-ratelimit's `RateLimitMiddleware(app, authenticate, backend, config={regex: [Rule(...)]})`, installed
 * with `app.add_middleware`, `middleware=[Middleware(...)]` or by wrapping the app. For each caller group,
 * the first pattern that `re.match`es the request path and has a rule for that group (and method) decides;
 * a rule without counts means unlimited. HTTP only: WebSocket connections pass through. The backend decides
 * how limits count and whether counters are shared; a rule without `zone` counts per concrete path.
 * Upstream: https://github.com/abersheeran/asgi-ratelimit (ratelimit/core.py, rule.py, backends/); reference B.7, D.1.
 */
import type { Expr } from '../../python/ir';
import { argument, kwarg, lineOf } from '../../python/ir';
import { Project, type Ctx } from '../../python/project';
import type { Algorithm, Evidence, Limit } from '../../model';
import { sequenceItems } from '../common';
import { isAsgiApp, type Middleware } from './routes';
import { perPathConcerns } from '../client-input';
import type { AsgiLibrary } from '.';
import { addTo, lookupTable } from '../../collections';
import { linearRegExp } from '../../linear-regexp';
import { contribution } from '../protection';
import type { LibraryDescriptor } from '../library';

const DESCRIPTOR: LibraryDescriptor = {
  id: 'asgi-ratelimit',
  name: 'asgi-ratelimit',
  distribution: 'asgi-ratelimit',
  packages: ['ratelimit'],
  counting: 'fixed-window',
  rejection: { status: 429, retryAfter: true },
};

const LIBRARY = DESCRIPTOR.id;
const MIDDLEWARE = ['ratelimit.RateLimitMiddleware', 'ratelimit.core.RateLimitMiddleware'];
const RULE = ['ratelimit.Rule', 'ratelimit.rule.Rule'];
const UNITS = ['second', 'minute', 'hour', 'day', 'month'];
/** Backends by class: the Redis and memory ones count from the first hit to expiry, the sliding one keeps a log. */
const BACKENDS = new Map<string, { algorithm: Algorithm; perProcess?: boolean }>([
  ['ratelimit.backends.simple.MemoryBackend', { algorithm: 'fixed-window', perProcess: true }],
  ['ratelimit.backends.redis.RedisBackend', { algorithm: 'fixed-window' }],
  ['ratelimit.backends.slidingredis.SlidingRedisBackend', { algorithm: 'sliding-log' }],
]);

interface RuleInfo {
  group: string;
  method: string; // lower case, '*' for any
  limits: Limit[];
}

interface Pattern {
  regex?: RegExp;
  source: string;
  rules: RuleInfo[];
  at: Evidence;
}

interface Config {
  patterns?: Pattern[];
  at: Evidence;
  algorithm?: Algorithm;
  perProcess?: Evidence;
}

const resolver: AsgiLibrary['resolver'] = (project, { graph }) => {
  const configs = new Map<string, Config[]>(); // app site key → middleware configs
  for (const [appKey, list] of graph.middleware) {
    for (const m of list.filter((x) => x.types.some((t) => MIDDLEWARE.includes(t)))) {
      addTo(configs, appKey, readConfig(project, m));
    }
  }
  if (!configs.size) return undefined;
  return {
    protect(draft, method) {
      return contribution((evidence) => {
        if (method === 'WS') return undefined;
        const limits: Limit[] = [];
        let unknown = false;
        draft.context.hops.forEach((hop, index) => {
          if (!isAsgiApp(hop.node)) return;
          for (const config of configs.get(hop.node.site.key) ?? []) {
            if (!config.patterns) {
              evidence.push(config.at);
              unknown = true;
            } else if (index > 0) {
              evidence.push({ ...config.at, message: 'the path a mounted app\'s middleware matches depends on the Starlette version' });
              unknown = true;
            } else {
              const verdict = match(config.patterns, draft.route.path, method);
              if (verdict.unknown) evidence.push({ ...config.at, message: verdict.unknown });
              unknown ||= !!verdict.unknown;
              limits.push(...verdict.limits.map((l) => (config.algorithm ? { ...l, algorithm: config.algorithm } : l)));
              if (verdict.limits.length && config.perProcess) evidence.push(config.perProcess);
              // A rule without `zone` counts per concrete path.
              const perPath = verdict.limits.find((l) => l.scope === 'route');
              if (perPath) evidence.push(...perPathConcerns(perPath, draft.route.path, 'asgi-ratelimit counts per concrete path (the rule has no `zone`)'));
            }
          }
        });
        return { limits, unknown };
      });
    },
  };
};

function readConfig(project: Project, m: Middleware): Config {
  const at = { file: m.ctx.mod.file, line: lineOf(m.call.loc), message: 'asgi-ratelimit `config` is not a static mapping' };
  return { ...readPatterns(project, m, at), ...readBackend(project, m) };
}

/** How the backend counts, and whether it keeps its counters in each process; nothing for other backends. */
function readBackend(project: Project, m: Middleware): Pick<Config, 'algorithm' | 'perProcess'> {
  // `RateLimitMiddleware(app, authenticate, backend, config)`: positions after the wrapped app.
  const expr = kwarg(m.call, 'backend') ?? m.args[1];
  for (const v of expr ? project.resolve(expr, m.ctx) : []) {
    const backend = v.kind === 'instance' ? v.types.map((t) => BACKENDS.get(t)).find((b) => b !== undefined) : undefined;
    if (!backend || v.kind !== 'instance') continue;
    const where = { file: v.site.ctx.mod.file, line: lineOf(v.site.call.loc) };
    return { algorithm: backend.algorithm, perProcess: backend.perProcess ? { ...where, message: 'asgi-ratelimit\'s `MemoryBackend` keeps its counters in each process', concern: 'per-process-storage' } : undefined };
  }
  return {};
}

function readPatterns(project: Project, m: Middleware, at: Evidence): Pick<Config, 'patterns' | 'at'> {
  const expr = kwarg(m.call, 'config') ?? m.args[2];
  // One mapping: rules chosen by a branch the profile does not decide are not static.
  const values = expr ? project.resolve(expr, m.ctx) : [];
  const [dict] = values;
  // Patterns are tried in the mapping's order, `**base_rules` spreads included.
  const entries = values.length === 1 && dict.kind === 'literal' && dict.expr.k === 'dict' ? project.dictEntries(dict.expr, dict.ctx) : undefined;
  if (!entries) return { at };
  const patterns: Pattern[] = [];
  for (const { key: source, value, ctx } of entries) {
    const rules = sequenceItems(project, value, ctx)?.map((item) => readRule(project, item.expr, item.ctx));
    if (!rules || rules.some((r) => !r)) return { at };
    patterns.push({ source, regex: pythonRegex(source), rules: rules as RuleInfo[], at: { ...at, message: `asgi-ratelimit pattern \`${source}\`` } });
  }
  return { patterns, at };
}

function readRule(project: Project, expr: Expr, ctx: Ctx): RuleInfo | undefined {
  const rule = project.resolve(expr, ctx).find((v) => Project.isInstance(v, RULE));
  if (rule?.kind !== 'instance') return undefined;
  const { call, ctx: ruleCtx } = rule.site;
  const text = (name: string, position: number): string | undefined => {
    const e = argument(call, position, name);
    return e ? project.stringValue(e, ruleCtx) : undefined;
  };
  const limits: Limit[] = [];
  for (const [i, unit] of UNITS.entries()) {
    const e = argument(call, i + 1, unit);
    if (!e || e.k === 'none') continue;
    const v = project.resolve(e, ruleCtx)[0];
    if (v?.kind !== 'literal' || v.expr.k !== 'num') return undefined;
    const zone = kwarg(call, 'zone');
    limits.push({ rate: `${v.expr.v}/${unit}`, source: 'middleware', library: LIBRARY, scope: zone && zone.k !== 'none' ? 'shared' : 'route', file: ruleCtx.mod.file, line: lineOf(call.loc) });
  }
  return { group: kwarg(call, 'group') ? text('group', 0) ?? '?' : 'default', method: (kwarg(call, 'method') ? project.stringValue(kwarg(call, 'method')!, ruleCtx) ?? '*' : '*').toLowerCase(), limits };
}

/**
 * Python `re` syntax that JavaScript spells differently, in linear time (the pattern is the repository's);
 * undefined when it cannot be compiled so (a backreference, a lookaround).
 */
function pythonRegex(source: string): RegExp | undefined {
  try {
    return linearRegExp(source.replace(/\(\?P</g, '(?<').replace(/\(\?P=(\w+)\)/g, '\\k<$1>').replace(/\\Z/g, '$').replace(/\\A/g, '^'), 'y');
  } catch {
    return undefined;
  }
}

// Sample values per Starlette convertor (starlette/convertors.py); a rule must agree on all of them.
const SAMPLES = lookupTable<string[]>({ str: ['1', 'a-b'], int: ['1', '42'], float: ['1.5', '42'], path: ['1', 'a/b'], uuid: ['12345678-1234-5678-1234-567812345678'] });

function samplePaths(path: string): string[] {
  return [0, 1].map((i) => path.replace(/\{[^}:]*(?::(\w+))?\}/g, (_, convertor: string | undefined) => {
    const values = SAMPLES[convertor ?? 'str'] ?? SAMPLES.str;
    return values[i % values.length];
  }));
}

/** Limits of the winning rule of each group for a route path; path parameters are tried with sample values. */
function match(patterns: Pattern[], path: string, method: string): { limits: Limit[]; unknown?: string } {
  const samples = samplePaths(path);
  const groups = [...new Set(patterns.flatMap((p) => p.rules.map((r) => r.group)))].sort();
  const limits: Limit[] = [];
  for (const group of groups) {
    const winners = samples.map((sample) => {
      for (const pattern of patterns) {
        if (!pattern.regex) return { undecidable: pattern.source };
        pattern.regex.lastIndex = 0;
        if (!pattern.regex.test(sample)) continue;
        const rule = pattern.rules.find((r) => r.group === group && (r.method === '*' || r.method === method.toLowerCase()));
        if (rule) return { rule };
      }
      return {};
    });
    const first = winners[0];
    if (winners.some((w) => w.undecidable)) return { limits: [], unknown: `pattern \`${winners.find((w) => w.undecidable)!.undecidable}\` cannot be evaluated here (not a regular expression JavaScript runs in linear time: a backreference or lookaround)` };
    if (winners[1].rule !== first.rule) return { limits: [], unknown: 'which asgi-ratelimit rule applies depends on the path parameter values' };
    const conditions = group === 'default' ? undefined : [`group=${group}`];
    for (const limit of first.rule?.limits ?? []) limits.push(conditions ? { ...limit, conditions } : limit);
  }
  return { limits };
}

export const asgiRatelimit: AsgiLibrary = {
  descriptor: DESCRIPTOR,
  resolver,
};
