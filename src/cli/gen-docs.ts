/** Regenerates the README rule table from rule metadata (`npm run gen:docs`); a test fails when it is stale. */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { RULES } from '../../rules';
import { whatItDoes } from '../../rules/types';

const BEGIN = '<!-- rules:begin -->';
const END = '<!-- rules:end -->';

const SORTED = [...RULES].sort((a, b) => (a.id < b.id ? -1 : 1));

/** The table, then one section per rule (its "What it does"), whose headings are the rules' help anchors. */
export function ruleTable(): string {
  const rows = SORTED.map((r) => `| ${r.id} | \`${r.name}\` | ${r.severity} | ${r.securitySeverity.toFixed(1)} | ${r.tags.filter((t) => t !== 'security').join(', ')} | ${r.summary} |`);
  const table = ['| id | name | default severity | security-severity | tags | summary |', '|---|---|---|---|---|---|', ...rows].join('\n');
  const sections = SORTED.map((r) => `### ${r.id} ${r.name}\n\n${whatItDoes(r)}\n\n\`apiposture explain ${r.id}\` for why it matters and how to fix it.`);
  return [table, ...sections].join('\n\n');
}

export function withRuleTable(readme: string): string {
  const start = readme.indexOf(BEGIN);
  const end = readme.indexOf(END);
  if (start < 0 || end < start) throw new Error(`README has no ${BEGIN} … ${END} block`);
  return `${readme.slice(0, start + BEGIN.length)}\n${ruleTable()}\n${readme.slice(end)}`;
}

if (require.main === module) {
  const file = path.join(__dirname, '..', '..', '..', 'README.md');
  writeFileSync(file, withRuleTable(readFileSync(file, 'utf8')));
}
