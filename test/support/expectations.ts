/**
 * Inline expectations in fixture sources, CodeQL style: `# $ route="GET /x" status=limited limits="5/minute"`
 * (also `findings=`, `unresolved=yes`, `expensive=` with the kinds of the route's call signals, `assumes=` with the
 * `file:line` of each assumption the route rests on). `status` is the
 * status as reported: `partial` when the route's methods differ, then `verdicts="GET unlimited,POST limited"`
 * gives each method's.
 * `# $ registration="app.route"` expects a route registration the tool lists as not resolved on that line.
 * Each `$` group describes one route whose declaration (route decorator, add_url_rule call, ...) is on that
 * line; a comment standing alone on its line applies to the next line that is not a comment (so a long list
 * of expectations can take several lines). `$ MISSING: ...` records a known gap.
 * Comments are read from tree-sitter `comment` nodes, so a `#` inside a string never counts.
 */
import type { SyntaxNode } from 'tree-sitter';
import { pythonParser } from '../../src/parse';
import type { Route, Finding } from '../../src/model';
import { methodVerdicts, methodsLabel, rateLabel, summaryStatus } from '../../src/model';

export interface Expectation {
  file: string;
  line: number;
  group: string; // canonical text
  missing: boolean;
}

const TOKEN = /(\w+)=(?:"([^"]*)"|(\S+))/g;
const LIST_TAGS = new Set(['limits', 'findings', 'expensive', 'verdicts', 'assumes']);

/** Canonical text of a tag set: keys sorted, list values sorted, empty values dropped. */
export function canonical(tags: Record<string, string>): string {
  return Object.keys(tags)
    .filter((k) => tags[k] !== '')
    .sort()
    .map((k) => `${k}="${LIST_TAGS.has(k) ? tags[k].split(',').map((s) => s.trim()).sort().join(',') : tags[k]}"`)
    .join(' ');
}

export function parseExpectations(file: string, source: string): Expectation[] {
  const tree = pythonParser().parse(source);
  const out: Expectation[] = [];
  const lines = source.split('\n');
  const visit = (node: SyntaxNode): void => {
    if (node.type === 'comment') {
      const text = node.text.replace(/^#\s*/, '');
      if (text.startsWith('$')) {
        const row = node.startPosition.row;
        let target = row;
        if (lines[row].trimStart().startsWith('#')) {
          do target++;
          while (target < lines.length && lines[target].trimStart().startsWith('#'));
        }
        for (const raw of text.split(/(?:^|\s)\$\s+/).filter((g) => g.trim())) {
          const missing = raw.startsWith('MISSING:');
          const tags: Record<string, string> = {};
          for (const m of raw.replace(/^MISSING:\s*/, '').matchAll(TOKEN)) tags[m[1]] = m[2] ?? m[3];
          if (!tags.route && !tags.registration) throw new Error(`Invalid expectation syntax at ${file}:${row + 1}: ${raw}`);
          out.push({ file, line: target + 1, group: canonical(tags), missing });
        }
      }
    }
    for (const child of node.children) visit(child);
  };
  visit(tree.rootNode);
  return out;
}

export function actualGroup(route: Route, findings: Finding[]): string {
  return canonical({
    route: `${methodsLabel(route)} ${route.path}`,
    status: summaryStatus(route),
    verdicts: summaryStatus(route) === 'partial' ? methodVerdicts(route).map((v) => `${v.method} ${v.status}`).join(',') : '',
    limits: route.limits.map(rateLabel).join(','),
    findings: [...new Set(findings.filter((f) => f.routeIds.includes(route.id)).map((f) => f.ruleId))].join(','), // a route two causes affect has the rule once
    unresolved: route.unresolved.length ? 'yes' : '',
    // Kinds of code evidence only: hints follow from the path and would be on every other line.
    expensive: [...new Set(route.expensive.filter((s) => s.strength === 'call').map((s) => s.kind))].join(','),
    assumes: (route.assumptions ?? []).map((a) => `${a.file}:${a.line}`).join(','),
  });
}
