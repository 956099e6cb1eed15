/**
 * Python's method resolution order (C3) over the project's classes, where a class attribute is looked up. A base
 * from outside the project stands for itself (its own bases are not read); the caller says what it sets.
 */
import { lineOf } from './ir';
import { Project, type ClassRef } from './project';

/** What a class from outside the project does with an attribute: sets it, sets nothing, or cannot be told. */
export type LibraryAttribute = 'sets' | 'none' | 'unknown';

const MAX_CLASS_DEPTH = 12;

/**
 * The class Python takes `name` from for instances of `ref`: the project class that sets it, `{ library }` when a
 * class from outside the project sets it first, `{ unread }` when one that cannot be told comes first (its name; empty
 * when the order cannot be built). `library` says what each outside class does (`typing` and `abc` classes set
 * nothing).
 */
export function attributeOwner(project: Project, ref: ClassRef, name: string, library: (qname: string) => LibraryAttribute): ClassRef | { library: string } | { unread: string } {
  for (const entry of linearization(project, ref) ?? []) {
    if (typeof entry !== 'string') {
      if ((entry.mod.bindings[entry.cls.bodyScope] ?? []).some((b) => b.name === name)) return entry;
      continue;
    }
    const does = addsNothing(entry) ? 'none' : library(entry);
    if (does === 'sets') return { library: entry };
    if (does === 'unknown') return { unread: entry.replace(/^\?/, '') };
  }
  return { unread: '' };
}

/** `typing.Generic[...]`, `abc.ABC`: bases that set no attribute of a view or throttle, nor add actions. */
export function addsNothing(qname: string): boolean {
  return ['typing', 'abc'].includes(qname.split('.')[0]);
}

/**
 * A library's classes as a caller knows them: the name it gives a class it knows (one class may be imported under
 * several qualified names), and the names of that class's bases in order.
 */
export interface LibraryClasses {
  known(qname: string): string | undefined;
  bases(name: string): string[];
}

/**
 * The C3 order of a project class, each base from outside the project by its qualified name (one that cannot be
 * resolved by `?` and its text), or with its own bases after it where `library` knows it; undefined when it cannot be
 * built (too deep, or an inconsistent order).
 */
export function linearization(project: Project, ref: ClassRef, library?: LibraryClasses, depth = 0): (ClassRef | string)[] | undefined {
  if (depth > MAX_CLASS_DEPTH) return undefined;
  const ctx = { mod: ref.mod, scope: ref.cls.scope, line: lineOf(ref.cls.loc) - 1 };
  const orders: (ClassRef | string)[][] = [];
  for (const base of ref.cls.bases) {
    const values = project.resolve(base, ctx);
    // `class A(object)` is `class A` in Python 3: `object` comes last in every order, and sets none of these.
    if (base.k === 'name' && base.id === 'object' && values.every((v) => v.kind === 'unknown')) continue;
    const value = values.length === 1 ? values[0] : undefined;
    const known = value?.kind === 'external' ? library?.known(value.qname) : undefined;
    const order = value?.kind === 'class' ? linearization(project, value.ref, library, depth + 1)
      : known && library ? libraryOrder(library, known) : [value?.kind === 'external' ? value.qname : `?${Project.describe(base)}`];
    if (!order) return undefined;
    orders.push(order);
  }
  const merged = c3Merge([...orders, orders.map((o) => o[0])]);
  return merged && [ref, ...merged];
}

/** The C3 order of a library class the caller knows. */
export function libraryOrder(library: LibraryClasses, name: string, depth = 0): string[] | undefined {
  if (depth > MAX_CLASS_DEPTH) return undefined;
  const orders: string[][] = [];
  for (const base of library.bases(name)) {
    const order = libraryOrder(library, base, depth + 1);
    if (!order) return undefined;
    orders.push(order);
  }
  const merged = c3Merge([...orders, orders.map((o) => o[0])]);
  return merged && [name, ...(merged as string[])];
}

/** C3's merge: repeatedly the first head that is in no list's tail; undefined when none is (an inconsistent order). */
function c3Merge(lists: (ClassRef | string)[][]): (ClassRef | string)[] | undefined {
  const key = (e: ClassRef | string): object | string => (typeof e === 'string' ? e : e.cls);
  let rest = lists.map((l) => l.map(key)).filter((l) => l.length);
  const byKey = new Map(lists.flat().map((e) => [key(e), e]));
  const merged: (ClassRef | string)[] = [];
  while (rest.length) {
    const head = rest.map((l) => l[0]).find((h) => !rest.some((l) => l.indexOf(h, 1) > 0));
    if (head === undefined) return undefined;
    merged.push(byKey.get(head)!);
    rest = rest.map((l) => (l[0] === head ? l.slice(1) : l)).filter((l) => l.length);
  }
  return merged;
}
