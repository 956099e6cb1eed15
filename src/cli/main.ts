/**
 * The command line: `scan` (default), `routes`, `baseline`, `rules`, `explain`, `init`, `verify`, `simulate`. Reports go to stdout
 * (or --output), everything else to stderr. Exit codes: 0 no counted finding at or above --fail-on, 1 findings
 * or suppression problems (verify: a route that does not behave as scanned), 2 usage error or scan failure. `main` returns the code; bin/apiposture only sets
 * process.exitCode.
 */
import chalk, { type Chalk } from 'chalk';
import { Command, CommanderError, Option } from 'commander';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { KeptFacts, failsGate, scan, scanProject, type ScanOptions } from '../scan';
import { applyLineEdits, FIXABLE_RULES, planFixes, unifiedDiff, type FixPlan } from '../fix';
import type { Project } from '../python/project';
import { BaselineError, baselineJson, baselineOf, readBaseline } from '../baseline';
import { ConfigError, loadConfig, type Config } from '../config';
import { CACHE_DIR } from '../cache';
import { InitRefused, init } from '../init';
import { projectContext } from '../project-context';
import { jsonReport } from '../report/json';
import { markdownReport } from '../report/markdown';
import { htmlReport } from '../report/html';
import { sarifReport } from '../report/sarif';
import { summaryLine, textReport, type RouteListing, type TextOptions } from '../report/text';
import { printable } from '../report/printable';
import { fileProblem, readTextOrUndefined } from '../regular-file';
import { RULES, findRule } from '../../rules';
import { PROTECTION_STATUSES, counts, type ProtectionStatus, type ScanResult, type Severity } from '../model';
import { explainRoutes } from '../report/explain-route';
import { OpenApiError, checkOpenApi } from '../openapi';
import { DEFAULT_PROFILE, PROFILES, defineValue } from '../python/profile';
import { VERSION } from '../version';
import { ProjectWatcher } from '../watch';

import { VerifyRefused, refuseUnsafeTarget, routesOfReport, verify, verifyFailed, verifyJson, verifyText } from '../verify';
import { InvalidRate, SIMULATED_LIBRARIES, STRATEGY_NAMES, simulate, simulationText } from './simulate';

export interface Io {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: NodeJS.ProcessEnv;
  stdoutIsTTY: boolean;
  stderrIsTTY: boolean;
  stdoutColumns?: number; // a terminal's width, to fit text lines to
}

const processIo: Io = {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  env: process.env,
  stdoutIsTTY: Boolean(process.stdout.isTTY),
  stderrIsTTY: Boolean(process.stderr.isTTY),
  stdoutColumns: process.stdout.isTTY ? process.stdout.columns : undefined,
};

class UsageError extends Error {}

/** Writes a report or baseline the user named; a failure is a usage error naming the file as given. */
async function writeNamedFile(file: string, text: string): Promise<void> {
  await fs.writeFile(file, text).catch((error: unknown) => {
    throw new UsageError(`cannot write ${file}: ${fileProblem(error)}`);
  });
}

/** Counts of things (requests, threads) are whole: `--max-requests 1.5` would quietly send 2. */
function requirePositiveInteger(name: string, value: number | undefined): void {
  if (value !== undefined && !(Number.isInteger(value) && value > 0)) throw new UsageError(`${name} must be a positive integer`);
}

interface ScanTargetOptions {
  exclude: string[];
  profile?: string;
  define: string[];
  select?: string;
  ignore?: string;
  pythonPath?: string;
  quiet?: boolean;
  maxFileSize: number;
  jobs?: number;
  config?: string;
  category?: string;
  parseAll?: boolean;
  cache: boolean;
  cacheDir: string;
}

interface VerifyCliOptions {
  url: string;
  report?: string;
  route?: string;
  param: string[];
  maxRequests?: number;
  budget: number;
  timeout: number;
  allowRemote?: boolean;
  allowWrites?: boolean;
  format: 'text' | 'json';
}

type ReportFormat = 'text' | 'json' | 'sarif' | 'markdown' | 'html';
const REPORT_FORMATS: readonly ReportFormat[] = ['text', 'json', 'sarif', 'markdown', 'html'];

interface ReportOptions extends ScanTargetOptions {
  format: ReportFormat;
  output: string[];
  status?: string;
  explainRoute?: string;
  statistics?: boolean;
  openapi?: string;
  routes: RouteListing;
  failOn: Severity | 'none';
  color?: boolean;
  baseline?: string;
  strict?: boolean;
  watch?: boolean;
}

/** Where reports go (`-o sarif=x.sarif -o markdown=$GITHUB_STEP_SUMMARY`): a plain FILE takes the --format report. */
function outputsOf(options: ReportOptions): { format: ReportFormat; file: string; plain?: true }[] {
  return options.output.map((given) => {
    const [format, file] = given.split(/=(.*)/s);
    return REPORT_FORMATS.includes(format as ReportFormat) && file ? { format: format as ReportFormat, file } : { format: options.format, file: given, plain: true };
  });
}

/** chalk 4 never reads NO_COLOR, so the level is decided here: flag, NO_COLOR, FORCE_COLOR, then TTY. */
export function colorLevel(flag: boolean | undefined, env: NodeJS.ProcessEnv, isTTY: boolean): 0 | 1 {
  if (flag !== undefined) return flag ? 1 : 0;
  if (env.NO_COLOR) return 0;
  if (env.FORCE_COLOR !== undefined) return env.FORCE_COLOR === '0' || env.FORCE_COLOR === 'false' ? 0 : 1;
  return isTTY ? 1 : 0;
}

export async function main(argv: string[], io: Io = processIo): Promise<number> {
  let exitCode = 0;
  const program = new Command()
    .name('apiposture')
    .description('Finds the HTTP routes of Python web apps and tells which are rate limited.')
    .version(VERSION, '-V, --version')
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr, outputError: (text, write) => write(`apiposture: ${text.replace(/^error: /, '')}`) });

  const withScanOptions = (cmd: Command): Command =>
    cmd
      .option('--exclude <glob>', 'skip files or folders matching the glob (repeatable)', (v: string, acc: string[]) => [...acc, v], [] as string[])
      .option('--python-path <dir>', "the project's virtualenv or site-packages, read to resolve third-party code (default: .venv, venv, env at the project root, $VIRTUAL_ENV)")
      .option('--max-file-size <mb>', 'skip files larger than this many MB', (v: string) => Number(v), 2)
      .option('--jobs <n>', 'build facts from files on this many threads (at most the number of cores; default: one fewer, at least 1, leaving a core to parse ahead)', (v: string) => Number(v))
      .option('-c, --config <file>', 'configuration file (default: the nearest .apiposture.toml, or pyproject.toml with [tool.apiposture], from the scan paths up to the project or repository root)')
      .option('-q, --quiet', 'no progress or warnings on stderr; text omits note findings')
      .option('--parse-all', 'parse every file, also those no framework, limiter or project import links to (slower, same report)')
      .option('--cache-dir <dir>', 'keep facts of unchanged files here, relative to the project root', CACHE_DIR)
      .option('--no-cache', 'neither read nor write the cache')
      .addOption(new Option('--profile <name>', 'the deployment branches are decided for (default: production, or [profile] in the configuration)').choices(Object.keys(PROFILES)))
      .option('--define <name=value>', 'a value for a name branches test, e.g. DEBUG=true or ENV=staging (repeatable)', (v: string, acc: string[]) => [...acc, v], [] as string[]);

  const withReportOptions = (cmd: Command): Command =>
    withScanOptions(
      cmd
        .addOption(new Option('-f, --format <format>', 'report format').choices([...REPORT_FORMATS]).default('text'))
        .option('-o, --output <[format=]file>', 'write the report to a file instead of stdout; FORMAT=FILE writes one more report in that format (repeatable)', (v: string, acc: string[]) => [...acc, v], [] as string[]),
    )
      .option('--status <statuses>', 'only routes with these statuses (comma-separated: limited, unlimited, exempt, unknown) and their findings')
      .addOption(new Option('--routes <which>', 'text: which routes to list after the findings').choices(['all', 'open', 'none']).default('all'))
      .option('--color', 'force colored text output')
      .option('--no-color', 'disable colored text output');

  const scanTargets = async (paths: string[], options: ScanTargetOptions, more: Partial<ScanOptions> = {}): Promise<ScanResult> => (await scanWithProject(paths, options, more)).result;

  /** The paths to scan (`.` when none are given), each an existing file or folder. */
  const scanPaths = async (paths: string[]): Promise<string[]> => {
    const targets = paths.length ? paths : ['.'];
    for (const p of targets) {
      const stat = await fs.stat(p).catch(() => {
        const command = p === paths[0] && nearestCommand(p, program.commands.map((c) => c.name()));
        throw new UsageError(command ? `unknown command or path: ${p} (did you mean \`apiposture ${command}\`?)` : `path not found: ${p}`);
      });
      if (!stat.isFile() && !stat.isDirectory()) throw new UsageError(`not a file or folder: ${p}`);
    }
    return targets;
  };

  /** The scan, with its project unless `reuse` lets it answer with the last scan's stored result. */
  const scanWithProject = async (paths: string[], options: ScanTargetOptions, more: Partial<ScanOptions> = {}, reuse = false): Promise<{ result: ScanResult; project?: Project; config: Config }> => {
    const targets = await scanPaths(paths);
    if (options.category !== undefined && !options.category.trim()) throw new UsageError('--category must not be empty');
    if (!Number.isFinite(options.maxFileSize) || options.maxFileSize <= 0) throw new UsageError('--max-file-size must be a positive number');
    requirePositiveInteger('--jobs', options.jobs);
    const showProgress = io.stderrIsTTY && !options.quiet;
    const loaded = await loadConfig(projectContext(targets), options.config).catch((error: unknown) => {
      throw error instanceof ConfigError ? new UsageError(`invalid configuration: ${error.message}`) : error;
    });
    const config = withRuleSelection(loaded, options.select, options.ignore);
    const defines = Object.fromEntries(options.define.map((d) => {
      const at = d.indexOf('=');
      if (at < 1) throw new UsageError(`--define needs NAME=VALUE: ${d}`);
      return [d.slice(0, at), defineValue(d.slice(at + 1))];
    }));
    const profile = { name: options.profile ?? config.profile?.name ?? DEFAULT_PROFILE.name, defines: { ...config.profile?.defines, ...defines } };
    const scanOptions: ScanOptions = {
      ...more,
      paths: targets,
      config,
      profile,
      exclude: options.exclude,
      pythonPath: options.pythonPath,
      maxFileBytes: options.maxFileSize * 1024 * 1024,
      parseAll: options.parseAll || more.parseAll,
      cacheDir: options.cache ? options.cacheDir : undefined,
      jobs: options.jobs,
      onWarning: options.quiet ? undefined : (m) => io.stderr(`${showProgress ? '\r\x1b[K' : ''}warning: ${printable(m)}\n`),
      onProgress: showProgress ? (done, total) => io.stderr(`\r\x1b[Kparsing ${done}/${total} files`) : undefined,
    };
    const scanned = reuse ? { result: await scan(scanOptions) } : await scanProject(scanOptions);
    if (showProgress) io.stderr('\r\x1b[K');
    return { ...scanned, config };
  };

  /** The scan and its reports; with `keptFacts`, reading facts an earlier scan of this process kept (see watch). */
  const run = async (paths: string[], options: ReportOptions, routesOnly: boolean, keptFacts?: KeptFacts, reuse = true): Promise<number> => {
    const baseline = options.baseline === undefined ? undefined : await readBaseline(options.baseline).catch((error: unknown) => {
      throw error instanceof BaselineError ? new UsageError(error.message) : error;
    });
    // One scan, several reports; the --format one goes to stdout when no plain FILE is given.
    const outputs = outputsOf(options);
    const toStdout = !outputs.some((o) => 'plain' in o);
    const formats = [...outputs.map((o) => o.format), ...(toStdout ? [options.format] : [])];
    // SARIF results carry the edits `apiposture fix` would write: they need the project, not only a stored result.
    const wantsSarif = formats.includes('sarif');
    // Strict means every file accounted for, syntax errors included: so every file is parsed.
    const { result: scanned, project, config } = await scanWithProject(paths, options, { baseline, keptFacts, ...(options.strict && { parseAll: true }) }, reuse && !wantsSarif);
    const checked = options.openapi === undefined ? scanned : { ...scanned, openapi: await checkOpenApi(options.openapi, scanned.routes).catch((error: unknown) => {
      throw error instanceof OpenApiError ? new UsageError(`--openapi: ${error.message}`) : error;
    }) };
    const result = withStatuses(checked, options.status);
    const displayRoot = path.relative(process.cwd(), result.root).split(path.sep).join('/') || '.';
    const c = new chalk.Instance({ level: colorLevel(options.color, io.env, io.stdoutIsTTY) });
    if (options.explainRoute !== undefined) {
      const explained = explainRoutes(result, options.explainRoute, c);
      if (!explained) throw new UsageError(`no route matches --explain-route "${options.explainRoute}" (write it as METHOD PATH or PATH, with the path as the scan reports it)`);
      io.stdout(explained);
      return 0;
    }
    if (options.statistics) {
      io.stdout(ruleStatistics(result, c));
      return failsGate(result, options.failOn) ? 1 : 0;
    }
    // The lines findings point at are read only for a text report.
    const wantsText = formats.includes('text');
    const text: TextOptions = { routesOnly, quiet: options.quiet, displayRoot, routes: options.routes, ...(wantsText && { source: sourceLines(result) }) };
    const fixes = wantsSarif ? planFixes(result, project!, config.policy).byFinding : undefined;
    if (toStdout) io.stdout(render(result, options, displayRoot, { ...text, width: io.stdoutColumns }, c, fixes));
    for (const { format, file } of outputs) await writeNamedFile(file, render(result, { ...options, format }, displayRoot, text, new chalk.Instance({ level: 0 }), fixes));
    const gaps = options.strict ? incompleteness(result) : [];
    for (const gap of gaps) io.stderr(`apiposture: --strict: ${printable(gap)}\n`);
    if (gaps.length) return 2;
    return failsGate(result, options.failOn) ? 1 : 0;
  };

  /**
   * `--watch`: the scan, then again after each change to a file of the project, until Ctrl-C; answers the last
   * scan's exit code. The first scan reads every module's facts (no stored result), and they stay in memory: a
   * scan after an edit reads from the cache only what changed, in a process whose code V8 has compiled already.
   * A scan that fails (a configuration edited into an invalid one) says why, and the watch goes on.
   */
  const watchAndRun = async (paths: string[], options: ReportOptions, routesOnly: boolean): Promise<number> => {
    const targets = await scanPaths(paths);
    const { root, configDirs, outerDirs } = projectContext(targets);
    const ownWrites = [...(options.cache ? [path.resolve(root, options.cacheDir)] : []), ...outputsOf(options).map((o) => path.resolve(o.file))];
    // Files the scan reads beside those below the root: files given by name (in a folder scans skip, say), the
    // configuration looked for above the root, and the files options name.
    const namedFolders: string[] = [];
    for (const file of [...targets, options.config, options.baseline, options.openapi]) {
      const isFolder = file !== undefined && (await fs.stat(file).catch(() => undefined))?.isDirectory();
      if (file !== undefined && !isFolder) namedFolders.push(path.dirname(path.resolve(file)));
    }
    const watcher = new ProjectWatcher(root, ownWrites, [...configDirs, ...outerDirs, ...namedFolders]);
    const keptFacts = new KeptFacts();
    let stop = (): void => undefined;
    const stopped = new Promise<undefined>((resolve) => (stop = () => resolve(undefined)));
    process.once('SIGINT', stop).once('SIGTERM', stop);
    const nextChange = (): Promise<string | undefined> => Promise.race([stopped, watcher.nextChange()]); // Ctrl-C during a scan wins over changes made meanwhile
    let exit = 0;
    const scanAgain = async (first: boolean): Promise<void> => {
      const unwatched = watcher.refresh();
      if (unwatched) io.stderr(`warning: ${printable(unwatched)}\n`);
      try {
        exit = await run(paths, options, routesOnly, keptFacts, !first);
      } catch (error) {
        if (first || !(error instanceof UsageError)) throw error;
        io.stderr(`apiposture: ${printable(error.message)}\n`);
        exit = 2;
      }
      if (!options.quiet) io.stderr(`apiposture: watching ${watcher.folders} folders of ${printable(root)} for changes (Ctrl-C stops)\n`);
    };
    try {
      await scanAgain(true);
      for (let change = await nextChange(); change !== undefined; change = await nextChange()) {
        io.stderr(`apiposture: ${printable(path.relative(process.cwd(), change) || '.')} changed, scanning again\n`);
        await scanAgain(false);
      }
    } finally {
      watcher.close();
      process.off('SIGINT', stop).off('SIGTERM', stop);
    }
    return exit;
  };

  withReportOptions(
    program
      .command('scan', { isDefault: true })
      .description('scan Python sources: routes, their rate limits, and findings')
      .argument('[paths...]', 'files or directories (default: .)'),
  )
    .addOption(new Option('--fail-on <severity>', 'exit 1 when a finding has at least this severity').choices(['error', 'warning', 'note', 'none']).default('warning'))
    .option('--baseline <file>', 'findings in this baseline (apiposture baseline) are known: only new ones fail')
    .option('--category <name>', 'SARIF automationDetails.id: GitHub keeps one analysis per category (e.g. one per app of a monorepo)')
    .option('--strict', 'exit 2 when a file was skipped or a route path could not be resolved (after writing the report); parses every file')
    .option('--select <rules>', 'only these rules (comma-separated ids, e.g. AP001,AP004)')
    .option('--ignore <rules>', 'not these rules (comma-separated ids)')
    .option('--explain-route <route>', 'print the whole reasoning for the routes named "METHOD PATH" or "PATH" instead of the report')
    .option('--statistics', 'print how many findings each rule has instead of the report')
    .option('--openapi <file>', 'compare the routes with this OpenAPI or Swagger document (JSON or YAML): operations missing on either side, 429s documented or not')
    .addHelpText('after', `
Examples:
  $ apiposture scan ./src
  $ apiposture scan . --format sarif --output apiposture.sarif
  $ apiposture scan services/billing --format sarif --category billing
  $ apiposture scan app/ --fail-on error --exclude tests`)
    .option('--watch', 'scan again after each change to a file of the project, until Ctrl-C (facts of unchanged files stay in memory)')
    .action(async (paths: string[], options: ReportOptions) => {
      exitCode = options.watch ? await watchAndRun(paths, options, false) : await run(paths, options, false);
    });

  withReportOptions(
    program
      .command('routes')
      .description('list the route inventory with each route\'s protection (no rules, exit 0)')
      .argument('[paths...]', 'files or directories (default: .)'),
  )
    .addHelpText('after', `
Examples:
  $ apiposture routes ./src
  $ apiposture routes . --format json`)
    .action(async (paths: string[], options: ReportOptions) => {
      exitCode = await run(paths, { ...options, failOn: 'none' }, true);
    });

  withScanOptions(
    program
      .command('baseline')
      .description('write the current findings to a baseline file, so that `scan --baseline` fails only on new ones')
      .argument('[paths...]', 'files or directories (default: .)'),
  )
    .option('-o, --output <file>', 'baseline file', '.apiposture-baseline.json')
    .action(async (paths: string[], options: ScanTargetOptions & { output: string }) => {
      const result = await scanTargets(paths, options);
      const baseline = baselineOf(result.findings, result.routes);
      await writeNamedFile(options.output, baselineJson(baseline));
      if (!options.quiet) io.stderr(`wrote ${baseline.entries.length} baseline entries to ${options.output}\n`);
    });

  withScanOptions(
    program
      .command('fix')
      .description('write the smallest edits that limit each unguarded route (AP001) and move misplaced limit decorators (AP004), with the project\'s own limiter')
      .argument('[paths...]', 'files or directories (default: .)'),
  )
    .option('--route <route>', 'only this route, as listed: "POST /login" (repeatable)', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option('--rule <ids>', `only the findings of these rules, comma-separated (default: ${FIXABLE_RULES.join(',')})`, (v: string) => v.split(',').map((id) => id.trim().toUpperCase()))
    .addOption(new Option('--diff', 'print the edits as a unified diff (the default)').conflicts('write'))
    .option('--write', 'apply the edits')
    .addHelpText('after', `
Each route gets a limit in the project's own idiom: Flask-Limiter and slowapi \`@limiter.limit("<rate>")\`
above the view's def (a misplaced limit decorator moves there), DRF throttle classes, django-ratelimit
\`@ratelimit(...)\`, fastapi-limiter 0.1 \`Depends(RateLimiter(...))\`; an app without a limiter gets the
framework's usual one. The rate is the policy's (auth-max-per-minute for auth-sensitive routes, default-rate for
the others, plus messaging-per-day a day on routes that send email or SMS). Other routes are listed with why
they were left alone.

Examples:
  $ apiposture fix ./app                 # show the diff
  $ apiposture fix ./app --write         # apply it
  $ apiposture fix . --route "POST /login" --write`)
    .action(async (paths: string[], options: ScanTargetOptions & { route: string[]; rule?: string[]; write?: boolean }) => {
      const unknownRule = options.rule?.find((id) => !FIXABLE_RULES.includes(id));
      if (unknownRule) throw new UsageError(`--rule ${unknownRule}: fix writes edits for ${FIXABLE_RULES.join(' and ')} only`);
      const { result, project, config } = await scanWithProject(paths, options);
      const plan = planFixes(result, project!, config.policy, options.route, options.rule);
      const files = applyLineEdits(result.root, plan.edits);
      for (const [file, { before, after, created }] of files) {
        if (options.write) await writeNamedFile(path.join(result.root, file), after);
        else io.stdout(unifiedDiff(file, before, plan.edits, created));
      }
      for (const n of plan.notFixed) io.stderr(`not fixed: ${n.route} (${n.file}:${n.line}): ${n.why}\n`);
      for (const library of plan.newDependencies) io.stderr(`the edits add a ${library} limiter: add ${library} to the project's dependencies (pip install ${library})\n`);
      const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
      if (!options.quiet) io.stderr(`${plural(plan.edits.length, 'line edit')} ${options.write ? 'written' : 'to make'} in ${plural(files.size, 'file')}; ${plural(plan.notFixed.length, 'route')} not fixed\n`);
    });

  program
    .command('rules')
    .description('list the rules')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'json']).default('text'))
    .action((options: { format: string }) => {
      if (options.format === 'json') {
        io.stdout(`${JSON.stringify(RULES.map(({ check: _check, ...meta }) => meta), null, 2)}\n`);
        return;
      }
      const width = Math.max(...RULES.map((r) => r.name.length));
      for (const r of RULES) io.stdout(`${r.id}  ${r.name.padEnd(width)}  ${r.severity.padEnd(8)} ${r.summary}\n`);
    });

  program
    .command('explain')
    .description('print the documentation of one rule')
    .argument('<rule>', 'rule id or name, e.g. AP001')
    .action((id: string) => {
      const rule = findRule(id);
      if (!rule) throw new UsageError(`unknown rule: ${id} (see \`apiposture rules\`)`);
      const fence = (code: string): string => `\`\`\`python\n${code.trimEnd()}\n\`\`\``;
      const others = (rule.otherFrameworks ?? []).map((e) => `\n## Example (${e.framework})\n${fence(e.bad)}\n\n## Use instead (${e.framework})\n${fence(e.good)}\n`);
      io.stdout(`# ${rule.name} (${rule.id})\n\n${rule.docs}\n${others.join('')}`);
    });

  program
    .command('init')
    .description('write .apiposture.toml and a GitHub Actions workflow (code scanning upload and CI gate)')
    .argument('[dir]', 'the repository root', '.')
    .option('--force', 'overwrite existing files')
    .action(async (dir: string, options: { force?: boolean }) => {
      const written = await init(dir, Boolean(options.force)).catch((error: unknown) => {
        throw error instanceof InitRefused ? new UsageError(error.message) : error;
      });
      for (const file of written) io.stdout(`wrote ${path.join(dir, file).split(path.sep).join('/')}\n`);
    });


  // verify: a burst against a running app per route, judged against the scan (exit 1 on any mismatch).
  withScanOptions(
    program
      .command('verify')
      .description('check a running app against the scan: limited routes reject where predicted, unlimited ones never do')
      .argument('[paths...]', 'scan these instead of reading --report (default: .)'),
  )
    .requiredOption('--url <url>', 'the running app, e.g. http://127.0.0.1:5000 (loopback only unless --allow-remote)')
    .option('--report <file>', 'take the routes from this JSON report (apiposture scan -f json)')
    .option('--route <route>', 'only this route, as "METHOD PATH" (e.g. "POST /login")')
    .option('--param <name=value>', 'a value for a path parameter (repeatable)', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option('--max-requests <n>', 'requests per route at most (default: twice the predicted count plus 5; 20 for unlimited routes)', (v: string) => Number(v))
    .option('--budget <seconds>', 'time for all requests together', (v: string) => Number(v), 60)
    .option('--timeout <seconds>', 'time for one request', (v: string) => Number(v), 10)
    .option('--allow-remote', 'allow a host that is not loopback')
    .option('--allow-writes', 'also send methods other than GET, HEAD and OPTIONS')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'json']).default('text'))
    .addHelpText('after', `
Examples:
  $ apiposture verify --url http://127.0.0.1:5000 app/
  $ apiposture verify --url http://127.0.0.1:5000 --report scan.json --route "POST /login" --allow-writes`)
    .action(async (paths: string[], options: ScanTargetOptions & VerifyCliOptions) => {
      let url: URL;
      try {
        url = new URL(options.url);
      } catch {
        throw new UsageError('--url is not a URL (write it as http://127.0.0.1:5000)'); // not echoed: it may hold a password
      }
      const params = Object.fromEntries(options.param.map((p) => {
        const at = p.indexOf('=');
        if (at < 1) throw new UsageError(`--param needs name=value: ${p}`);
        return [p.slice(0, at), p.slice(at + 1)];
      }));
      requirePositiveInteger('--max-requests', options.maxRequests);
      for (const [name, value] of [['--budget', options.budget], ['--timeout', options.timeout]] as const) {
        if (value !== undefined && !(value > 0 && Number.isFinite(value))) throw new UsageError(`${name} must be a positive number`);
      }
      if (options.report !== undefined && paths.length) throw new UsageError('give --report or paths, not both');
      try {
        refuseUnsafeTarget(url, Boolean(options.allowRemote)); // before anything is scanned or sent
        const routes = options.report !== undefined
          ? routesOfReport(await fs.readFile(options.report, 'utf8').catch((error: unknown) => { throw new UsageError(`cannot read ${options.report}: ${fileProblem(error)}`); }), options.report)
          : (await scanTargets(paths, options)).routes;
        const result = await verify(routes, {
          url,
          allowRemote: Boolean(options.allowRemote),
          route: options.route,
          params,
          maxRequests: options.maxRequests,
          allowWrites: Boolean(options.allowWrites),
          budgetMs: options.budget * 1000,
          requestTimeoutMs: options.timeout * 1000,
        });
        io.stdout(options.format === 'json' ? verifyJson(result) : verifyText(result));
        exitCode = verifyFailed(result) ? 1 : 0;
      } catch (error) {
        throw error instanceof VerifyRefused ? new UsageError(error.message) : error;
      }
    });

  program
    .command('simulate')
    .description('run rate strings through the reference limiter: their reading, sustained rate and the attacker\'s worst case')
    .argument('<rates...>', 'e.g. "5/minute;1/second"; several strings count the same requests (stacked decorators, default and route limits)')
    .addOption(new Option('--library <library>', 'whose grammar and default algorithm').choices(SIMULATED_LIBRARIES).default('flask-limiter'))
    .addOption(new Option('--strategy <strategy>', 'counting algorithm (default: the library\'s)').choices(Object.keys(STRATEGY_NAMES)))
    .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'json']).default('text'))
    .addHelpText('after', `
Examples:
  $ apiposture simulate "5/minute"
  $ apiposture simulate "5/minute" "1/second"
  $ apiposture simulate "5/M" --library django-ratelimit --format json`)
    .action(async (rates: string[], options: { library: string; strategy?: string; format: string }) => {
      const result = await simulate(rates, options.library, options.strategy ? STRATEGY_NAMES[options.strategy] : undefined).catch((error: unknown) => {
        throw error instanceof InvalidRate ? new UsageError(`invalid rate: ${error.message}`) : error;
      });
      io.stdout(options.format === 'json' ? `${JSON.stringify(result, null, 2)}\n` : simulationText(result));
    });

  // A bad option value: one line saying what is wrong, then the command's usage line (not the whole help).
  for (const command of [program, ...program.commands]) {
    const name = command === program ? 'apiposture' : `apiposture ${command.name()}`;
    command.showHelpAfterError(`usage: ${name} ${command.usage()} (see ${name} --help)`);
  }

  try {
    await program.parseAsync(argv);
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help' ? 0 : 2;
    }
    if (error instanceof UsageError) {
      io.stderr(`apiposture: ${printable(error.message)}\n`);
      return 2;
    }
    io.stderr(`apiposture: internal error: ${printable((error as Error).message)}\n`);
    if (io.env.APIPOSTURE_DEBUG) io.stderr(`${(error as Error).stack}\n`);
    return 2;
  }
}

/** The configuration with `--select`/`--ignore` applied: a rule left out is off, as `AP009 = "off"` would make it. */
function withRuleSelection(config: Config, select: string | undefined, ignore: string | undefined): Config {
  if (select === undefined && ignore === undefined) return config;
  const ids = (list: string | undefined, option: string): string[] | undefined =>
    list?.split(',').map((id) => {
      const rule = findRule(id.trim());
      if (!rule) throw new UsageError(`${option}: unknown rule ${id.trim()} (see \`apiposture rules\`)`);
      return rule.id;
    });
  const selected = ids(select, '--select');
  const ignored = ids(ignore, '--ignore') ?? [];
  const off = RULES.filter((r) => (selected && !selected.includes(r.id)) || ignored.includes(r.id));
  return { ...config, rules: { ...config.rules, ...Object.fromEntries(off.map((r) => [r.id, 'off' as const])) } };
}

/** Only the routes with the given statuses, and the findings on them; totals still describe the whole scan. */
function withStatuses(result: ScanResult, statuses: string | undefined): ScanResult {
  if (statuses === undefined) return result;
  const wanted = statuses.split(',').map((s) => s.trim());
  const unknown = wanted.find((s) => !PROTECTION_STATUSES.includes(s as ProtectionStatus));
  if (unknown !== undefined) throw new UsageError(`--status: ${unknown} is none of ${PROTECTION_STATUSES.join(', ')}`);
  const routes = result.routes.filter((r) => wanted.includes(r.status));
  const ids = new Set(routes.map((r) => r.id));
  return { ...result, routes, findings: result.findings.filter((f) => f.routeIds.some((id) => ids.has(id))) };
}

/** `--statistics`: counted findings per rule, most first, then the summary line. */
function ruleStatistics(result: ScanResult, c: Chalk): string {
  const perRule = new Map<string, number>();
  for (const f of result.findings.filter(counts)) perRule.set(f.ruleId, (perRule.get(f.ruleId) ?? 0) + 1);
  const rows = [...perRule].sort(([a, n], [b, m]) => m - n || (a < b ? -1 : 1)).map(([id, n]) => {
    const rule = findRule(id);
    return `${String(n).padStart(5)}  ${id}  ${(rule?.name ?? '').padEnd(36)} ${rule?.summary ?? ''}`.trimEnd();
  });
  return `${[...rows, '', summaryLine(result, c)].join('\n')}\n`;
}

/** The command a mistyped word was probably meant to be (at most two edits away), for a path that does not exist. */
function nearestCommand(word: string, commands: string[]): string | undefined {
  if (/[/\\.]/.test(word)) return undefined;
  const distance = (a: string, b: string): number => {
    let row = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
      const next = [i];
      for (let j = 1; j <= b.length; j++) next.push(Math.min(row[j] + 1, next[j - 1] + 1, row[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1)));
      row = next;
    }
    return row[b.length];
  };
  return commands.map((name) => ({ name, d: distance(word, name) })).filter((c) => c.d <= 2).sort((a, b) => a.d - b.d)[0]?.name;
}

/** What makes a scan incomplete for `--strict`: skipped or partly analysed files, routes with unresolved paths, unresolved registrations. */
function incompleteness(result: ScanResult): string[] {
  const unresolved = result.routes.filter((r) => r.unresolved.length);
  return [
    ...result.skipped.map((s) => `${s.file}: ${s.partial ? 'partly analysed' : 'skipped'}: ${s.reason}`),
    ...unresolved.map((r) => `${r.file}:${r.line}: route path not resolved: ${r.unresolved.join('; ')}`),
    ...result.unresolvedRegistrations.map((r) => `${r.file}:${r.line}: \`${r.call}\` registers routes that were not resolved: ${r.reason}`),
  ];
}

function render(result: ScanResult, options: ReportOptions, displayRoot: string, text: TextOptions, c: Chalk, fixes?: FixPlan['byFinding']): string {
  const { routesOnly } = text;
  if (options.format === 'json') return jsonReport(result, displayRoot, { routesOnly });
  if (options.format === 'sarif') return sarifReport(result, { category: options.category, rootUri: displayRoot, fixes });
  if (options.format === 'markdown') return markdownReport(result, { routesOnly });
  if (options.format === 'html') return htmlReport(routesOnly ? { ...result, findings: [] } : result, { displayRoot }); // `routes`: the inventory only
  return textReport(result, c, text);
}

/** The lines findings point at, read once per file (regular files only, as everything the scan reads). */
function sourceLines(result: ScanResult): (file: string, line: number) => string | undefined {
  const files = new Map<string, string[]>();
  for (const file of new Set(result.findings.map((f) => f.file))) {
    const text = readTextOrUndefined(path.join(result.root, file));
    if (text !== undefined) files.set(file, text.split(/\r?\n/));
  }
  return (file, line) => files.get(file)?.[line - 1];
}
