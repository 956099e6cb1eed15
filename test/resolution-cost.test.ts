/** How much resolution work real code costs: counted, not timed (speed is measured by `npm run bench`). */
import { extractFacts } from '../src/python/facts';
import { pythonParser } from '../src/parse';
import { armsAround, Project } from '../src/python/project';
import { lineOf, type Expr } from '../src/python/ir';
import { analyzeModules } from '../src/scan';
import { callSites } from '../src/frameworks/common';

afterEach(() => jest.restoreAllMocks());

test('a name rebound line after line in a function read for one call is looked up once per line, not once per path through the branches', () => {
  // After each `if`, every earlier binding of `q` may still reach the next line: read again for every reading of a
  // later line, the chain took time exponential in its length (privacyidea's query builders: minutes for one scan).
  const steps = Array.from({ length: 12 }, (_, i) => `    if flags[${i}]:\n        q = q.filter(F${i})`).join('\n');
  const source = `from db import session\n\n\ndef build(q, flags):\n${steps}\n    return q\n\n\nresult = build(session.query(Item), load())\n`;
  const mod = extractFacts(pythonParser().parse(source).rootNode, 'app.py');
  const project = new Project([mod]);
  const call = mod.bindings[0].find((b) => b.name === 'result');
  if (call?.kind !== 'assign') throw new Error('no call');
  const lookups = jest.spyOn(Project.prototype as unknown as { lookupUncached: (name: string) => unknown }, 'lookupUncached');
  const values = project.resolve(call.value as Expr, { mod, scope: 0, line: lineOf((call.value as Expr & { loc: number }).loc) });
  expect(values.length).toBeGreaterThan(0);
  expect(lookups.mock.calls.length).toBeLessThan(200);
});

test('the texts a name may stand for through a chain of branches are read once per place, and past a few dozen are no one text', () => {
  // `p = p.strip()` after each `if` reached every text through every path to it, and the texts doubled with each `if`.
  const steps = Array.from({ length: 30 }, (_, i) => `    if FLAGS[${i}]:\n        p = p + "/${i}"\n    p = p.strip()`).join('\n');
  const source = `from flask import Flask\n\napp = Flask(__name__)\nFLAGS = load()\n\n\ndef path_for(p):\n${steps}\n    return p\n\n\n@app.route(path_for("/items"))\ndef items():\n    return "ok"\n`;
  const strings = jest.spyOn(Project.prototype as unknown as { strings: () => unknown }, 'strings');
  const [route] = analyzeModules([extractFacts(pythonParser().parse(source).rootNode, 'app.py')]);
  expect(route.path).toBe('{?}');
  expect(strings.mock.calls.length).toBeLessThan(2000);
});

test('the callers of many methods of one name are found by reading each call of that name once, not once per method', () => {
  // Every `get` method asked who calls it: each asked resolved every `x.get(...)` call of the project again
  // (JumpServer: 69,000 questions over 1,000 `get` calls, a third of its scan).
  const classes = Array.from({ length: 40 }, (_, i) => `class Store${i}:\n    def get(self, key):\n        return key\n\n\nStore${i}().get("k${i}")\n`);
  const unrelated = Array.from({ length: 200 }, (_, i) => `settings.get("s${i}")`);
  const source = `from config import settings\n\n\n${classes.join('\n\n')}\n${unrelated.join('\n')}\n`;
  const mod = extractFacts(pythonParser().parse(source).rootNode, 'app.py');
  const project = new Project([mod]);
  const remembered = jest.spyOn(Project.prototype, 'remember');
  const keys = mod.functions.map((fn) => project.resolve({ k: 'name', id: 'key', loc: fn.loc } as Expr, { mod, scope: fn.bodyScope, line: lineOf(fn.loc) + 1 }));
  expect(keys.map((values) => values.map((v) => (v.kind === 'literal' && v.expr.k === 'str' ? v.expr.v : v.kind)))).toEqual(Array.from({ length: 40 }, (_, i) => [`k${i}`]));
  expect(remembered.mock.calls.length).toBeLessThan(1000);
});

test('the parameters of a function named like more calls than callers are followed for are not read from its callers', () => {
  // Telling the callers of a `get` view among a service's `x.get(...)` calls resolved every one of them (polar,
  // indico, baserow: seconds per scan); below the bound the callers still give the values.
  const source = (unrelated: number): string =>
    `from config import settings\n\n\ndef get(key, default="fallback"):\n    return key\n\n\nget("real")\n${Array.from({ length: unrelated }, (_, i) => `settings.get("s${i}")`).join('\n')}\n`;
  const valuesOf = (unrelated: number, name: string): string[] => {
    const mod = extractFacts(pythonParser().parse(source(unrelated)).rootNode, 'app.py');
    const fn = mod.functions[0];
    const values = new Project([mod]).resolve({ k: 'name', id: name, loc: fn.loc } as Expr, { mod, scope: fn.bodyScope, line: lineOf(fn.loc) + 1 });
    return values.map((v) => (v.kind === 'literal' && v.expr.k === 'str' ? v.expr.v : v.kind === 'unknown' ? v.why : v.kind));
  };
  expect(valuesOf(100, 'key')).toEqual(['real']);
  const resolved = jest.spyOn(Project.prototype, 'resolve');
  expect(valuesOf(300, 'key')).toEqual(['parameter `key` of `get` is named like 301 calls in the project, too many to tell its callers among']);
  expect(resolved.mock.calls.length).toBeLessThan(20);
  expect(valuesOf(300, 'default')).toEqual(['fallback']);
});

test('a name a module does not bind is looked for through its star imports once per module, however the imports meet', () => {
  // Settings packages star-import each other in layers (JumpServer): each reading of an unbound name (`if isinstance(...)`,
  // read for the profile) walked every path through them, two to the power of the layers.
  const layers = 14;
  const files: [string, string][] = [['pkg/top.py', 'from pkg.l0_0 import *\nfrom pkg.l0_1 import *\n']];
  for (let i = 0; i < layers; i++) {
    for (const j of [0, 1]) files.push([`pkg/l${i}_${j}.py`, i + 1 < layers ? `from pkg.l${i + 1}_0 import *\nfrom pkg.l${i + 1}_1 import *\n` : `X${j} = 1\n`]);
  }
  const modules = files.map(([file, source]) => extractFacts(pythonParser().parse(source).rootNode, file));
  const project = new Project(modules);
  const top = project.moduleCtx(modules[0]);
  const definitions = jest.spyOn(Project.prototype as unknown as { definitionAt: () => unknown }, 'definitionAt');
  expect(project.definition({ k: 'name', id: 'isinstance', loc: 0 } as Expr, top)).toBeUndefined();
  expect(project.definition({ k: 'name', id: 'X1', loc: 0 } as Expr, top)?.expr).toMatchObject({ k: 'num' });
  expect(definitions.mock.calls.length).toBeLessThan(200);
});

test('an attribute a setter assigns from itself is read once per setter, not again for every read through every caller', () => {
  // `self.email = self.email.lower().strip()` in a model's `save()`, called on many objects: each read of the
  // attribute read the setter again, which read the attribute through every caller of `save` (plane's scan did
  // not end: 138 million reads of that one line in 15 s).
  const callers = Array.from({ length: 6 }, (_, i) => `u${i} = User()\nu${i}.save()\n`).join('');
  const source = `class User:\n    email = ""\n\n    def save(self):\n        self.email = self.email.lower().strip()\n\n\n${callers}total = u0.email\n`;
  const mod = extractFacts(pythonParser().parse(source).rootNode, 'app.py');
  const project = new Project([mod]);
  const total = mod.bindings[0].find((b) => b.name === 'total');
  if (total?.kind !== 'assign') throw new Error('no assignment');
  const resolved = jest.spyOn(Project.prototype, 'resolve');
  const values = project.resolve(total.value, { mod, scope: 0, line: total.line });
  expect(values.some((v) => v.kind === 'literal')).toBe(true);
  expect(resolved.mock.calls.length).toBeLessThan(2000);
});

test('the helpers a helper named like hundreds of calls passes its parameters to are not read once per call of it', () => {
  // OctoPrint's `settings().get([...])`, called from 2,700 places: the helpers under `get` that use the path were
  // read once per call of `get`, and each level of helpers passing the path on multiplied the readings (40 s for
  // 321 files).
  const calls = Array.from({ length: 300 }, (_, i) => `settings.get(["section", "key${i}"])`).join('\n');
  const source = `class Settings:\n    def get(self, path):\n        return self._value(path)\n\n    def _value(self, path):\n        return store.lookup(self._key(path))\n\n    def _key(self, path):\n        return "/".join(path)\n\n\nsettings = Settings()\n${calls}\n`;
  const project = new Project([extractFacts(pythonParser().parse(source).rootNode, 'app.py')]);
  const sites = callSites(project, () => true);
  expect(sites.filter((s) => s.call.fn.k === 'attr' && s.call.fn.name === 'get')).toHaveLength(300);
  // `get`'s own call is read once per call of it (the first 256: MAX_CALL_SITES); `_value`'s and `_key`'s once each.
  const named = (name: string) => sites.filter((s) => s.call.fn.k === 'attr' && s.call.fn.name === name).length;
  expect([named('_value'), named('lookup'), named('join')]).toEqual([256, 1, 1]);
});

test('a call no framework reads is not read once per call of the helper making it; a registration is', () => {
  // Skyvern's helpers build models from their parameters (`Step(task_id=task_id)`) in thousands of places: reading
  // each such call for every call of its helper took half of its scan, for calls no framework looks at.
  const callers = Array.from({ length: 50 }, (_, i) => `record("t${i}")\nmount(app, "/v${i}")`).join('\n');
  const source = `from fastapi import APIRouter, FastAPI\nfrom pydantic import BaseModel\n\n\nclass Step(BaseModel):\n    task_id: str\n\n\nrouter = APIRouter()\napp = FastAPI()\n\n\n@router.get("/items")\ndef items():\n    return []\n\n\ndef record(task_id):\n    Step(task_id=task_id)\n\n\ndef mount(target, prefix):\n    target.include_router(router, prefix=prefix)\n\n\n${callers}\n`;
  const mod = extractFacts(pythonParser().parse(source).rootNode, 'app.py');
  const readPerCaller = jest.spyOn(Project.prototype, 'callerEnvs');
  const routes = analyzeModules([mod]);
  expect(routes.map((r) => r.path).sort()).toEqual(Array.from({ length: 50 }, (_, i) => `/v${i}/items`).sort());
  const helpers = readPerCaller.mock.calls.map(([, scope]) => mod.functions.find((fn) => fn.bodyScope === scope)?.name);
  expect(helpers).toContain('mount');
  expect(helpers).not.toContain('record');
});

test('a method call on a parameter annotated with a library class is no call of the project unless a project class deriving from it defines the method', () => {
  // Skyvern's helpers take Playwright objects (`page: Page`): finding the callers of a project method named `click`
  // read every caller of every helper calling `page.click()`.
  const source = (subclass: string) =>
    `from fastapi import APIRouter, FastAPI\nfrom playwright.async_api import Page\n\napp = FastAPI()\nrouter = APIRouter()\n\n\n@router.get("/items")\ndef items():\n    return []\n\n\nclass Mounter:\n    def click(self, prefix):\n        app.include_router(router, prefix=prefix)\n\n\ndef press(page: Page):\n    page.click("/nowhere")\n\n\n${subclass}Mounter().click("/v1")\npress(load_page())\n`;
  const readParameters = (subclass: string) => {
    const values = jest.spyOn(Project.prototype as unknown as { parameterValues: (m: unknown, b: { name: string }) => unknown }, 'parameterValues');
    const routes = analyzeModules([extractFacts(pythonParser().parse(source(subclass)).rootNode, 'app.py')]);
    const names = values.mock.calls.map(([, binding]) => binding.name);
    values.mockRestore();
    return { paths: routes.map((r) => r.path), names };
  };
  const plain = readParameters('');
  expect(plain.paths).toEqual(['/v1/items']);
  expect(plain.names).not.toContain('page');
  // A project class deriving from Page that defines no `click` calls Page's own.
  const derived = readParameters('class Tab(Page):\n    def close(self):\n        pass\n\n\n');
  expect(derived.paths).toEqual(['/v1/items']);
  expect(derived.names).not.toContain('page');
  // One that defines `click`, or derives it from a project base, may be what `press` is given: its callers are read.
  for (const subclass of ['class Tab(Page):\n    def click(self, selector):\n        pass\n\n\n', 'class Clicks:\n    def click(self, selector):\n        pass\n\n\nclass Tab(Clicks, Page):\n    pass\n\n\n']) {
    const overriding = readParameters(subclass);
    expect(overriding.paths).toEqual(['/v1/items']);
    expect(overriding.names).toContain('page');
  }
});

test('a module of many arms lists the arms around each line once per run of lines inside the same arms, not once per line', () => {
  // Skyvern's action handler: each line of a long arm held its own copy of the arms around it (15 MB in all).
  const arms = Array.from({ length: 70 }, (_, i) => `if flags[${i}]:\n${'    x = 1\n'.repeat(20)}`).join('');
  const mod = extractFacts(pythonParser().parse(`flags = load()\n${arms}`).rootNode, 'app.py');
  const [first, second] = [armsAround(mod, 3), armsAround(mod, 25)]; // lines inside the first arm and the second
  expect(first.map((a) => a.of)).toEqual([2]);
  expect(armsAround(mod, 21)).toBe(first);
  expect(second.map((a) => a.of)).toEqual([23]);
  expect(second).not.toBe(first);
  expect(armsAround(mod, 1)).toEqual([]);
});

test('the arms around each line are those whose lines hold it, in their order, for nested arms of a module with many', () => {
  // Arms nested three deep, some ending on the same line as the arm around them, some on the line before the next.
  const block = (i: number): string => `if a${i}:\n    x = 1\n    if b${i}:\n        y = 2\n        if c${i}:\n            z = 3\n    w = 4\nelse:\n    v = 5\n`;
  for (const count of [3, 40]) { // a few arms, read one by one; more than 64, listed by line
    const mod = extractFacts(pythonParser().parse(Array.from({ length: count }, (_, i) => block(i)).join('\nq = 0\n')).rootNode, 'app.py');
    const arms = mod.arms ?? [];
    expect(arms.length).toBeGreaterThan(count * 3 > 64 ? 64 : 3);
    const lines = Math.max(...arms.map((a) => a.to)) + 2;
    for (let line = 0; line <= lines; line++) expect(armsAround(mod, line)).toEqual(arms.filter((a) => a.from <= line && line <= a.to));
  }
});

test('what a call returns is read once however many lines read the name it is assigned to', () => {
  // `response = await handler(prompt=...)`, then `response.get(...)` on line after line: each reading resolved the
  // call anew, and read the handler's body under a new binding of its parameters, its lookups not shared (Skyvern:
  // seven such readings of one handler took 110,000 resolution steps).
  const readings = Array.from({ length: 8 }, (_, i) => `    v${i} = response.get("k${i}")`).join('\n');
  const source = `from db import fetch\n\n\ndef handler(prompt):\n    data = fetch(prompt)\n    parsed = data.json()\n    return parsed\n\n\ndef view():\n    response = handler(prompt="p")\n${readings}\n`;
  const mod = extractFacts(pythonParser().parse(source).rootNode, 'app.py');
  const project = new Project([mod]);
  const view = mod.functions.find((fn) => fn.name === 'view')!;
  const lookups = jest.spyOn(Project.prototype as unknown as { lookupUncached: (name: string) => unknown }, 'lookupUncached');
  const gets = view.calls.filter((c) => c.fn.k === 'attr' && c.fn.name === 'get');
  const values = gets.map((c) => project.resolve(c.fn, { mod, scope: view.bodyScope, line: c.line }));
  expect(values.every((v) => v.some((value) => value.kind === 'member'))).toBe(true);
  expect(lookups.mock.calls.filter(([name]) => name === 'data' || name === 'parsed').length).toBe(2);
});

test('an attribute of an object is read once however many places read it', () => {
  // `settings = Settings()`, then `settings.DEBUG` in function after function: each reading looked through the class,
  // its `__init__` and its setters again (Skyvern's scan asked 47,000 attributes of objects, 8,000 different ones).
  const readers = Array.from({ length: 10 }, (_, i) => `def reader${i}():\n    return settings.debug\n`).join('\n\n');
  const source = `class Settings:\n    def __init__(self):\n        self.debug = False\n\n\nsettings = Settings()\n\n\n${readers}`;
  const mod = extractFacts(pythonParser().parse(source).rootNode, 'app.py');
  const project = new Project([mod]);
  const reads = jest.spyOn(Project.prototype as unknown as { instanceAttribute: () => unknown }, 'instanceAttribute');
  const values = mod.functions.filter((fn) => fn.name.startsWith('reader')).map((fn) => project.resolve(fn.returns[0], { mod, scope: fn.bodyScope, line: lineOf(fn.loc) + 1 }));
  expect(values.map((v) => v.map((value) => value.kind))).toEqual(Array.from({ length: 10 }, () => ['literal']));
  expect(reads.mock.calls.length).toBe(1);
});
