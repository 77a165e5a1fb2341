import { isAlias, isMap, isScalar, isSeq, type Document, type LineCounter } from 'yaml';

export type ConfigPath = readonly PropertyKey[];

export interface SourcePosition {
  line: number;
  column: number;
}

interface Located {
  /** Start of the key naming the node, or of the node itself for a list item. */
  nameStart: number;
  valueStart: number | undefined;
}

/**
 * Finds where the setting at `path` is written: its value, or its key with `at: 'key'`. When
 * the path does not exist in the file (a missing setting), it points at the nearest parent
 * that does, so the reader lands on the map that lacks the key.
 */
export function locatePath(
  document: Document,
  lineCounter: LineCounter,
  path: ConfigPath,
  at: 'key' | 'value' = 'value',
): SourcePosition {
  const root = resolve(document, document.contents);
  const rootStart = rangeStart(root) ?? 0;
  let node = root;
  let found: Located = { nameStart: rootStart, valueStart: rootStart };

  for (const segment of path) {
    const child = findChild(node, segment);
    if (!child) return toPosition(lineCounter, found.nameStart);

    node = resolve(document, child.value);
    const valueStart = rangeStart(node);
    found = { nameStart: rangeStart(child.key) ?? valueStart ?? found.nameStart, valueStart };
  }

  const offset = at === 'key' ? found.nameStart : (found.valueStart ?? found.nameStart);
  return toPosition(lineCounter, offset);
}

/** Renders a path the way the documentation names settings: `accounts[0].quietHours.start`. */
export function formatPath(path: ConfigPath): string {
  return path
    .map((segment, index) => {
      if (typeof segment === 'number') return `[${segment}]`;

      const name = String(segment);
      if (!/^[A-Za-z_$][\w$-]*$/.test(name)) return `[${JSON.stringify(name)}]`;
      return index === 0 ? name : `.${name}`;
    })
    .join('');
}

function findChild(node: unknown, segment: PropertyKey): { key?: unknown; value: unknown } | null {
  if (isMap(node)) {
    const name = String(segment);
    const pair = node.items.find((item) => isScalar(item.key) && String(item.key.value) === name);
    return pair ? { key: pair.key, value: pair.value } : null;
  }

  if (isSeq(node) && typeof segment === 'number' && segment < node.items.length) {
    return { value: node.items[segment] };
  }

  return null;
}

function resolve(document: Document, node: unknown): unknown {
  return isAlias(node) ? node.resolve(document) : node;
}

function rangeStart(node: unknown): number | undefined {
  const range = (node as { range?: [number, number, number] } | null)?.range;
  return range?.[0];
}

function toPosition(lineCounter: LineCounter, offset: number): SourcePosition {
  const { line, col } = lineCounter.linePos(offset);
  return { line, column: col };
}
