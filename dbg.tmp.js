const { extractFacts } = require('./dist/src/python/facts');
const { pythonParser } = require('./dist/src/parse');
const { Project } = require('./dist/src/python/project');
const src = `from drf_yasg.views import get_schema_view\nfrom rest_framework.schemas import get_schema_view as drf_schema\nschema_view = get_schema_view(None, public=True)\nx = schema_view.with_ui("swagger", cache_timeout=0)\ny = drf_schema(title="t")\n`;
const mod = extractFacts(pythonParser().parse(src).rootNode, 'urls.py');
const project = new Project([mod]);
for (const name of ['x', 'y']) {
  const b = mod.bindings[0].find((b) => b.name === name);
  console.log(name, JSON.stringify(project.resolve(b.value, { mod, scope: 0, line: 9 }).map((v) => ({ kind: v.kind, types: v.types, qname: v.qname, callee: v.callee && (v.callee.qname || v.callee.kind), same: v.call === b.value, site: v.site && v.site.call === b.value }))));
}
