/**
 * SARIF 2.1.0 for GitHub code scanning: rule descriptors from rule metadata, results with relative URIs
 * under `%SRCROOT%`, related locations (evidence), a route-keyed fingerprint that survives moved code,
 * and skipped files as tool execution notifications. Spec: https://docs.oasis-open.org/sarif/sarif/v2.1.0/
 */
import type * as Sarif from 'sarif';
import type { Finding, ScanResult } from '../model';
import { RULES } from '../../rules';
import { helpUri } from '../../rules/types';
import { INFORMATION_URI, TOOL_NAME, VERSION } from '../version';

const SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';

export function ruleDescriptors(): Sarif.ReportingDescriptor[] {
  return [...RULES]
    .sort((a, b) => (a.id < b.id ? -1 : 1))
    .map((rule) => ({
      id: rule.id,
      name: rule.name,
      shortDescription: { text: rule.summary },
      fullDescription: { text: firstParagraph(rule.docs) },
      help: { text: rule.docs, markdown: rule.docs },
      helpUri: helpUri(rule),
      defaultConfiguration: { level: rule.severity },
      properties: { tags: rule.tags, precision: rule.precision, 'security-severity': rule.securitySeverity.toFixed(1) },
    }));
}

function firstParagraph(markdown: string): string {
  return markdown.split('\n\n').find((p) => !p.startsWith('#'))?.replace(/^## .*\n/, '') ?? markdown;
}

function location(file: string, line: number, column?: number, message?: string): Sarif.Location {
  const loc: Sarif.Location = {
    physicalLocation: {
      artifactLocation: { uri: encodeURI(file), uriBaseId: '%SRCROOT%' },
      region: { startLine: line, ...(column ? { startColumn: column } : {}) },
    },
  };
  if (message) loc.message = { text: message };
  return loc;
}

function result(finding: Finding, ruleIndex: number): Sarif.Result {
  const res: Sarif.Result = {
    ruleId: finding.ruleId,
    ruleIndex,
    level: finding.severity,
    message: { text: finding.message },
    locations: [location(finding.file, finding.line, finding.column)],
  };
  if (finding.related.length) {
    res.relatedLocations = finding.related.map((r, id) => ({ id, ...location(r.file, r.line, undefined, r.message) }));
  }
  res.partialFingerprints = { 'apiposture/route/v1': finding.fingerprint };
  return res;
}

export function sarifReport(scan: ScanResult): string {
  const rules = ruleDescriptors();
  const log: Sarif.Log = {
    $schema: SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: TOOL_NAME, version: VERSION, semanticVersion: VERSION, informationUri: INFORMATION_URI, rules } },
        invocations: [
          {
            executionSuccessful: true,
            toolExecutionNotifications: scan.skipped.map((s) => ({
              level: s.partial ? 'note' : 'warning',
              message: { text: `${s.partial ? 'Partially analysed' : 'Skipped'}: ${s.reason}` },
              locations: [location(s.file, 1)],
            })),
          },
        ],
        originalUriBaseIds: { '%SRCROOT%': { description: { text: 'The scan root' } } },
        results: scan.findings.map((f) => result(f, rules.findIndex((r) => r.id === f.ruleId))),
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}
