/**
 * SARIF 2.1.0 for GitHub code scanning: rule descriptors from rule metadata, results with relative URIs
 * under `%SRCROOT%`, related locations (evidence), two fingerprints (the route-keyed one survives moved
 * code, GitHub's line hash matches what its upload computes), suppressions, and skipped files as tool
 * execution notifications. Stays within GitHub's upload limits: one run, at most 25,000 results.
 * Spec: https://docs.oasis-open.org/sarif/sarif/v2.1.0/
 */
import type { LineEdit } from '../fix';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type * as Sarif from 'sarif';
import { SEVERITY_RANK, counts, type Finding, type ScanResult } from '../model';
import { RULES } from '../../rules';
import { helpUri, whatItDoes } from '../../rules/types';
import { INFORMATION_URI, TOOL_NAME, VERSION } from '../version';
import { lineHashes } from './line-hash';

const SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';

/** GitHub rejects a run with more results than this. */
export const GITHUB_MAX_RESULTS = 25_000;

export interface SarifOptions {
  category?: string; // --category: GitHub keeps one analysis per category (one per app of a monorepo)
  maxResults?: number; // tests lower it; GitHub's limit otherwise
  rootUri?: string; // the scan root relative to the checkout (the working directory), e.g. `apps/shop`: code scanning resolves paths from there
  fixes?: ReadonlyMap<Finding, LineEdit[]>; // what `apiposture fix` would write for a finding (fix.ts)
}

export function ruleDescriptors(): Sarif.ReportingDescriptor[] {
  return [...RULES]
    .sort((a, b) => (a.id < b.id ? -1 : 1))
    .map((rule) => ({
      id: rule.id,
      name: rule.name,
      shortDescription: { text: rule.summary },
      fullDescription: { text: whatItDoes(rule) },
      help: { text: rule.docs, markdown: rule.docs },
      helpUri: helpUri(rule),
      defaultConfiguration: { level: rule.severity },
      properties: { tags: rule.tags, precision: rule.precision, 'security-severity': rule.securitySeverity.toFixed(1) },
    }));
}

/** GitHub's automation id `category/`: like codeql-action's `category` input, a slash is appended, so `apps/shop` stays one category. */
export function automationId(category: string): string {
  return category.endsWith('/') ? category : `${category}/`;
}

function location(root: string, file: string, line: number, column?: number, message?: string): Sarif.Location {
  const loc: Sarif.Location = {
    physicalLocation: {
      artifactLocation: { uri: encodeURI(root ? `${root}/${file}` : file), uriBaseId: '%SRCROOT%' },
      region: { startLine: line, ...(column ? { startColumn: column } : {}) },
    },
  };
  if (message) loc.message = { text: message };
  return loc;
}

/** Line hashes per file of the scan root, each file read once; absent when the file cannot be read. */
function lineHashReader(root: string): (file: string, line: number) => string | undefined {
  const byFile = new Map<string, string[] | undefined>();
  return (file, line) => {
    if (!byFile.has(file)) {
      try {
        byFile.set(file, lineHashes(readFileSync(path.join(root, file), 'utf8')));
      } catch {
        byFile.set(file, undefined);
      }
    }
    return byFile.get(file)?.[line - 1];
  };
}

// Related locations linked from a message; GitHub shows the others in the alert's list only.
const LINKED = 10;

/**
 * GitHub code scanning links a related location only where the message embeds it as `[text](id)`: the
 * routes a cause affects, or the lines a route's verdict rests on.
 */
function relatedLinks(finding: Finding): string {
  if (!finding.related.length) return '';
  const escape = (text: string): string => text.replace(/[[\]\\]/g, '\\$&');
  const links = finding.related.slice(0, LINKED).map((r, i) => `[${escape(`${r.file}:${r.line}`)}](${i + 1})`);
  const more = finding.related.length - links.length;
  const stop = /[.!?]$/.test(finding.message) ? '' : '.';
  return `${stop} See ${links.join(', ')}${more > 0 ? ` and ${more} more` : ''}.`;
}

function result(finding: Finding, ruleIndex: number, lineHash: string | undefined, withBaseline: boolean, root: string, assumed: string[], edits?: LineEdit[]): Sarif.Result {
  const res: Sarif.Result = {
    ruleId: finding.ruleId,
    ruleIndex,
    level: finding.severity,
    message: { text: finding.message + relatedLinks(finding) },
    locations: [location(root, finding.file, finding.line, finding.column)],
  };
  if (finding.related.length) {
    res.relatedLocations = finding.related.map((r, i) => ({ id: i + 1, ...location(root, r.file, r.line, undefined, r.message) }));
  }
  res.partialFingerprints = { 'apiposture/route/v1': finding.fingerprint, ...(lineHash ? { primaryLocationLineHash: lineHash } : {}) };
  if (finding.suppression) {
    const { kind, justification, file, line } = finding.suppression;
    res.suppressions = [{ kind, status: 'accepted', justification, location: location(root, file, line) }];
  }
  if (withBaseline) res.baselineState = finding.baselined ? 'unchanged' : 'new';
  if (edits?.length) res.fixes = [sarifFix(edits, root)];
  if (assumed.length) res.properties = { assumptions: assumed };
  return res;
}

/** What the routes of each finding rest on (`route.assumptions`), as `text (file:line)`. */
function assumedByFinding(scan: ScanResult): (finding: Finding) => string[] {
  const byRoute = new Map(scan.routes.map((r) => [r.id, (r.assumptions ?? []).map((a) => `${a.text} (${a.file}:${a.line})`)]));
  return (finding) => [...new Set(finding.routeIds.flatMap((id) => byRoute.get(id) ?? []))];
}

/** `apiposture fix`'s line edits as one SARIF fix: an insertion replaces an empty region, a removal a whole line. */
function sarifFix(edits: LineEdit[], root: string): Sarif.Fix {
  const files = [...new Set(edits.map((e) => e.file))];
  return {
    description: { text: 'Apply the edits `apiposture fix` writes' },
    artifactChanges: files.map((file) => ({
      artifactLocation: location(root, file, 1).physicalLocation!.artifactLocation!,
      replacements: edits.filter((e) => e.file === file).map((e) =>
        'text' in e
          ? { deletedRegion: { startLine: e.before, startColumn: 1, endLine: e.before, endColumn: 1 }, insertedContent: { text: `${e.text}\n` } }
          : { deletedRegion: { startLine: e.before, startColumn: 1, endLine: e.before + 1, endColumn: 1 } },
      ),
    })),
  };
}

/** The findings GitHub will take: counted ones (neither suppressed nor baselined) first, then by severity, then in report order; report order kept. */
function withinLimit(findings: Finding[], max: number): Finding[] {
  if (findings.length <= max) return findings;
  const rank = (f: Finding): number => (counts(f) ? 10 : 0) + SEVERITY_RANK[f.severity];
  const kept = new Set(findings.map((f, index) => ({ f, index })).sort((a, b) => rank(b.f) - rank(a.f) || a.index - b.index).slice(0, max).map(({ f }) => f));
  return findings.filter((f) => kept.has(f));
}

export function sarifReport(scan: ScanResult, options: SarifOptions = {}): string {
  const rules = ruleDescriptors();
  const max = options.maxResults ?? GITHUB_MAX_RESULTS;
  const findings = withinLimit(scan.findings, max);
  const dropped = scan.findings.length - findings.length;
  const lineHash = lineHashReader(scan.root);
  const assumed = assumedByFinding(scan);
  // A root outside the checkout cannot be expressed relative to it: paths stay relative to the scan root.
  const root = options.rootUri && options.rootUri !== '.' && !options.rootUri.startsWith('..') ? options.rootUri.replace(/\/+$/, '') : '';
  const notifications: Sarif.Notification[] = scan.skipped.map((s) => ({
    level: s.partial ? 'note' : 'warning',
    message: { text: `${s.partial ? 'Partially analysed' : 'Skipped'}: ${s.reason}` },
    locations: [location(root, s.file, 1)],
  }));
  for (const r of scan.unresolvedRegistrations) {
    notifications.push({ level: 'warning', message: { text: `\`${r.call}\` registers routes that were not resolved: ${r.reason}` }, locations: [location(root, r.file, r.line, r.column)] });
  }
  for (const a of scan.project.assumptions) {
    notifications.push({ level: 'note', message: { text: `Assumed: ${a.text}` }, locations: [location(root, a.file, a.line)] });
  }
  for (const problem of scan.suppressionProblems) {
    notifications.push({ level: 'warning', message: { text: problem.message }, locations: [location(root, problem.file, problem.line)] });
  }
  if (dropped) {
    notifications.push({ level: 'warning', message: { text: `${dropped} of ${scan.findings.length} results left out: GitHub code scanning accepts at most ${max} per run (the least severe were dropped)` } });
  }
  const run: Sarif.Run = {
    tool: { driver: { name: TOOL_NAME, version: VERSION, semanticVersion: VERSION, informationUri: INFORMATION_URI, rules } },
    invocations: [{ executionSuccessful: true, toolExecutionNotifications: notifications }],
    originalUriBaseIds: { '%SRCROOT%': { description: { text: root ? 'The working directory of the scan (the checkout)' : 'The scan root' } } },
    results: findings.map((f) => result(f, rules.findIndex((r) => r.id === f.ruleId), lineHash(f.file, f.line), scan.staleBaseline !== undefined, root, assumed(f), options.fixes?.get(f))),
  };
  if (options.category !== undefined) run.automationDetails = { id: automationId(options.category) };
  const log: Sarif.Log = { $schema: SCHEMA, version: '2.1.0', runs: [run] };
  return `${JSON.stringify(log, null, 2)}\n`;
}
