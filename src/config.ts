/**
 * User configuration: `.apiposture.toml`, or `[tool.apiposture]` in pyproject.toml, nearest to the scan paths.
 * Declares custom limiters and expensive calls, rule severities, disabled rules and policy thresholds.
 * Every key is checked: a typo is a configuration error naming the key, never silently ignored.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { fileProblem, readRegularFile } from './regular-file';
import { parseToml, TomlError } from './toml';
import { parseLimitsNotation } from './ratelimit/grammar';
import { PROFILES, type Profile, type PyValue } from './python/profile';
import type { Severity } from './model';
import type { ProjectContext } from './project-context';
import { COST_KINDS, type CostKind } from './cost-calls';
import { RULES } from '../rules';


export interface Policy {
  authMaxPerMinute: number; // looser limits on login/OTP/password routes are weak (AP002)
  messagingDailyCap: boolean; // email/SMS-sending routes need a limit with a window of a day or more (AP002)
  messagingPerDay: number; // the daily cap `apiposture fix` adds on email/SMS-sending routes
  shortWindowSeconds: number; // a limit with a window this short blunts fixed-window bursts (AP009)
  defaultRate: string; // what `apiposture fix` limits a route that is not auth-sensitive to
}

export const DEFAULT_POLICY: Readonly<Policy> = { authMaxPerMinute: 10, messagingDailyCap: true, messagingPerDay: 20, shortWindowSeconds: 10, defaultRate: '60/minute' };

/** A limiter the libraries tables do not know: the project's own decorator, dependency or middleware. */
export interface CustomLimiter {
  name: string; // how findings and reports name it
  kind: 'decorator' | 'dependency' | 'middleware';
  target: string; // qualified name, e.g. "myapp.security.throttle"
  rate?: string; // a fixed rate, when the call does not carry one
  rateArgument?: number | string; // where the call carries its rate: position or keyword
}

export interface CustomCall {
  call: string; // qualified name, e.g. "myapp.billing.charge_card"
  kind: CostKind; // e.g. "payment"
}

/** A `[[suppress]]` entry: findings of `rule` on the routes `route` (and `file`) matches are accepted for `reason`. */
export interface ConfigSuppression {
  rule: string;
  route: string; // "METHOD /path", method optional or `*`; `*` in the path matches within a segment, `**` across
  file?: string; // glob on the route's file
  reason: string;
  line: number; // of its `[[suppress]]` header in the configuration file; 1 when written another way
}

export interface Config {
  file?: string; // where it was read from, relative to the scan root
  exclude: string[];
  pythonPath?: string; // the project's virtualenv or site-packages, relative to the project root (see python/installed.ts)
  profile?: Profile; // [profile]: the deployment branches are decided for (see python/profile.ts)
  rules: Record<string, Severity | 'off'>;
  policy: Policy;
  limiters: CustomLimiter[];
  expensive: CustomCall[];
  suppress: ConfigSuppression[];
}

export const DEFAULT_CONFIG: Readonly<Config> = Object.freeze({ exclude: [], rules: Object.freeze({}), policy: DEFAULT_POLICY, limiters: [], expensive: [], suppress: [] });

export class ConfigError extends Error {}

type Table = Record<string, unknown>;

/**
 * The configuration: `explicit` when given, else the nearest `.apiposture.toml` or pyproject.toml with a
 * `[tool.apiposture]` table in `configDirs` (nearest first). Its `file` is shown relative to the project root.
 */
export async function loadConfig(context: Pick<ProjectContext, 'root' | 'configDirs'>, explicit?: string): Promise<Config> {
  const shown = (file: string): string => path.relative(context.root, file).split(path.sep).join('/');
  if (explicit) return fromFile(explicit, shown(path.resolve(explicit)), path.basename(explicit) === 'pyproject.toml', explicit);
  for (const dir of context.configDirs) {
    const own = path.join(dir, '.apiposture.toml');
    if (await exists(own)) return fromFile(own, shown(own), false);
    const pyproject = path.join(dir, 'pyproject.toml');
    if (await exists(pyproject)) {
      const config = await fromFile(pyproject, shown(pyproject), true);
      if (config !== DEFAULT_CONFIG) return config;
    }
  }
  return DEFAULT_CONFIG;
}

async function exists(file: string): Promise<boolean> {
  return fs.stat(file).then((s) => s.isFile(), () => false);
}

/** `shown` names the file in reports (relative to the project root), `named` in errors (as the user gave it). */
async function fromFile(file: string, shown: string, inPyproject: boolean, named = shown): Promise<Config> {
  let document: Table;
  let text: string;
  try {
    text = readRegularFile(file).toString('utf8');
    document = parseToml(text) as Table;
  } catch (error) {
    const detail = error instanceof TomlError ? `line ${error.line}: ${error.message.split('\n')[0]}` : fileProblem(error);
    throw new ConfigError(`${named}: ${detail}`);
  }
  const tool = inPyproject ? (document.tool as Table | undefined)?.apiposture : document;
  if (tool === undefined) return DEFAULT_CONFIG;
  try {
    const config = parseConfig(tool, inPyproject ? 'tool.apiposture' : '');
    const headers = headerLines(text, inPyproject ? 'tool.apiposture.suppress' : 'suppress');
    config.suppress.forEach((entry, i) => (entry.line = headers[i] ?? 1));
    return { ...config, file: shown };
  } catch (error) {
    throw error instanceof ConfigError ? new ConfigError(`${named}: ${error.message}`) : error;
  }
}

/** Lines of the `[[name]]` headers, so that suppressions can be pointed at (the TOML parser keeps no positions). */
function headerLines(text: string, name: string): number[] {
  const header = new RegExp(`^\\s*\\[\\[\\s*${name.replace(/\./g, '\\.')}\\s*\\]\\]`);
  return text.split('\n').flatMap((line, i) => (header.test(line) ? [i + 1] : []));
}

/** `[profile]`: `name = "development"` and values for names branches test (`DEBUG = true`, `ENV = "staging"`). */
function profileTable(raw: unknown, at: string): Profile {
  const { name, ...defines } = table(raw, at);
  const profileName = name === undefined ? 'production' : oneOf(name, key(at, 'name'), Object.keys(PROFILES));
  for (const [k, v] of Object.entries(defines)) {
    if (!['string', 'number', 'boolean'].includes(typeof v)) throw new ConfigError(`${key(at, k)}: expected a string, number or boolean`);
  }
  return { name: profileName, defines: defines as Record<string, PyValue> };
}

/** Validates a configuration table; `at` is the key path used in messages. */
export function parseConfig(raw: unknown, at = ''): Config {
  const top = table(raw, at, ['exclude', 'python-path', 'profile', 'rules', 'policy', 'limiter', 'expensive', 'suppress']);
  const config: Config = { ...DEFAULT_CONFIG, rules: {}, policy: { ...DEFAULT_POLICY } };
  if (top.exclude !== undefined) config.exclude = stringArray(top.exclude, key(at, 'exclude'));
  if (top['python-path'] !== undefined) config.pythonPath = requiredString(top['python-path'], key(at, 'python-path'));
  if (top.profile !== undefined) config.profile = profileTable(top.profile, key(at, 'profile'));
  if (top.rules !== undefined) {
    const rules = table(top.rules, key(at, 'rules'));
    for (const [id, value] of Object.entries(rules)) {
      ruleId(id, key(at, `rules.${id}`));
      config.rules[id] = oneOf(value, key(at, `rules.${id}`), ['error', 'warning', 'note', 'off'] as const);
    }
  }
  if (top.policy !== undefined) {
    const policy = table(top.policy, key(at, 'policy'), ['auth-max-per-minute', 'messaging-daily-cap', 'messaging-per-day', 'short-window-seconds', 'default-rate']);
    if (policy['default-rate'] !== undefined) config.policy.defaultRate = rateText(policy['default-rate'], key(at, 'policy.default-rate'));
    if (policy['auth-max-per-minute'] !== undefined) config.policy.authMaxPerMinute = positive(policy['auth-max-per-minute'], key(at, 'policy.auth-max-per-minute'));
    if (policy['messaging-per-day'] !== undefined) config.policy.messagingPerDay = wholeCount(policy['messaging-per-day'], key(at, 'policy.messaging-per-day'));
    if (policy['short-window-seconds'] !== undefined) config.policy.shortWindowSeconds = positive(policy['short-window-seconds'], key(at, 'policy.short-window-seconds'));
    if (policy['messaging-daily-cap'] !== undefined) {
      if (typeof policy['messaging-daily-cap'] !== 'boolean') throw new ConfigError(`${key(at, 'policy.messaging-daily-cap')}: expected true or false`);
      config.policy.messagingDailyCap = policy['messaging-daily-cap'];
    }
  }
  config.limiters = tables(top.limiter, key(at, 'limiter')).map(([entry, where]) => customLimiter(entry, where));
  config.expensive = tables(top.expensive, key(at, 'expensive')).map(([entry, where]) => {
    const e = table(entry, where, ['call', 'kind']);
    return { call: requiredString(e.call, `${where}.call`), kind: oneOf(e.kind, `${where}.kind`, COST_KINDS) };
  });
  config.suppress = tables(top.suppress, key(at, 'suppress')).map(([entry, where]) => suppression(entry, where));
  return config;
}

function suppression(raw: unknown, where: string): ConfigSuppression {
  const e = table(raw, where, ['rule', 'route', 'file', 'reason']);
  const rule = ruleId(requiredString(e.rule, `${where}.rule`), `${where}.rule`);
  const route = requiredString(e.route, `${where}.route`).trim();
  if (!/^(?:(?:\*|[A-Za-z]+)\s+)?[/*]\S*$/.test(route)) throw new ConfigError(`${where}.route: expected "METHOD /path" or "/path" (METHOD may be *, the path may hold * globs)`);
  const entry: ConfigSuppression = { rule, route, reason: requiredString(e.reason, `${where}.reason`).trim(), line: 1 };
  if (e.file !== undefined) entry.file = requiredString(e.file, `${where}.file`);
  return entry;
}

const RULE_IDS = new Set(RULES.map((r) => r.id));

/** A rule that exists: a misspelt id would otherwise silently turn nothing off. */
function ruleId(id: string, where: string): string {
  if (!/^AP\d{3}$/.test(id)) throw new ConfigError(`${where}: rule ids look like AP001`);
  if (!RULE_IDS.has(id)) throw new ConfigError(`${where}: there is no rule ${id} (see \`apiposture rules\`)`);
  return id;
}

function customLimiter(raw: unknown, where: string): CustomLimiter {
  const e = table(raw, where, ['name', 'decorator', 'dependency', 'middleware', 'rate', 'rate-argument']);
  const kinds = (['decorator', 'dependency', 'middleware'] as const).filter((k) => e[k] !== undefined);
  if (kinds.length !== 1) throw new ConfigError(`${where}: give exactly one of decorator, dependency or middleware`);
  const target = requiredString(e[kinds[0]], `${where}.${kinds[0]}`);
  const limiter: CustomLimiter = { name: e.name === undefined ? target : requiredString(e.name, `${where}.name`), kind: kinds[0], target };
  if (e.rate !== undefined) limiter.rate = requiredString(e.rate, `${where}.rate`);
  const argument = e['rate-argument'];
  if (argument !== undefined) {
    if (typeof argument !== 'string' && !(Number.isInteger(argument) && (argument as number) >= 0)) {
      throw new ConfigError(`${where}.rate-argument: expected a keyword name or a position (0, 1, ...)`);
    }
    limiter.rateArgument = argument as number | string;
  }
  return limiter;
}

function key(at: string, name: string): string {
  return at ? `${at}.${name}` : name;
}

function table(value: unknown, where: string, allowed?: string[]): Table {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || value instanceof Date) throw new ConfigError(`${where || 'config'}: expected a table`);
  const unknown = allowed && Object.keys(value).find((k) => !allowed.includes(k));
  if (unknown) throw new ConfigError(`${key(where, unknown)}: unknown key (expected one of ${allowed.join(', ')})`);
  return value as Table;
}

/** `[[limiter]]` arrays of tables, each with its key path for messages. */
function tables(value: unknown, where: string): [unknown, string][] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new ConfigError(`${where}: expected an array of tables ([[${where}]])`);
  return value.map((entry, i) => [entry, `${where}[${i}]`]);
}

function requiredString(value: unknown, where: string): string {
  if (typeof value !== 'string' || !value.trim()) throw new ConfigError(`${where}: expected a non-empty string`);
  return value;
}

function stringArray(value: unknown, where: string): string[] {
  if (!Array.isArray(value)) throw new ConfigError(`${where}: expected an array of strings`);
  return value.map((v, i) => requiredString(v, `${where}[${i}]`));
}

/** A rate in the limits notation (`"60/minute"`), as the limiters the fixer writes for read it. */
function rateText(value: unknown, where: string): string {
  const parsed = typeof value === 'string' ? parseLimitsNotation(value) : undefined;
  if (!parsed?.ok) throw new ConfigError(`${where}: expected a rate such as "60/minute"${parsed && !parsed.ok ? ` (${parsed.reason})` : ''}`);
  return value as string;
}

/** A count of requests: a whole number of at least 1. */
function wholeCount(value: unknown, where: string): number {
  if (!Number.isInteger(value) || (value as number) < 1) throw new ConfigError(`${where}: expected a whole number of at least 1`);
  return value as number;
}

function positive(value: unknown, where: string): number {
  if (typeof value !== 'number' || !(value > 0)) throw new ConfigError(`${where}: expected a positive number`);
  return value;
}

function oneOf<T extends string>(value: unknown, where: string, choices: readonly T[]): T {
  if (typeof value !== 'string' || !choices.includes(value as T)) throw new ConfigError(`${where}: expected one of ${choices.map((c) => `"${c}"`).join(', ')}`);
  return value as T;
}
