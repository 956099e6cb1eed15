import { addTo } from '../collections';
import type { Arm, CallStatement, FunctionDef, ModuleFacts } from './ir';

/**
 * Lookups by scope into a module's functions and arms, each index built once per list (the lists are complete once
 * facts are extracted; a profile's copy of a module has lists of its own). A linear search per lookup cost a large
 * service seconds: the resolver asks for a class's method or a body's function at every step.
 */
interface FunctionIndex {
  byBody: Map<number, FunctionDef>;
  byScope: Map<number, Map<string, FunctionDef>>;
}

const functionIndexes = new WeakMap<FunctionDef[], FunctionIndex>();
const armIndexes = new WeakMap<Arm[], ArmIndex>();
const methodCallIndexes = new WeakMap<CallStatement[], Map<string, CallStatement[]>>();
const armGroupIndexes = new WeakMap<Arm[], Arm[][]>();

function functionIndex(functions: FunctionDef[]): FunctionIndex {
  let index = functionIndexes.get(functions);
  if (index) return index;
  index = { byBody: new Map(), byScope: new Map() };
  for (const fn of functions) {
    if (!index.byBody.has(fn.bodyScope)) index.byBody.set(fn.bodyScope, fn);
    let named = index.byScope.get(fn.scope);
    if (!named) index.byScope.set(fn.scope, (named = new Map()));
    if (!named.has(fn.name)) named.set(fn.name, fn);
  }
  functionIndexes.set(functions, index);
  return index;
}

/** The function whose body is `scope`. */
export function functionOwning(mod: ModuleFacts, scope: number): FunctionDef | undefined {
  return functionIndex(mod.functions).byBody.get(scope);
}

/** The first function named `name` defined directly in `scope` (the module's, a class body, a function body). */
export function functionDefinedIn(mod: ModuleFacts, scope: number, name: string): FunctionDef | undefined {
  return functionIndex(mod.functions).byScope.get(scope)?.get(name);
}

/** The arms of each `if`/`match` statement, in order. */
function groupArms(arms: Arm[]): Arm[][] {
  const groups = new Map<number, Arm[]>();
  for (const arm of arms) addTo(groups, arm.of, arm);
  return [...groups.values()].map((g) => g.sort((a, b) => a.arm - b.arm));
}

interface ArmIndex {
  groups: Map<number, Arm[][]>; // of the statements whose first arm has a test, by the test's scope
  tested: Map<number, Arm[]>; // the arms with a test, by its scope
}

function armIndex(arms: Arm[]): ArmIndex {
  let index = armIndexes.get(arms);
  if (index) return index;
  index = { groups: new Map(), tested: new Map() };
  for (const group of groupArms(arms)) if (group[0].scope !== undefined) addTo(index.groups, group[0].scope, group);
  for (const arm of arms) if (arm.scope !== undefined) addTo(index.tested, arm.scope, arm);
  armIndexes.set(arms, index);
  return index;
}

/** The arm groups (see groupArms) of the statements whose first arm has a test read in `scope`. */
export function testedArmGroupsIn(mod: ModuleFacts, scope: number): Arm[][] {
  return armIndex(mod.arms ?? []).groups.get(scope) ?? [];
}

/** The arms whose test is read in `scope`, in order. */
export function testedArmsIn(mod: ModuleFacts, scope: number): Arm[] {
  return armIndex(mod.arms ?? []).tested.get(scope) ?? [];
}

/** The call statements of a module calling a method of a plain name (`APPS.append(...)`), in order. */
export function methodCallsOn(mod: ModuleFacts, name: string): readonly CallStatement[] {
  let index = methodCallIndexes.get(mod.calls);
  if (!index) {
    index = new Map();
    for (const stmt of mod.calls) if (stmt.call.fn.k === 'attr' && stmt.call.fn.obj.k === 'name') addTo(index, stmt.call.fn.obj.id, stmt);
    methodCallIndexes.set(mod.calls, index);
  }
  return index.get(name) ?? [];
}

/** A module's arms grouped by statement (see groupArms), once per list. */
export function armGroupsOf(mod: ModuleFacts): readonly Arm[][] {
  const arms = mod.arms ?? [];
  let groups = armGroupIndexes.get(arms);
  if (!groups) armGroupIndexes.set(arms, (groups = groupArms(arms)));
  return groups;
}
