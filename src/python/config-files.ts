/**
 * Configuration files the code loads from a path written in it (`yaml.safe_load(open("config.yml"))`,
 * `json.load(f)` under `with open("settings.json") as f`, `tomllib.load(...)`): read as data, so that
 * `config["limits"]["login"]` is the value the file holds; also INI files a `configparser` parser `.read()`s.
 * Candidates are the `.yml`/`.yaml`/`.json`/`.toml`/`.ini`/`.cfg` names written in the code, relative to the project root (where the app is started) or to the module's
 * folder; only regular files inside the project, of at most 1 MiB, are read.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { parseToml } from '../toml';
import { parseYaml } from '../yaml';
import type { Expr, Loc, ModuleFacts } from './ir';
import { someExpr } from './ir';
import { fileProblem, readRegularFile } from '../regular-file';
import { lookupTable, mapLimited } from '../collections';
import { linearRegExp } from '../linear-regexp';

export type ConfigData = string | number | boolean | null | ConfigData[] | { [key: string]: ConfigData };
export type ConfigFile = { file: string; data: ConfigData } | { file: string; problem: string };

/** The loaders, by qualified name, and the format each reads. */
export const CONFIG_LOADERS = lookupTable<'yaml' | 'json' | 'toml'>({
  'yaml.safe_load': 'yaml',
  'yaml.load': 'yaml',
  'yaml.full_load': 'yaml',
  'json.load': 'json',
  'tomllib.load': 'toml',
  'tomli.load': 'toml',
  'toml.load': 'toml',
});

const NAMED = /\.(ya?ml|json|toml|ini|cfg)$/i;
const MAX_BYTES = 1024 * 1024;

/**
 * The files of `candidates` (configFileCandidates) that exist in the project, read, by path relative to the
 * root. Each is parsed when the analysis first asks for it: code names large files it never loads (an OpenAPI
 * document of half a megabyte takes longer to parse than a hundred modules).
 */
export async function readCandidates(root: string, candidates: string[]): Promise<Map<string, () => ConfigFile>> {
  const files = await mapLimited(candidates, 16, async (file) => readConfigFile(root, file));
  return new Map(candidates.flatMap((file, i) => (files[i] ? [[file, files[i]!] as const] : [])));
}

/** The paths the modules name that may be configuration files, sorted. */
export function configFileCandidates(modules: ModuleFacts[]): string[] {
  const candidates = new Set<string>();
  for (const mod of modules) {
    const exprs = [...mod.calls.map((c) => c.call), ...Object.values(mod.bindings).flatMap((list) => list.flatMap((b) => (b.kind === 'assign' ? [b.value] : [])))];
    for (const expr of exprs) {
      someExpr(expr, (e) => {
        if (e.k === 'str' && NAMED.test(e.v)) for (const c of configCandidates(e.v, mod.file)) candidates.add(c);
        return false;
      });
    }
  }
  return [...candidates].sort();
}

/** Where a path written in `file` may point, relative to the project root: as given, and beside the module. */
export function configCandidates(written: string, file: string): string[] {
  if (path.isAbsolute(written)) return [];
  return [...new Set([path.normalize(written), path.join(path.dirname(file), written)])].filter((p) => !p.startsWith('..'));
}

/** The file's content as the analysis will read it (undefined when there is no such file). */
async function readConfigFile(root: string, file: string): Promise<(() => ConfigFile) | undefined> {
  let bytes: Buffer;
  try {
    // A link out of the project is not the project's configuration.
    const [real, top] = await Promise.all([fs.realpath(path.join(root, file)), fs.realpath(root)]);
    if (path.relative(top, real).startsWith('..')) return () => ({ file, problem: 'it leads out of the project' });
    bytes = readRegularFile(real);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT' ? undefined : () => ({ file, problem: fileProblem(error) });
  }
  if (bytes.length > MAX_BYTES) return () => ({ file, problem: `larger than ${MAX_BYTES} bytes` });
  let parsed: ConfigFile | undefined;
  return () => (parsed ??= parseConfigFile(file, bytes.toString('utf8')));
}

function parseConfigFile(file: string, text: string): ConfigFile {
  try {
    if (/\.(ini|cfg)$/i.test(file)) return { file, data: parseIni(text) };
    const format = /\.toml$/i.test(file) ? 'toml' : /\.json$/i.test(file) ? 'json' : 'yaml';
    return { file, data: (format === 'toml' ? parseToml(text) : format === 'json' ? JSON.parse(text) : parseYaml(text)) as ConfigData };
  } catch (error) {
    return { file, problem: `cannot be parsed: ${(error as Error).message.split('\n')[0]}` };
  }
}

// In linear time: a long run of spaces in a line made the backtracking engine quadratic in it.
const INI_OPTION = linearRegExp('^([^=:]+?)\\s*[=:]\\s*(.*)$');

/**
 * An INI file as `configparser.ConfigParser` reads it: sections of options (names lower-cased, `=` or `:`,
 * indented lines continuing a value), `[DEFAULT]` options in every section, `%(name)s` replaced by the section's
 * option (`%%` is `%`). A value naming an option that does not exist is left out, so reading it stays unknown.
 */
function parseIni(text: string): ConfigData {
  // Maps, not objects: section and option names come from the file (`[__proto__]` must stay a section).
  const sections = new Map<string, Map<string, string>>();
  let section: Map<string, string> | undefined;
  let option: string | undefined;
  for (const line of text.split(/\r?\n/)) {
    if (!line.trim() || /^\s*[#;]/.test(line)) continue;
    const header = /^\[([^\]]+)\]\s*$/.exec(line.trim());
    if (header) {
      section = sections.get(header[1]) ?? new Map();
      sections.set(header[1], section);
      option = undefined;
    } else if (/^\s/.test(line) && section && option !== undefined) {
      section.set(option, `${section.get(option)}\n${line.trim()}`);
    } else {
      const pair = INI_OPTION.exec(line);
      if (!pair || !section) throw new Error(`not an option of a section: ${line.trim().slice(0, 40)}`);
      option = pair[1].trim().toLowerCase();
      section.set(option, pair[2].trim());
    }
  }
  const defaults = sections.get('DEFAULT') ?? new Map<string, string>();
  const interpolated = (options: Map<string, string>): ConfigData => {
    const value = (text: string, depth: number): string | undefined => {
      let ok = depth < 10;
      const out = text.replace(/%(%|\(([^)]+)\)s)/g, (_, all: string, name?: string) => {
        if (all === '%') return '%';
        const named = options.get(name!.toLowerCase());
        const inner = ok && named !== undefined ? value(named, depth + 1) : undefined;
        if (inner === undefined) ok = false;
        return inner ?? '';
      });
      return ok ? out : undefined;
    };
    // fromEntries defines each key as the object's own, `__proto__` too.
    return Object.fromEntries([...options].flatMap(([k, v]) => {
      const text = value(v, 0);
      return text === undefined ? [] : [[k, text]];
    }));
  };
  const named = [...sections].filter(([name]) => name !== 'DEFAULT');
  return Object.fromEntries([...(defaults.size ? [['DEFAULT', interpolated(defaults)]] : []), ...named.map(([name, options]) => [name, interpolated(new Map([...defaults, ...options]))])]);
}

/** File data as the literal that would write it; values TOML has and Python literals lack (dates) are left out. */
export function dataExpr(data: ConfigData, loc: Loc): Expr {
  if (typeof data === 'string') return { k: 'str', v: data, loc };
  if (typeof data === 'number') return { k: 'num', v: data, loc };
  if (typeof data === 'boolean') return { k: 'bool', v: data, loc };
  if (data === null) return { k: 'none', loc };
  if (Array.isArray(data)) return { k: 'seq', items: data.map((d) => dataExpr(d, loc)) };
  if (typeof data === 'object' && Object.getPrototypeOf(data) === Object.prototype) {
    return { k: 'dict', entries: Object.entries(data).map(([key, value]) => [{ k: 'str', v: key, loc }, dataExpr(value, loc)]) };
  }
  return { k: 'other', text: String(data), loc };
}
