import assert from 'node:assert/strict';
import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The fixture function every flow test runs: it stamps its own start and end to `$STAMPS`. */
export function copyStampFixture(dir: string): void {
  const source = fileURLToPath(new URL('../fixtures/flow/stamp.mjs', import.meta.url));
  copyFileSync(source, join(dir, 'stamp.mjs'));
}

export interface Stamp {
  task: string;
  index: number | null;
  attempt: number;
  start: number;
  end: number;
}

export function readStamps(path: string): Stamp[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Stamp);
}

/** Asserts no window of `perMs` holds more than `limit` of `startsMs`. */
export function assertSlidingRate(startsMs: number[], limit: number, perMs: number): void {
  const sorted = [...startsMs].sort((a, b) => a - b);
  for (let i = 0; i + limit < sorted.length; i++) {
    const first = sorted[i] ?? 0;
    const next = sorted[i + limit] ?? 0;
    assert.ok(
      next - first >= perMs,
      `${limit + 1} starts within ${next - first} ms (< ${perMs}): ${sorted.join(', ')}`,
    );
  }
}

/** The most spans `[start, end)` that overlap at any moment. */
export function maxOverlap(spans: Array<{ start: number; end: number }>): number {
  const edges = spans.flatMap(({ start, end }) => [
    [start, 1],
    [end, -1],
  ]);
  // An end sorts before a start at the same millisecond: the spans only touch.
  edges.sort((a, b) => (a[0] ?? 0) - (b[0] ?? 0) || (a[1] ?? 0) - (b[1] ?? 0));
  let now = 0;
  let most = 0;
  for (const [, step] of edges) {
    now += step ?? 0;
    most = Math.max(most, now);
  }
  return most;
}
