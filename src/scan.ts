/**
 * The pipeline: discover → parse to module facts → framework extractors and protection resolution →
 * rules → a sorted, deterministic `ScanResult`. Scanned code is only read, never imported or run.
 */
import { commandLineExcludes, discover } from './discover';
import { inScanPaths, projectContext, type ProjectContext } from './project-context';
import { moduleNames, type ModuleName } from './python/module-names';
import { readInstalled, sitePackagesOf } from './python/installed';
import { countRegistrations, skippedRegistrations, type RegistrationCount } from './registration-sites';
import { DEFAULT_CONFIG, loadConfig, type Config } from './config';
import { readDeployment, readDeploymentFiles, type Deployment, type DeploymentFiles } from './deployment';
import { CustomLimiters } from './custom-limiters';
import { routeFingerprint } from './fingerprint';
import { DEFAULT_MAX_FILE_BYTES, type ParseOutcome } from './parse';
import { parseFiles, type ParseFilesOptions } from './parse-pool';
import { Project, assumptionKey, type Assumption, type Modelled } from './python/project';
import { DEFAULT_PROFILE, applyProfile, profileEvaluation, skippedCalls, type Profile, type TakenArm } from './python/profile';
import { configFileCandidates, readCandidates } from './python/config-files';
import { readRegularFile } from './regular-file';
import { promises as fs } from 'node:fs';
import { CostModel } from './cost';
import type { ModuleFacts } from './python/ir';
import { ANALYZERS } from './frameworks';
import { MODELLED_PACKAGES, selectFiles, type Selection } from './relevance';
import { codeHash, hash, ScanCache } from './cache';
import { boundHeapGrowthFor } from './heap';
import path from 'node:path';
import { readProjectMetadata, type ProjectMetadata } from './manifests';
import { applySuppressions } from './suppressions';
import { mapLimited } from './collections';
import { compareFindings, groupByCause } from './group-findings';
import { applyBaseline, type Baseline } from './baseline';
import { RULES } from '../rules';
import { formatMessage } from '../rules/types';
import type { AnalyzedRoute, Finding, Route, RouteSummary, ScanResult, Skipped, Severity } from './model';
import { SEVERITY_RANK, compareText, counts, declaredMethods, methodsLabel, summaryStatus } from './model';

// Functions the frameworks call with their own objects, for the resolver to bind (`lifespan=`).
const MODELLED: Modelled = { packages: MODELLED_PACKAGES, callbacks: ANALYZERS.flatMap((a) => a.callbacks ?? []), factories: ANALYZERS.flatMap((a) => a.factories ?? []), storedKeywords: ANALYZERS.flatMap((a) => a.storedKeywords ?? []), settingsObjects: ANALYZERS.flatMap((a) => a.settingsObjects ?? []), constants: Object.assign({}, ...ANALYZERS.map((a) => a.constants)) };

export interface ScanOptions {
  paths: string[];
  exclude?: string[];
  maxFileBytes?: number;
  parseAll?: boolean; // parse every file, not only those the analysis can reach (see relevance.ts)
  cacheDir?: string; // where to keep what unchanged files need not be read or parsed again (see cache.ts); none when absent
  jobs?: number; // parse threads; default: one fewer than the cores, at least 1
  pythonPath?: string; // the project's virtualenv or site-packages, relative to the project root; else the usual places
  config?: Config; // found from the scan paths up when absent (see loadConfig)
  baseline?: Baseline; // findings it holds are marked baselined; its stale entries are listed
  profile?: Profile; // the deployment the branches are decided for; else the configuration's, else production
  onProgress?: (done: number, total: number) => void;
  onWarning?: (message: string) => void;
  keptFacts?: KeptFacts; // facts an earlier scan in this process read, used instead of reading them from the cache again
}

/**
 * Module facts kept in memory from one scan to the next of one process (`scan --watch`), by file and content: after
 * an edit, reading every unchanged module's facts back from the cache was a third of the scan (Skyvern: 1.8 s of
 * 5.4). Facts are never changed once built, so a later scan can read the same objects. Only a scan that reads all
 * facts, with a cache, refills it, with the facts it read: those of older contents are dropped.
 */
export class KeptFacts {
  private byContent = new Map<string, ModuleFacts>();

  get(file: string, contentHash: string): ModuleFacts | undefined {
    return this.byContent.get(`${file}\0${contentHash}`);
  }

  keepOnly(facts: { file: string; hash: string; facts: ModuleFacts }[]): void {
    this.byContent = new Map(facts.map((f) => [`${f.file}\0${f.hash}`, f.facts]));
  }
}

/**
 * Reads the whole project around the paths (see project-context.ts) and reports the routes declared inside
 * them, with findings and skipped files of those paths only.
 */
/**
 * A limit declared inside a branch the profile takes (`if settings.ENV == "production":`) exists in this
 * deployment only: the evidence says so, with the branch, so a reader knows the verdict rests on it.
 */
function noteProfileLimits(route: Route | AnalyzedRoute, taken: TakenArm[], profile: Profile): void {
  for (const limit of route.limits) {
    const arm = taken.find((a) => a.file === limit.file && a.from <= limit.line && limit.line <= a.to);
    if (arm) route.evidence.push({ file: arm.file, line: arm.of, message: `\`${limit.rate}\` is there because the ${profile.name} profile takes this branch: another deployment may run without it (see --profile, --define)` });
  }
}

/** What the analysis took as given, once each, in file and line order. */
function assumptionsOf(lists: Iterable<Assumption>[]): Assumption[] {
  const all = new Map(lists.flatMap((list) => [...list].map((a): [string, Assumption] => [assumptionKey(a), a])));
  return [...all.values()].sort((a, b) => compareText(a.file, b.file) || a.line - b.line || compareText(a.text, b.text));
}

/**
 * The project as the deployment profile runs it (branches it decides keep only the arm that runs, and the project is
 * read again as it runs), with what the project as written tells: the registrations in the arms that do not run and
 * the assumptions its reading took. Nothing keeps the project as written past this point, so its memo tables are
 * gone before the analysis (6-10 MB on the largest corpus apps).
 */
function profiledProject(written: { modules: ModuleFacts[]; metadata: ProjectMetadata; names: Map<string, ModuleName>; installed: ModuleFacts[] }, profile: Profile, inScope: (file: string) => boolean) {
  const { metadata, names, installed } = written;
  const unprofiled = new Project(written.modules, metadata, names, installed, MODELLED);
  const settingNames = ANALYZERS.map((a) => a.settingNames?.(unprofiled)).find((names) => names);
  const profiled = applyProfile(unprofiled, profile, settingNames);
  const project = profiled.decided ? new Project(profiled.modules, metadata, names, installed, MODELLED) : unprofiled;
  Object.assign(project, profileEvaluation(project, profile));
  project.profileSkipped = skippedCalls(unprofiled, project, profiled.skipped);
  project.decidedNames = profiled.resting;
  project.decidedBranches = profiled.branches;
  const skippedSites = skippedRegistrations(unprofiled, profiled.skipped, inScope);
  return { project, profiled, skippedSites, writtenAssumptions: unprofiled.assumptions };
}

export async function scan(options: ScanOptions): Promise<ScanResult> {
  return (await runScan(options, true)).result;
}

/** The scan and the project it read, for what edits the code (`apiposture fix`). */
export async function scanProject(options: ScanOptions): Promise<{ result: ScanResult; project: Project }> {
  const { result, project } = await runScan(options, false);
  return { result, project: project! };
}

/**
 * The scan; with a cache and `reuse`, the last scan's result when nothing it rests on changed (see resultKey),
 * without its project.
 */
async function runScan(options: ScanOptions, reuse: boolean): Promise<{ result: ScanResult; project?: Project }> {
  boundHeapGrowthFor('reading');
  const context = projectContext(options.paths);
  const { root } = context;
  const config = options.config ?? (await loadConfig(context));
  // Warnings given once the result key is known are kept with the result, to be given again when it is reused.
  const warnings: string[] = [];
  const say = (message: string): void => {
    warnings.push(message);
    options.onWarning?.(message);
  };
  const cache = options.cacheDir === undefined ? undefined : await ScanCache.open(path.resolve(root, options.cacheDir), say);
  // Command-line excludes may be written from the working directory; the configuration's are the project's.
  const excludes = [...commandLineExcludes(options.exclude ?? [], process.cwd(), root), ...config.exclude.map((pattern) => ({ pattern, rooted: pattern }))];
  const discovered = await discover(context, excludes, cache);
  for (const pattern of discovered.unmatchedExcludes) say(`exclude \`${pattern}\` matches no Python file of the project`);
  cache?.useFileList([...discovered.files, ...discovered.testFiles]);
  const inScope = (file: string): boolean => inScanPaths(context, file);
  const metadataRead = readProjectMetadata(root, cache, context.outerDirs); // its file reads overlap with the source files'
  const maxBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  const selected = await selectFiles(root, discovered.files, { maxBytes, parseAll: options.parseAll, cache, testFiles: discovered.testFiles });
  const files = [...discovered.files, ...selected.testFiles].sort();
  if (!files.some(inScope)) say(`no Python file to scan in ${options.paths.join(', ')} (after excludes)`);
  const selection = { ...selected, skipped: [...discovered.skipped, ...selected.skipped] };
  const warn = (file: string, message: string): void => {
    if (inScope(file)) say(`${file}: ${message}`);
  };
  for (const s of selection.skipped) warn(s.file, `skipped: ${s.reason}`);
  const metadata = await metadataRead;
  const deploymentFiles = await readDeploymentFiles(root, cache);
  for (const folder of discovered.installedFolders) say(`${folder}/ holds installed packages (its *.dist-info): read as third-party code, not as the project's`);
  const sitePackages = [...sitePackagesOf(root, options.pythonPath ?? config.pythonPath), ...discovered.installedFolders.map((folder) => path.join(root, folder))];
  const profile = options.profile ?? config.profile ?? DEFAULT_PROFILE;
  const parseOptions = { ...options, maxFileBytes: maxBytes, texts: new Map<string, string>() };
  const { parsed, digests } = await parseChanged(root, selection, cache, parseOptions);
  // A virtualenv's modules are read as the project's imports lead to them, so nothing keys them: no reuse there.
  const key = reuse && digests && !sitePackages.length ? resultKey(context, options, config, profile, { ...discovered, files }, { files: digests, skipped: selection.skipped }, metadata, deploymentFiles) : undefined;
  const stored = key && cache!.storedResult(key);
  if (stored && (await readsUnchanged(root, stored.reads))) {
    for (const message of stored.warnings) options.onWarning?.(message);
    const problem = await cache!.save();
    if (problem) options.onWarning?.(problem);
    return { result: withBaseline(stored.result as ScanResult, options.baseline) };
  }
  warnings.length = 0;
  const { modules, skipped } = await moduleFacts(root, selection, parsed, cache, parseOptions, warn);
  // Not needed once the facts are read: the table of their texts (3.5 MB of Skyvern's), and the texts the selection
  // read that facts from the cache made unneeded.
  parseOptions.texts.clear();
  selection.sources.clear();
  const names = moduleNames(files, context.rootPackage, context.namespace);
  const installed = await readInstalled(root, sitePackages, modules, MODELLED_PACKAGES, maxBytes);
  const configCandidates = configFileCandidates(modules);
  const configFiles = await readCandidates(root, configCandidates);
  const written = { modules, metadata: { ...metadata, configFiles }, names, installed };
  boundHeapGrowthFor('analysis');
  const { project, profiled, skippedSites, writtenAssumptions } = profiledProject(written, profile, inScope);
  const analysed = attributeToProject(analyzeProject(project, config), new Set(installed.map((m) => m.file)));
  for (const route of analysed) noteProfileLimits(route, profiled.taken, profile);
  // Routes the profile does not serve are listed apart (project.profile.notServed) and not checked.
  const allRoutes = analysed.filter((r) => !r.notServed);
  const routes = allRoutes.filter((r) => inScope(r.file));
  const notServed = [
    ...skippedSites,
    ...analysed.filter((r) => r.notServed && inScope(r.file)).map((r) => ({ file: r.file, line: r.line, column: r.column, call: `${declaredMethods(r).join(',')} ${r.path}`, condition: r.notServed!.condition, branchLine: r.notServed!.line })),
  ].sort((a, b) => compareText(a.file, b.file) || a.line - b.line || (a.column ?? 0) - (b.column ?? 0));
  const registrations = countRegistrations(project, analysed, inScope);
  for (const r of registrations.unresolved) say(`${r.file}:${r.line}: \`${r.call}\` registers routes that were not resolved: ${r.reason}`);
  const perRoute = runRules(routes, readDeployment(deploymentFiles, project), config, allRoutes);
  const suppressionProblems = applySuppressions(perRoute, routes, modules, config);
  for (const p of suppressionProblems) say(`${p.file}:${p.line}: ${p.message}`);
  const findings = groupByCause(perRoute, routes);
  const scopeFiles = files.filter(inScope);
  const scopeSkipped = skipped.filter((s) => inScope(s.file));
  const importRoots = [...new Set(scopeFiles.map((f) => names.get(f)!.importRoot))].sort(compareText);
  const result: ScanResult = {
    root,
    project: { root, ...(context.marker && { marker: context.marker }), paths: context.scanPaths, importRoots, files: files.length, profile: { ...profile, decided: profiled.decided, notServed }, assumptions: assumptionsOf([writtenAssumptions.values(), project.assumptions.values()]) },
    routes,
    findings,
    skipped: scopeSkipped,
    suppressionProblems,
    unresolvedRegistrations: registrations.unresolved,
    stats: stats(scopeFiles.length, scopeSkipped, routes, findings, registrations),
  };
  if (key) cache!.storeResult({ key, reads: await readsOf(root, configCandidates), warnings, result });
  const cacheProblem = await cache?.save(); // after the last walk
  if (cacheProblem) options.onWarning?.(cacheProblem);
  return { result: withBaseline(result, options.baseline), project };
}

/** The result with the baseline's findings marked and its stale entries listed (a stored result has neither). */
function withBaseline(result: ScanResult, baseline: Baseline | undefined): ScanResult {
  if (!baseline) return result;
  const staleBaseline = applyBaseline(result.findings, baseline);
  const { stats: counted, ...rest } = result;
  return { ...rest, staleBaseline, stats: { ...counted, ...findingStats(result.findings) } };
}

/**
 * What a scan's result rests on, hashed: the apiposture code, the project and its paths, the options and the
 * configuration, the file list and the digest of what parsing every selected file gives (the files not selected
 * cannot change the analysis, see relevance.ts; nor can text the facts leave out, see parseChanged), skipped
 * files, manifests and `.env` values, deployment files. The configuration files the code names are checked apart
 * (readsUnchanged): which they are depends on the parsed code.
 */
function resultKey(context: ProjectContext, options: ScanOptions, config: Config, profile: Profile, discovered: { files: string[]; skipped: Skipped[] }, selection: { files: [string, string][]; skipped: Skipped[] }, metadata: ProjectMetadata, deploymentFiles: DeploymentFiles): string {
  const inputs = {
    code: codeHash(),
    context,
    options: { exclude: options.exclude, parseAll: options.parseAll, maxFileBytes: options.maxFileBytes, pythonPath: options.pythonPath },
    config,
    profile,
    files: discovered.files,
    discoveredSkipped: discovered.skipped,
    selection,
    metadata,
    deploymentFiles: deploymentFiles.digests,
  };
  return hash(JSON.stringify(inputs, (_, value: unknown) => (value instanceof Map ? [...value] : value instanceof Set ? [...value] : value)));
}

/** Each configuration file the code names, with the hash of where it leads and what it holds (null: unreadable). */
function readsOf(root: string, candidates: string[]): Promise<[string, string | null][]> {
  return mapLimited(candidates, 16, async (file): Promise<[string, string | null]> => {
    try {
      const real = await fs.realpath(path.join(root, file));
      return [file, hash(`${real}\0${readRegularFile(real).toString('latin1')}`)];
    } catch {
      return [file, null];
    }
  });
}

async function readsUnchanged(root: string, reads: [string, string | null][]): Promise<boolean> {
  return JSON.stringify(await readsOf(root, reads.map(([file]) => file))) === JSON.stringify(reads);
}

/**
 * Parses the selected files whose digest the cache does not know (every file without a cache): the files an edit
 * changed. Their facts and digests are cached; returns their outcomes and, with a cache, every selected file's
 * digest, which keys the stored result: an edit that leaves a file's facts as they were changes nothing.
 */
async function parseChanged(
  root: string,
  selection: Selection,
  cache: ScanCache | undefined,
  options: ScanOptions & { maxFileBytes: number; texts: Map<string, string> },
): Promise<{ parsed: Map<string, ParseOutcome>; digests?: [string, string][] }> {
  const toParse = selection.files.filter((f) => !f.digest);
  const found = new Map<string, string>();
  const outcomes = await parseFiles(root, toParse.map((f) => f.file), { ...options, sources: selection.sources, onParsed: cache && caching(cache, toParse, found) });
  const parsed = new Map(toParse.map(({ file }, i) => [file, outcomes[i]]));
  if (!cache) return { parsed };
  return { parsed, digests: selection.files.map(({ file, digest }) => [file, digest ?? found.get(file)!]) };
}

/** Caches what parsing each of `files` gave as it comes (see parseFiles), keeping its digest in `digests`. */
function caching(cache: ScanCache, files: { file: string }[], digests = new Map<string, string>()): NonNullable<ParseFilesOptions['onParsed']> {
  return (i, outcome, json) => {
    const { file } = files[i];
    digests.set(file, outcome.ok ? cache.storeModuleFacts(file, outcome.facts, outcome.note, json) : cache.rememberParse(file, hash(`skipped\0${outcome.reason}`)));
  };
}

/**
 * The facts of the selected files, in their order: those just parsed, the others from the cache (parsed again
 * when their cached facts are gone). Skipped lists the selection's own skips and files only parsing found
 * wanting, by file.
 */
async function moduleFacts(
  root: string,
  selection: Selection,
  parsed: Map<string, ParseOutcome>,
  cache: ScanCache | undefined,
  options: ScanOptions & { maxFileBytes: number; texts: Map<string, string> },
  warn: (file: string, message: string) => void,
): Promise<{ modules: ModuleFacts[]; skipped: Skipped[] }> {
  const unparsed = selection.files.filter((f) => !parsed.has(f.file));
  const kept = cache && options.keptFacts;
  const cached = unparsed.map(({ file, hash: contentHash, facts }) => kept?.get(file, contentHash) ?? (facts && cache?.moduleFacts(file, facts, options.texts)));
  const lost = unparsed.filter((_, i) => !cached[i]);
  const reparsed = await parseFiles(root, lost.map((f) => f.file), { ...options, sources: selection.sources, onParsed: cache && caching(cache, lost) });
  const outcomes = new Map(parsed);
  for (const [i, { file, note }] of unparsed.entries()) if (cached[i]) outcomes.set(file, { ok: true, facts: cached[i]!, note });
  for (const [i, outcome] of reparsed.entries()) outcomes.set(lost[i].file, outcome);
  const modules: ModuleFacts[] = [];
  const skipped: Skipped[] = [...selection.skipped];
  const read: { file: string; hash: string; facts: ModuleFacts }[] = [];
  for (const { file, hash: contentHash } of selection.files) {
    const outcome = outcomes.get(file)!;
    if (!outcome.ok) {
      skipped.push({ file, reason: outcome.reason });
      warn(file, `skipped: ${outcome.reason}`);
      continue;
    }
    if (outcome.note) warn(file, outcome.note);
    if (outcome.facts.syntaxErrorLine !== undefined) {
      const reason = `syntax error at line ${outcome.facts.syntaxErrorLine}; analysed with error recovery, routes after it may be missed`;
      skipped.push({ file, reason, partial: true });
      warn(file, reason);
    }
    modules.push(outcome.facts);
    read.push({ file, hash: contentHash, facts: outcome.facts });
  }
  kept?.keepOnly(read);
  return { modules, skipped: skipped.sort((a, b) => compareText(a.file, b.file)) };
}

/** `scan` exits 1 on a counted finding at or above `failOn`, and on suppression problems unless `failOn` is none. */
export function failsGate(result: ScanResult, failOn: Severity | 'none'): boolean {
  if (failOn === 'none') return false;
  return result.suppressionProblems.length > 0 || result.findings.some((f) => counts(f) && SEVERITY_RANK[f.severity] >= SEVERITY_RANK[failOn]);
}

/** Extracts routes from module facts (the pipeline without files, for tests and tools). */
export function analyzeModules(modules: ModuleFacts[], metadata?: ProjectMetadata, config: Config = DEFAULT_CONFIG): Route[] {
  return analyzeProject(new Project(modules, metadata, undefined, [], MODELLED), config);
}

/** Extracts routes with every analyzer and the declared limiters, giving each a unique, stable id and its cost signals. */
function analyzeProject(project: Project, config: Config): Route[] {
  const custom = new CustomLimiters(project, config.limiters, config.file);
  const cost = new CostModel(project, config.expensive);
  // Apps built in the arms of an `if` (`app = FastAPI(debug=True)` / `app = FastAPI()`) are one app in any
  // run: a route they serve alike (as reported: the code run besides its handler has been read by then) is one
  // route. So is a route read twice (an app factory read once per caller) whose readings assumed different
  // things: it rests on both.
  const byContent = new Map<string, AnalyzedRoute>();
  for (const route of ANALYZERS.flatMap((a) => a.analyze(project)).map((r) => custom.apply(r))) {
    const key = JSON.stringify({ ...route, app: route.app && { name: route.app.name }, assumptions: undefined, hooks: undefined });
    const kept = byContent.get(key);
    if (!kept) byContent.set(key, route);
    else if (route.assumptions) byContent.set(key, { ...kept, assumptions: assumptionsOf([kept.assumptions ?? [], route.assumptions]) });
  }
  const drafts = [...byContent.values()];
  drafts.sort((a, b) => compareText(a.path, b.path) || compareText(a.methods.join(), b.methods.join()) || compareText(a.file, b.file) || a.line - b.line || a.column - b.column);
  const counts = new Map<string, number>();
  return drafts.map((draft) => {
    const base = `${draft.framework}:${methodsLabel(draft)}:${draft.path}`;
    const n = (counts.get(base) ?? 0) + 1;
    counts.set(base, n);
    return { id: n === 1 ? base : `${base}#${n}`, ...draft, expensive: cost.signals(draft) };
  });
}

/**
 * A route declared in an installed package (an included third-party URLconf) is reported where the project
 * brings it in: at the innermost prefix the project's own code gives it, with where the package declares it
 * as evidence. Without such a prefix it stays at the package's line.
 */
function attributeToProject(routes: Route[], installedFiles: Set<string>): Route[] {
  return routes.map((route) => {
    if (!installedFiles.has(route.file)) return route;
    const include = [...route.prefixes].reverse().find((p) => !installedFiles.has(p.file));
    if (!include) return route;
    const declared = { file: route.file, line: route.line, message: `declared by an installed package at ${route.file}:${route.line}` };
    return { ...route, file: include.file, line: include.line, column: include.column ?? 1, evidence: [declared, ...route.evidence] };
  });
}

/**
 * Runs every enabled rule on every route; the config's severity for a rule replaces the rule's own choice.
 * Rules compare a route with `context`: every route of the project, also those outside the scan paths.
 */
export function runRules(routes: Route[], deployment: Deployment = { processes: 1 }, config: Config = DEFAULT_CONFIG, context = routes): Finding[] {
  const findings: Finding[] = [];
  const enabled = RULES.filter((rule) => config.rules[rule.id] !== 'off');
  for (const route of routes) {
    for (const rule of enabled) {
      const configured = config.rules[rule.id];
      rule.check(route, {
        routes: context,
        deployment,
        policy: config.policy,
        report: ({ messageId, data, severity, related }) =>
          findings.push({
            ruleId: rule.id,
            fingerprint: routeFingerprint(rule.id, route),
            severity: configured && configured !== 'off' ? configured : (severity ?? rule.severity),
            message: formatMessage(rule.messages[messageId], data),
            routeId: route.id,
            routeIds: [route.id],
            file: route.file,
            line: route.line,
            column: route.column,
            related: related ?? [],
          }),
      });
    }
  }
  return findings.sort(compareFindings);
}

function stats(files: number, skipped: Skipped[], routes: Route[], findings: Finding[], registrations: RegistrationCount): ScanResult['stats'] {
  const byStatus: Record<RouteSummary, number> = { limited: 0, partial: 0, unlimited: 0, exempt: 0, unknown: 0 };
  for (const r of routes) byStatus[summaryStatus(r)]++;
  const filesSkipped = skipped.filter((s) => !s.partial).length;
  const registrationSites = { total: registrations.total, resolved: registrations.resolved, unresolved: registrations.unresolved.length };
  return { filesScanned: files - filesSkipped, filesSkipped, routes: routes.length, byStatus, ...findingStats(findings), registrationSites };
}

/** The counts of findings: those that count, by severity, and those suppressed or baselined. */
function findingStats(findings: Finding[]): Pick<ScanResult['stats'], 'findings' | 'bySeverity' | 'suppressed' | 'baselined'> {
  const counted = findings.filter(counts);
  const bySeverity: Record<Severity, number> = { error: 0, warning: 0, note: 0 };
  for (const f of counted) bySeverity[f.severity]++;
  return { findings: counted.length, bySeverity, suppressed: findings.filter((f) => f.suppression).length, baselined: findings.filter((f) => f.baselined).length };
}
