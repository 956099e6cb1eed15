/** Module-level names a function declares `global` and assigns (OctoPrint's app and limiter, set up by its server). */
import { extractFacts } from '../src/python/facts';
import { pythonParser } from '../src/parse';
import { Project, type Value } from '../src/python/project';
import type { Expr } from '../src/python/ir';

const SOURCE = `from flask import Flask

app = None
name = "module"


def create():
    global app
    app = Flask(__name__)

    def inner():
        name = "inner"
        return name

    return inner


def rename():
    name = "local"
    return name


def read():
    return app
`;

function values(name: string, scopeOf: string): string[] {
  const mod = extractFacts(pythonParser().parse(SOURCE).rootNode, 'app.py');
  const project = new Project([mod]);
  const fn = mod.functions.find((f) => f.name === scopeOf);
  const ctx = fn ? { mod, scope: fn.bodyScope, line: 100 } : { mod, scope: 0, line: 100 };
  const describe = (v: Value): string => (v.kind === 'literal' ? (v.expr.k === 'str' ? v.expr.v : v.expr.k) : v.kind === 'instance' ? `instance of ${v.types.join()}` : v.kind);
  return project.resolve({ k: 'name', id: name, loc: 0 } as Expr, ctx).map(describe).sort();
}

test('a global a function assigns holds its first value or, once the function has run, what the function assigns', () => {
  expect(values('app', 'read')).toEqual(['instance of flask.Flask', 'none']);
  // The module's own code runs as it is imported, before any function of it is called.
  expect(values('app', '')).toEqual(['none']);
});

test("a function without `global` binds its own name; a nested function does not share its parent's declaration", () => {
  expect(values('name', 'rename')).toEqual(['local']);
  expect(values('name', 'inner')).toEqual(['inner']);
  expect(values('name', '')).toEqual(['module']);
});
