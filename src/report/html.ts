/**
 * The HTML report: one self-contained file (no network, no external script or style) with the route map as a
 * tree — app, then each prefix (blueprint, router, include), then the routes — coloured by verdict, with each
 * route's per-method verdicts, limits, evidence, cost signals, assumptions and findings, and links to the
 * source lines. It reads without JavaScript (every level is a `<details>`); the script only filters by status,
 * framework and rule. A fragment presets the filters: `report.html#status=unlimited,unknown&rule=AP001`.
 * Output is deterministic: the same scan gives the same bytes.
 */
import type { Finding, Route, RouteSummary, ScanResult, SourceRef } from '../model';
import { compareText, counts, rateLabel, routeLabel, summaryStatus, verdictsLabel } from '../model';
import { printable } from './printable';

const STATUSES: RouteSummary[] = ['unlimited', 'partial', 'unknown', 'exempt', 'limited'];

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** A node of the route map: a level of prefixes, with the routes declared right under it. */
interface MapNode {
  label: string;
  children: Map<string, MapNode>;
  routes: Route[];
}

function tally(values: string[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const v of values) out.set(v, (out.get(v) ?? 0) + 1);
  return out;
}

function routeMap(routes: Route[]): MapNode {
  const root: MapNode = { label: '', children: new Map(), routes: [] };
  const child = (node: MapNode, label: string): MapNode => {
    let next = node.children.get(label);
    if (!next) node.children.set(label, (next = { label, children: new Map(), routes: [] }));
    return next;
  };
  for (const route of routes) {
    let node = child(root, route.app ? `${route.app.name} (${route.app.file}:${route.app.line})` : 'no app found');
    for (const part of route.prefixes) node = child(node, part.value);
    node.routes.push(route);
  }
  return root;
}

export interface HtmlOptions {
  displayRoot?: string; // the project root as reached from the working directory: links are relative to it
}

export function htmlReport(scanned: ScanResult, options: HtmlOptions = {}): string {
  const result = printable(scanned);
  const shown = (file: string): string => (!options.displayRoot || options.displayRoot === '.' ? file : `${options.displayRoot}/${file}`);
  const link = (at: SourceRef): string => `<a class="src" href="${escape(shown(at.file))}">${escape(`${shown(at.file)}:${at.line}`)}</a>`;
  const findingsOf = new Map<string, Finding[]>();
  // Suppressed and baselined findings are left out, as the text report counts them apart.
  const findings = result.findings.filter(counts);
  for (const f of findings) for (const id of f.routeIds) findingsOf.set(id, [...(findingsOf.get(id) ?? []), f]);

  const routeItem = (route: Route): string => {
    const status = summaryStatus(route);
    const findings = findingsOf.get(route.id) ?? [];
    const rules = [...new Set(findings.map((f) => f.ruleId))].sort();
    const rows: string[] = [`<li>declared ${link(route)}, handler <code>${escape(route.handler)}</code></li>`];
    if (status === 'partial') rows.push(`<li>per method: ${escape(verdictsLabel(route))}</li>`);
    for (const l of route.limits) {
      const counted = [l.source, l.library, l.methods?.join(',') ?? '', l.principals ? `${l.principals.join(', ')} clients only` : '', l.algorithm ?? ''].filter(Boolean).join('; ');
      rows.push(`<li class="limit">limit <b>${escape(rateLabel(l))}</b> (${escape(counted)}) ${link(l)}</li>`);
    }
    for (const why of route.unresolved) rows.push(`<li class="unresolved">not resolved: ${escape(why)}</li>`);
    for (const e of route.evidence) rows.push(`<li class="evidence">${escape(e.message)} ${link(e)}</li>`);
    for (const c of route.expensive) rows.push(`<li class="cost">cost: ${escape(`${c.kind}: ${c.detail}`)} (${c.strength}) ${link(c)}</li>`);
    for (const a of route.assumptions ?? []) rows.push(`<li class="assumption">assumes: ${escape(a.text)} ${link(a)}</li>`);
    for (const f of findings) rows.push(`<li class="finding ${f.severity}"><b>${f.ruleId}</b> ${f.severity}: ${escape(f.message)} ${link(f)}</li>`);
    const data = `data-status="${status}" data-framework="${route.framework}" data-rules="${rules.join(' ')}"`;
    const badges = rules.map((r) => `<span class="rule">${r}</span>`).join('');
    const summary = `<span class="status ${status}">${status}</span> <code>${escape(routeLabel(route))}</code> ${badges}`;
    return `<li class="route" ${data}><details><summary>${summary}</summary><ul>${rows.join('')}</ul></details></li>`;
  };

  const level = (node: MapNode): string => {
    const children = [...node.children.values()].sort((a, b) => compareText(a.label, b.label)).map((c) => `<li class="group"><details open><summary><code>${escape(c.label)}</code></summary>${level(c)}</details></li>`);
    const routes = [...node.routes].sort((a, b) => compareText(a.path, b.path) || compareText(a.id, b.id)).map(routeItem);
    return `<ul>${[...children, ...routes].join('')}</ul>`;
  };

  const byStatus = tally(result.routes.map((r) => summaryStatus(r)));
  const bySeverity = tally(findings.map((f) => f.severity));
  const frameworks = [...new Set(result.routes.map((r) => r.framework))].sort();
  const rules = [...new Set(findings.map((f) => f.ruleId))].sort();
  const checkbox = (s: RouteSummary): string => `<label class="status ${s}"><input type="checkbox" name="status" value="${s}" checked> ${s} (${byStatus.get(s) ?? 0})</label>`;
  const choice = (name: string, values: string[]): string => `<select name="${name}"><option value="">every ${name}</option>${values.map((v) => `<option>${v}</option>`).join('')}</select>`;
  const summary = `${result.routes.length} routes, ${findings.length} findings (${['error', 'warning', 'note'].map((s) => `${bySeverity.get(s) ?? 0} ${s}`).join(', ')})`;
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>apiposture: ${escape(summary)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>${STYLE}</style></head>
<body>
<h1>Route map</h1>
<p id="summary">${escape(summary)}</p>
<form id="filters">${STATUSES.map(checkbox).join(' ')} ${choice('framework', frameworks)} ${choice('rule', rules)} <span id="shown"></span></form>
<div id="map">${level(routeMap(result.routes))}</div>
<script>${SCRIPT}</script>
</body></html>
`;
}

const STYLE = `body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222}ul{list-style:none;padding-left:1.2em;margin:.2em 0}
code{font:13px ui-monospace,monospace}summary{cursor:pointer}.group>details>summary code{font-weight:600}
.status{display:inline-block;min-width:5.5em;padding:0 .4em;border-radius:3px;color:#fff;font-size:12px;text-align:center}
label.status{min-width:0;margin-right:.3em}.limited{background:#2e7d32}.unlimited{background:#c62828}.partial{background:#e65100}
.unknown{background:#6a1b9a}.exempt{background:#9e7c00}.rule{margin-left:.4em;padding:0 .3em;border:1px solid #999;border-radius:3px;font-size:12px}
.finding.error{color:#c62828}.finding.warning{color:#8d5b00}.evidence,.cost,.assumption{color:#444}.unresolved{color:#6a1b9a}
a.src{color:#555;font-size:12px}.hidden{display:none}#filters{margin-bottom:1em}`;

// Hides routes the filters leave out, and groups left empty; the fragment (#status=...&framework=...&rule=...) presets them.
const SCRIPT = `(function(){
var form=document.getElementById('filters');
function apply(){
  var statuses=[].slice.call(form.querySelectorAll('input[name=status]:checked')).map(function(i){return i.value;});
  var framework=form.framework.value,rule=form.rule.value,shown=0;
  [].forEach.call(document.querySelectorAll('li.route'),function(li){
    var ok=statuses.indexOf(li.dataset.status)>=0&&(!framework||li.dataset.framework===framework)&&(!rule||li.dataset.rules.split(' ').indexOf(rule)>=0);
    li.classList.toggle('hidden',!ok);if(ok)shown++;
  });
  [].slice.call(document.querySelectorAll('li.group')).reverse().forEach(function(g){
    g.classList.toggle('hidden',!g.querySelector('li.route:not(.hidden)'));
  });
  document.getElementById('shown').textContent=shown+' shown';
}
var preset={};location.hash.slice(1).split('&').forEach(function(p){var kv=p.split('=');if(kv[1])preset[kv[0]]=decodeURIComponent(kv[1]);});
if(preset.status)[].forEach.call(form.querySelectorAll('input[name=status]'),function(i){i.checked=preset.status.split(',').indexOf(i.value)>=0;});
if(preset.framework)form.framework.value=preset.framework;
if(preset.rule)form.rule.value=preset.rule;
form.addEventListener('change',apply);apply();
})();`;
