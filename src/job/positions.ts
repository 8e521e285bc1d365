import { isMap, isScalar, isSeq, type Document, type LineCounter, type Node } from 'yaml';
import type { JobPath } from './issue.ts';

/** A 1-based place in the job file. */
export interface Position {
  line: number;
  col: number;
}

/**
 * Finds the line and column of a path in the YAML document. A path that does not exist (a
 * missing key) falls back to its nearest existing ancestor. A mapping or list is placed at its
 * key (`fetch:` rather than its first child); `at: 'key'` places a scalar at its key too.
 */
export function locate(
  document: Document,
  lineCounter: LineCounter,
  path: JobPath,
  at: 'key' | 'value' = 'value',
  inValue?: { offset: number; source: string },
): Position {
  let node: unknown = document.contents;
  let keyNode: unknown;
  let isComplete = true;
  for (const segment of path) {
    if (isMap(node)) {
      const pair = node.items.find((item) => keyText(item.key) === String(segment));
      if (pair === undefined) {
        isComplete = false;
        break;
      }
      keyNode = pair.key;
      node = pair.value ?? undefined;
    } else if (isSeq(node) && typeof segment === 'number' && segment < node.items.length) {
      keyNode = undefined;
      node = node.items[segment];
    } else {
      isComplete = false;
      break;
    }
  }
  const preferKey = at === 'key' || !isComplete || node === undefined || !isScalar(node);
  const target = preferKey && keyNode !== undefined ? keyNode : node;
  if (!preferKey && inValue !== undefined) {
    const inside = expressionPosition(node, lineCounter, inValue.offset, inValue.source);
    if (inside !== null) return inside;
  }
  return positionOf(target, lineCounter);
}

const OPEN = '${{';

/**
 * The place of the `${{` at `offset` of a string scalar: the same-numbered `${{` in the scalar's
 * source text, since quoting, folding and escapes leave `${{` itself as it is. `null` when the
 * source does not show it (a `${{` written with escapes).
 */
function expressionPosition(
  node: unknown,
  lineCounter: LineCounter,
  offset: number,
  source: string,
): Position | null {
  if (!isScalar(node) || typeof node.value !== 'string' || !node.range) return null;
  const value = node.value;
  let count = 0;
  for (let at = value.indexOf(OPEN); at !== -1 && at < offset; at = value.indexOf(OPEN, at + 1)) {
    count++;
  }
  const [start, end] = node.range;
  let found = source.indexOf(OPEN, start);
  for (; found !== -1 && found < end && count > 0; count--) {
    found = source.indexOf(OPEN, found + 1);
  }
  return found === -1 || found >= end ? null : lineCounter.linePos(found);
}

function keyText(key: unknown): string | undefined {
  if (isScalar(key)) return String(key.value);
  return undefined;
}

function positionOf(node: unknown, lineCounter: LineCounter): Position {
  const range = (node as Node | undefined)?.range;
  if (range === undefined || range === null) return { line: 1, col: 1 };
  return lineCounter.linePos(range[0]);
}
