/**
 * A plain JavaScript copy of a tree-sitter tree, built in one cursor walk. Every property read on a native
 * node crosses into the addon and allocates a wrapper (about 1–3 µs each); facts extraction reads tens of
 * properties per node, so copying each node once (its type, field, named flag and range) and reading the
 * copy is about twice as fast. Rows and columns come from the text, not the addon. (A node's range must be
 * asked for, not derived from its children: `string_content` is longer than its escape sequences.)
 */
import type Parser from 'tree-sitter';

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

class Node implements PyNode {
  readonly children: Node[] = [];
  startIndex = 0;
  endIndex = 0;
  private named?: Node[];

  constructor(
    private readonly source: Source,
    readonly type: string,
    readonly isNamed: boolean,
    readonly field: string | undefined,
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
    this.named ??= this.children.filter((c) => c.isNamed);
    return this.named;
  }

  childForFieldName(name: string): Node | null {
    return this.children.find((c) => c.field === name) ?? null;
  }

  childrenForFieldName(name: string): Node[] {
    return this.children.filter((c) => c.field === name);
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

/** Copies `tree` (parsed from `text`) into plain objects; the native tree may be dropped afterwards. */
export function copyTree(tree: Parser.Tree, text: string): PyNode {
  const source = new Source(text);
  const cursor = tree.walk();
  // Names and flags by id, asked of the addon once per kind of node or field.
  const kinds = new Map<number, { type: string; named: boolean }>();
  const fields = new Map<number, string | undefined>([[0, undefined]]);
  const make = (): Node => {
    const typeId = cursor.nodeTypeId;
    let kind = kinds.get(typeId);
    if (!kind) kinds.set(typeId, (kind = { type: cursor.nodeType, named: cursor.nodeIsNamed }));
    const fieldId = cursor.currentFieldId;
    if (!fields.has(fieldId)) fields.set(fieldId, cursor.currentFieldName);
    const node = new Node(source, kind.type, kind.named, fields.get(fieldId));
    node.startIndex = cursor.startIndex;
    node.endIndex = cursor.endIndex;
    return node;
  };
  const addChild = (parent: Node): Node => {
    const child = make();
    parent.children.push(child);
    return child;
  };
  const root = make();
  const path: Node[] = [root]; // the cursor's node and its ancestors
  for (;;) {
    if (cursor.gotoFirstChild()) {
      path.push(addChild(path[path.length - 1]));
      continue;
    }
    // Climb until a node has a next sibling; past the root, the copy is complete.
    for (;;) {
      path.pop();
      const parent = path[path.length - 1];
      if (!parent) return root;
      if (cursor.gotoNextSibling()) {
        path.push(addChild(parent));
        break;
      }
      cursor.gotoParent();
    }
  }
}
