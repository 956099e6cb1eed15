/**
 * `kwargs["prefix"] = v` and `kwargs.setdefault("prefix", v)` before a call that unpacks `**kwargs` change the keyword
 * the call passes; made in a branch that may not run, they leave it unread.
 */
import { extractFacts } from '../src/python/facts';
import { pythonParser } from '../src/parse';
import { analyzeModules } from '../src/scan';

function pathsOf(source: string): string[] {
  return analyzeModules([extractFacts(pythonParser().parse(source).rootNode, 'app.py')]).map((r) => r.path);
}

const factory = (body: string): string => `from fastapi import APIRouter, FastAPI

def make_router(flag, **options):
${body}
    return APIRouter(**options)

router = make_router(False, prefix="/given")

@router.get("/items")
def items():
    return []

app = FastAPI()
app.include_router(router)
`;

test('setdefault gives a default the call overrides; an item set always wins', () => {
  expect(pathsOf(factory('    options.setdefault("prefix", "/default")'))).toEqual(['/given/items']);
  expect(pathsOf(factory('    options.setdefault("tags", ["x"])').replace('prefix="/given"', 'tags=[]'))).toEqual(['/items']);
  expect(pathsOf(factory('    options.setdefault("prefix", "/default")').replace('prefix="/given"', 'tags=[]'))).toEqual(['/default/items']);
  expect(pathsOf(factory('    options["prefix"] = "/set"'))).toEqual(['/set/items']);
});

test('an item set in a branch that may not run leaves the keyword unread', () => {
  expect(pathsOf(factory('    if flag:\n        options["prefix"] = "/flagged"'))).toEqual(['{?}/items']);
});
