/**
 * A plain JavaScript copy of a tree-sitter tree, built in one cursor walk. Every property read on a native
 * node crosses into the addon and allocates a wrapper (about 1–3 µs each); facts extraction reads tens of
 * properties per node, so copying each node once (its type, field, named flag and range) and reading the
 * copy is about twice as fast. Rows and columns come from the text, not the addon. A node's start is asked
 * for; its end is its last child's where that child is copied, but for `string_content` and `format_specifier`,
 * whose own text runs past their escape sequences.
 */
import type Parser from 'tree-sitter';
import Python from 'tree-sitter-python';
import path from 'node:path';
import { NO_ITEMS } from './ir';

/** The subset of tree-sitter's SyntaxNode that facts extraction reads: native nodes satisfy it too. */
export interface PyNode {
  readonly type: string;
  readonly text: string;
  readonly startIndex: number;
  readonly endIndex: number;
  readonly startPosition: { row: number; column: number };
  readonly endPosition: { row: number; column: number };
  readonly children: PyNode[];
  readonly namedChildren: PyNode[];
  childForFieldName(name: string): PyNode | null;
  childrenForFieldName(name: string): PyNode[];
  descendantsOfType(types: string | string[]): PyNode[];
}

class Source {
  private readonly lineStarts: number[] = [0];

  constructor(readonly text: string) {
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) this.lineStarts.push(i + 1);
  }

  position(index: number): { row: number; column: number } {
    let low = 0;
    let high = this.lineStarts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (this.lineStarts[mid] <= index) low = mid;
      else high = mid - 1;
    }
    return { row: low, column: index - this.lineStarts[low] };
  }
}

// The children of every leaf the addon's records give: the facts' one frozen empty list, never written to.
const NO_CHILDREN = NO_ITEMS as unknown as Node[];

class Node implements PyNode {
  startIndex = 0;
  endIndex = -1;
  private named?: Node[];

  constructor(
    private readonly source: Source,
    readonly type: string,
    readonly isNamed: boolean,
    readonly field: string | undefined,
    readonly children: Node[] = [],
  ) {}

  get text(): string {
    return this.source.text.slice(this.startIndex, this.endIndex);
  }

  get startPosition(): { row: number; column: number } {
    return this.source.position(this.startIndex);
  }

  get endPosition(): { row: number; column: number } {
    return this.source.position(this.endIndex);
  }

  get namedChildren(): Node[] {
    this.named ??= this.children.length ? this.children.filter((c) => c.isNamed) : NO_CHILDREN;
    return this.named;
  }

  // Loops, not find/filter: a closure per call was 70 MB made and dropped in Skyvern's cold scan.
  childForFieldName(name: string): Node | null {
    for (let i = 0; i < this.children.length; i++) if (this.children[i].field === name) return this.children[i];
    return null;
  }

  childrenForFieldName(name: string): Node[] {
    const found: Node[] = [];
    for (let i = 0; i < this.children.length; i++) if (this.children[i].field === name) found.push(this.children[i]);
    return found;
  }

  /** In source order, this node included, as tree-sitter's own. */
  descendantsOfType(types: string | string[]): Node[] {
    const wanted = new Set(typeof types === 'string' ? [types] : types);
    const found: Node[] = [];
    const stack: Node[] = [this];
    while (stack.length) {
      const node = stack.pop() as Node;
      if (wanted.has(node.type)) found.push(node);
      for (let i = node.children.length - 1; i >= 0; i--) stack.push(node.children[i]);
    }
    return found;
  }
}

/**
 * Punctuation and keywords facts extraction never reads (a third of all nodes): left out of the copy, which
 * saves the native calls that read their field and range. `:` stays (slices are read by it), as do operators
 * and the keywords that are operators or flags (`in`, `not`, `is`, `and`, `or`, `async`, `await`).
 */
const UNREAD_TOKENS = new Set([
  '(', ')', '[', ']', '{', '}', ',', '.', '=',
  'def', 'class', 'return', 'import', 'from', 'as', 'if', 'elif', 'else', 'for', 'while', 'try', 'except', 'finally',
  'with', 'pass', 'lambda', 'raise', 'del', 'global', 'nonlocal', 'assert', 'break', 'continue', 'yield',
]);
// The closing quote of every string: named, but read by nothing either.
const UNREAD_NAMED = new Set(['string_end']);

/**
 * What the grammar's node types say of a kind of node (named or not), which saves asking the addon: a token
 * (listed without fields) has no children; the children of a kind with no fields have none. Without the node types
 * (the binding loads them if it can), every kind is asked about as it comes.
 */
const grammarKinds = new Map((Python.nodeTypeInfo ?? []).map((info) => [`${info.named}\0${info.type}`, { token: !('fields' in info) && !('subtypes' in info), fielded: 'fields' in info && Object.keys(info.fields).length > 0 }]));

interface Kind {
  type: string;
  named: boolean;
  unread: boolean;
  token: boolean;
  fielded: boolean; // unknown kinds (ERROR) are taken to have fields
  ownText: boolean; // text of its own between and after its children (the literal parts around escapes)
}

const WITH_OWN_TEXT = new Set(['string_content', 'format_specifier']);

/** What a kind of node is by its name and namedness: left out of the copy, or copied without its children. */
function kindOf(type: string, named: boolean): { unread: boolean; token: boolean; fielded: boolean } {
  const { token, fielded } = grammarKinds.get(`${named}\0${type}`) ?? { token: false, fielded: true };
  return { unread: named ? UNREAD_NAMED.has(type) : UNREAD_TOKENS.has(type), token, fielded };
}

/** apiposture's own addon (native/tree-walk.c), built at install when a C compiler is there. */
interface TreeWalkAddon {
  parse(text: string, language: unknown, flags: Uint8Array): Walked;
  startAhead(language: unknown, flags: Uint8Array): AheadHandle;
  submit(handle: AheadHandle, text: string): void;
  take(handle: AheadHandle): Walked;
  stop(handle: AheadHandle): void;
  symbols(language: unknown): { names: string[]; named: boolean[]; fields: (string | null)[] };
  trim(): void;
}

/** A tree as the addon's records, and the first line with an error (0 when none). */
interface Walked {
  records: Int32Array;
  errorLine: number;
}

declare const aheadHandle: unique symbol;
type AheadHandle = { [aheadHandle]: true };

/** A parsed text: its tree, and the first line with a syntax error if any. */
export interface ParsedText {
  root: PyNode;
  errorLine?: number;
}

/**
 * Texts parsed on a thread of the addon's own while this one builds the facts of those before: `submit` the texts in
 * the order they will be taken, `take` each tree (waiting for it if need be), `stop` when done.
 */
export interface ParseAhead {
  submit(text: string): void;
  take(): ParsedText;
  stop(): void;
}

const addon = loadAddon();

/**
 * The tree as apiposture's own addon gives it (native/tree-walk.c), when it was built at install: parsed and walked
 * in one native call that leaves out what the copy below leaves out, where the copy makes three to five calls per
 * node. Undefined without the addon (no compiler at install): then the copy below is read.
 */
const native = addon && nativeWalk(addon);
export const nativeParse = native?.parse;
/** Parsing ahead on the addon's thread (see ParseAhead); undefined without the addon. */
export const parseAhead = native?.ahead;

/**
 * Gives back to the system what parsing freed, once the files are parsed: glibc keeps it for reuse, and after a
 * service with files of hundreds of kilobytes that was 30–40 MB of the scan's peak. Nothing without the addon.
 */
export function releaseParserMemory(): void {
  addon?.trim();
}

function loadAddon(): TreeWalkAddon | undefined {
  // The build's root: dist/src/python/ compiled, src/python/ under ts-jest.
  const root = path.join(__dirname, ...(__filename.endsWith('.ts') ? ['..', '..'] : ['..', '..', '..']));
  try {
    return require(path.join(root, 'native', 'build', 'Release', 'tree_walk.node')) as TreeWalkAddon;
  } catch {
    return undefined;
  }
}

function nativeWalk(addon: TreeWalkAddon): { parse: (text: string) => ParsedText; ahead: () => ParseAhead } {
  const { names, named, fields } = addon.symbols(Python.language);
  const flags = Uint8Array.from(names, (type, id) => {
    const kind = kindOf(type, named[id]);
    return (kind.unread ? 1 : 0) | (kind.token ? 2 : 0); // SKIP, LEAF
  });
  const fieldNames = fields.map((f) => f ?? undefined);
  const tree = ({ records, errorLine }: Walked, text: string): ParsedText => ({ root: nodesFrom(records, new Source(text), names, named, fieldNames), ...(errorLine && { errorLine }) });
  return {
    parse: (text) => tree(addon.parse(text, Python.language, flags), text),
    ahead: () => {
      const handle = addon.startAhead(Python.language, flags);
      const submitted: string[] = [];
      return {
        submit: (text) => {
          addon.submit(handle, text);
          submitted.push(text);
        },
        take: () => tree(addon.take(handle), submitted.shift()!),
        stop: () => addon.stop(handle),
      };
    },
  };
}

// tree-sitter's symbol for ERROR nodes, past the language's own.
const ERROR_SYMBOL = 0xffff;

/** Nodes from the addon's records: symbol, field, start, end and the number of children, in pre-order. */
function nodesFrom(records: Int32Array, source: Source, names: string[], named: boolean[], fields: (string | undefined)[]): Node {
  const ancestors: Node[] = []; // the last node read and its ancestors, with how many children each has yet to get
  const childrenLeft: number[] = [];
  let root: Node | undefined;
  for (let i = 0; i < records.length; i += 5) {
    const symbol = records[i];
    // Each list of children made as long as it will be: a list grown by push has room for 16 more.
    const children = records[i + 4] ? new Array<Node>(records[i + 4]) : NO_CHILDREN;
    const node = symbol === ERROR_SYMBOL ? new Node(source, 'ERROR', true, fields[records[i + 1]], children) : new Node(source, names[symbol], named[symbol], fields[records[i + 1]], children);
    node.startIndex = records[i + 2];
    node.endIndex = records[i + 3];
    if (ancestors.length) {
      const siblings = ancestors[ancestors.length - 1].children;
      siblings[siblings.length - childrenLeft[childrenLeft.length - 1]--] = node;
    } else root = node;
    ancestors.push(node);
    childrenLeft.push(records[i + 4]);
    while (childrenLeft.length && childrenLeft[childrenLeft.length - 1] === 0) {
      ancestors.pop();
      childrenLeft.pop();
    }
  }
  return root!;
}

/** Copies `tree` (parsed from `text`) into plain objects; the native tree may be dropped afterwards. */
export function copyTree(tree: Parser.Tree, text: string): PyNode {
  const source = new Source(text);
  const cursor = tree.walk();
  // Names and flags by id, asked of the addon once per kind of node or field.
  const kinds = new Map<number, Kind>();
  const fields = new Map<number, string | undefined>([[0, undefined]]);
  const kindHere = (): Kind => {
    const typeId = cursor.nodeTypeId;
    let kind = kinds.get(typeId);
    if (!kind) {
      const type = cursor.nodeType;
      const named = cursor.nodeIsNamed;
      kinds.set(typeId, (kind = { type, named, ...kindOf(type, named), ownText: named && WITH_OWN_TEXT.has(type) }));
    }
    return kind;
  };
  const make = (kind: Kind, parent: Kind | undefined): Node => {
    const fieldId = parent && !parent.fielded ? 0 : cursor.currentFieldId;
    if (!fields.has(fieldId)) fields.set(fieldId, cursor.currentFieldName);
    const node = new Node(source, kind.type, kind.named, fields.get(fieldId));
    node.startIndex = cursor.startIndex;
    return node; // its end is set as the walk leaves it
  };
  const rootKind = kindHere();
  const root = make(rootKind, undefined);
  root.endIndex = cursor.endIndex; // past its last child: the module ends with the text
  const path: Node[] = [root]; // the copies of the cursor's node (when copied) and its ancestors
  const pathKinds: Kind[] = [rootKind]; // their kinds
  /** The cursor's new node, a child of the last copied one: copied unless unread. */
  const enter = (): boolean => {
    const kind = kindHere();
    if (kind.unread) return false;
    const node = make(kind, pathKinds[pathKinds.length - 1]);
    path[path.length - 1].children.push(node);
    path.push(node);
    pathKinds.push(kind);
    return true;
  };
  let copied = true; // whether the cursor's node is the last of `path`
  for (;;) {
    if (copied && !pathKinds[pathKinds.length - 1].token && cursor.gotoFirstChild()) {
      copied = enter();
      continue;
    }
    // Climb until a node has a next sibling; past the root, the copy is complete. A node below the root ends where
    // its last child does (unless text of its own follows it): asked of the addon only when that child was not copied.
    for (;;) {
      if (copied) {
        const node = path.pop() as Node;
        pathKinds.pop();
        if (node.endIndex < 0) node.endIndex = cursor.endIndex;
      }
      if (!path.length) return root;
      if (cursor.gotoNextSibling()) {
        copied = enter();
        break;
      }
      const parent = path[path.length - 1];
      if (copied && parent.endIndex < 0 && !pathKinds[pathKinds.length - 1].ownText) parent.endIndex = parent.children[parent.children.length - 1].endIndex;
      cursor.gotoParent();
      copied = true;
    }
  }
}
