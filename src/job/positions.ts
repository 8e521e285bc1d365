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
  return positionOf(target, lineCounter);
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
