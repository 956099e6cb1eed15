/**
 * `scan --openapi FILE`: the route inventory against an OpenAPI (3.x) or Swagger (2.0) document, JSON or YAML.
 * Operations are matched by method and path shape (every parameter syntax, Flask `<int:id>`, Django
 * `(?P<pk>...)`, OpenAPI `{id}`, counts as one parameter; a trailing slash does not count), for the routes under
 * the top-level path segments the spec documents. Reported: operations
 * the code serves that the spec omits and the reverse, limited operations whose spec documents no 429 response
 * and no rate-limit headers, and documented 429s on operations the code does not limit.
 */
import { parseYaml } from './yaml';
import { declaredMethods, STANDARD_METHODS, type Route } from './model';
import { fileProblem, readRegularFile } from './regular-file';

export interface Operation {
  method: string;
  path: string; // as the spec writes it, or as the scan reports it
  file?: string; // where the code declares it
  line?: number;
}

export interface OpenApiCheck {
  spec: string; // the file as given
  operations: number; // in the spec
  inCodeOnly: Operation[];
  inSpecOnly: Operation[];
  limitedWithout429: Operation[]; // limited in code; the spec documents neither a 429 nor rate-limit headers
  documented429Unlimited: Operation[]; // the spec documents a 429; the code does not limit the operation
  notCompared: number; // routes whose path the scan could not resolve
  outside: number; // routes under none of the top-level path segments the spec documents (pages beside an API)
}

export class OpenApiError extends Error {}

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
const RATE_LIMIT_HEADER = /^(x-)?rate-?limit|^retry-after$/i;

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Replaces `(?P<name>...)` groups (balanced parentheses) by a parameter mark. */
function namedGroupsToMarks(path: string): string {
  let out = '';
  for (let i = 0; i < path.length; i++) {
    if (!path.startsWith('(?P<', i)) {
      out += path[i];
      continue;
    }
    let depth = 0;
    for (; i < path.length; i++) {
      if (path[i] === '\\') i++;
      else if (path[i] === '(') depth++;
      else if (path[i] === ')' && --depth === 0) break;
    }
    out += '{}';
  }
  return out;
}

/** A path's shape: parameters as `{}`, regex escapes and anchors dropped, no trailing slash. */
export function pathShape(path: string): string {
  const shaped = namedGroupsToMarks(path)
    .replace(/<[^<>]+>/g, '{}')
    .replace(/\{[^{}]*\}/g, '{}')
    .replace(/\/\?$|\$$/g, '')
    .replace(/\\(.)/g, '$1')
    .replace(/\/+$/, '');
  return shaped || '/';
}

/** DRF's format-suffix twins (`/items.json`): served, never documented separately. */
const isFormatSuffix = (path: string): boolean => path.includes('(?P<format>') || path.includes('<drf_format_suffix:');

function basePath(spec: Json): string {
  if (typeof spec.basePath === 'string') return spec.basePath.replace(/\/+$/, '');
  const server = Array.isArray(spec.servers) && isObject(spec.servers[0]) ? spec.servers[0].url : undefined;
  if (typeof server !== 'string') return '';
  try {
    return new URL(server, 'http://server.invalid').pathname.replace(/\/+$/, '');
  } catch {
    return '';
  }
}

/** Whether an operation documents rate limiting: a 429 response, or a rate-limit header on any response. */
function documents429(operation: Json): boolean {
  const responses = isObject(operation.responses) ? operation.responses : {};
  if ('429' in responses) return true;
  return Object.values(responses).some((r) => isObject(r) && isObject(r.headers) && Object.keys(r.headers).some((h) => RATE_LIMIT_HEADER.test(h)));
}

async function readSpec(file: string): Promise<Json> {
  let text: string;
  try {
    text = readRegularFile(file).toString('utf8');
  } catch (error) {
    throw new OpenApiError(`${file}: ${fileProblem(error)}`);
  }
  let spec: unknown;
  try {
    spec = text.trimStart().startsWith('{') ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    throw new OpenApiError(`${file}: neither JSON nor YAML: ${(error as Error).message.split('\n')[0]}`);
  }
  if (!isObject(spec) || !isObject(spec.paths)) throw new OpenApiError(`${file}: no \`paths\` object: not an OpenAPI or Swagger document`);
  return spec;
}

/**
 * The methods of a route to look up: those it declares, or, for a view that serves every method (a Django
 * function view without a method decorator), the ones the spec documents at its path (`ANY` when none).
 */
function methodsToMatch(route: Route, documented: Map<string, unknown>): string[] {
  if (route.methods.length < STANDARD_METHODS.length) return declaredMethods(route);
  const shape = pathShape(route.path);
  const listed = STANDARD_METHODS.filter((m) => documented.has(`${m} ${shape}`));
  return listed.length ? listed : ['ANY'];
}

export async function checkOpenApi(file: string, routes: Route[]): Promise<OpenApiCheck> {
  const spec = await readSpec(file);
  const base = basePath(spec);
  const documented = new Map<string, { op: Operation; with429: boolean }>();
  for (const [path, item] of Object.entries(spec.paths as Json)) {
    if (!isObject(item)) continue;
    for (const method of METHODS) {
      const operation = item[method];
      if (!isObject(operation)) continue;
      const upper = method.toUpperCase();
      documented.set(`${upper} ${pathShape(base + path)}`, { op: { method: upper, path: base + path }, with429: documents429(operation) });
    }
  }
  const check: OpenApiCheck = { spec: file, operations: documented.size, inCodeOnly: [], inSpecOnly: [], limitedWithout429: [], documented429Unlimited: [], notCompared: 0, outside: 0 };
  // A spec usually documents the API beside an app's pages: only routes under its top-level segments are compared.
  const topSegment = (shape: string): string => shape.split('/')[1] ?? '';
  const covered = new Set([...documented.keys()].map((key) => topSegment(key.split(' ')[1])));
  const served = new Set<string>();
  for (const route of routes) {
    if (route.kind !== 'http' || isFormatSuffix(route.path)) continue;
    if (route.unresolved.length) {
      check.notCompared++;
      continue;
    }
    if (!covered.has(topSegment(pathShape(route.path)))) {
      check.outside++;
      continue;
    }
    for (const method of methodsToMatch(route, documented)) {
      const key = `${method} ${pathShape(route.path)}`;
      served.add(key);
      const op = { method, path: route.path, file: route.file, line: route.line };
      const entry = documented.get(key);
      if (!entry) check.inCodeOnly.push(op);
      else if (route.status === 'limited' && !entry.with429) check.limitedWithout429.push(op);
      else if (route.status === 'unlimited' && entry.with429) check.documented429Unlimited.push(op);
    }
  }
  check.inSpecOnly = [...documented].filter(([key]) => !served.has(key)).map(([, { op }]) => op);
  return check;
}
