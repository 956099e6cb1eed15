/**
 * The contract every rule module follows. Its metadata is the single source for `apiposture rules`,
 * `apiposture explain`, SARIF rule descriptors and the README rule table.
 */
import type { Evidence, Route, Severity } from '../src/model';
import type { Deployment } from '../src/deployment';
import type { Policy } from '../src/config';

export interface RuleReport<M extends string> {
  messageId: M;
  data?: Record<string, string>;
  severity?: Severity; // overrides the default, e.g. from the route's risk class
  related?: Evidence[];
}

export interface RuleContext<M extends string> {
  report(report: RuleReport<M>): void;
  routes: readonly Route[]; // every route of the scan, for rules that compare routes
  deployment: Deployment; // how many processes serve the app, from deployment files
  policy: Policy; // thresholds, from defaults and the user's config
}

export interface Rule<M extends string = string> {
  id: string; // APxxx, never reused
  name: string; // kebab-case, equals the file name
  severity: Severity; // default SARIF level
  securitySeverity: number; // CodeQL-style 0.0–10.0
  precision: 'very-high' | 'high' | 'medium' | 'low';
  perCause?: boolean; // the cause is app- or project-wide (a limiter's settings): one finding at the cause, listing the routes
  tags: string[];
  summary: string; // one line
  docs: string; // markdown: What it does / Why is this bad? / Example / Use instead / References
  examples: { bad: string; good: string }; // the docs' own (Flask), run by the tests
  otherFrameworks?: { framework: string; bad: string; good: string }[]; // `explain` shows them too; run by the tests
  messages: Record<M, string>; // `{{name}}` placeholders
  check(route: Route, context: RuleContext<M>): void;
}

export function defineRule<M extends string>(rule: Rule<M>): Rule<M> {
  return rule;
}

/** The README anchor a rule's help links to. */
export function helpUri(rule: Rule): string {
  return `https://github.com/apiposture/apiposture#${rule.id.toLowerCase()}-${rule.name}`;
}

/** The "What it does" section of a rule's docs: the README's rule section and SARIF's fullDescription. */
export function whatItDoes(rule: Rule): string {
  return rule.docs.split(/^## /m).find((part) => part.startsWith('What it does'))?.replace(/^What it does\n/, '').trim() ?? rule.summary;
}

export function formatMessage(template: string, data: Record<string, string> = {}): string {
  return template.replace(/\{\{(\w+)\}\}/g, (_, key: string) => data[key] ?? `{{${key}}}`);
}
