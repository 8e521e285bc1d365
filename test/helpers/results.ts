import { readFileSync } from 'node:fs';

export type JsonRecord = Record<string, unknown> & { type: string };

/** Every line of a results file, parsed; fails the test on a partial line. */
export function readRecords(path: string): JsonRecord[] {
  const text = readFileSync(path, 'utf8');
  if (text.length > 0 && !text.endsWith('\n')) throw new Error(`${path} ends inside a record`);
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as JsonRecord);
}

export function itemRecords(records: JsonRecord[], task?: string): JsonRecord[] {
  return records.filter(
    (record) => record.type === 'item' && (task === undefined || record.task === task),
  );
}

/** The item records of one task in index order. */
export function byIndex(records: JsonRecord[], task: string): JsonRecord[] {
  return itemRecords(records, task).sort((a, b) => (a.index as number) - (b.index as number));
}

function withoutVolatile(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutVolatile);
  if (value === null || typeof value !== 'object') return value;
  const copy: Record<string, unknown> = {};
  const code = (value as { code?: unknown }).code;
  // How a worker died or was stopped is worded by each kind in its own terms; the code is the contract.
  if (code === 'WORKER_CRASHED' || code === 'TIMEOUT' || code === 'CANCELLED') return { code };
  for (const [key, inner] of Object.entries(value)) {
    if (
      ['startedAt', 'durationMs', 'worker', 'runId', 'finishedAt', 'stack', 'date', 'at'].includes(
        key,
      )
    )
      continue;
    copy[key] = withoutVolatile(inner);
  }
  return copy;
}

/**
 * A results file without what legitimately differs between runs and executor kinds (timings,
 * worker names, run id, stacks), items sorted by task and index: two runs of the same job on
 * different kinds must give equal values. Items of the `streamed` tasks (`map: { from }`) are
 * numbered in arrival order, which varies, so they are compared as a set.
 */
export function comparable(records: JsonRecord[], streamed: readonly string[] = []): unknown[] {
  const run = records
    .filter((record) => record.type === 'run')
    .map((record) => ({ ...(withoutVolatile(record) as object), executor: null }));
  const items = itemRecords(records)
    .map((record) => {
      const stable = withoutVolatile(record) as JsonRecord;
      if (streamed.includes(String(record.task))) delete stable.index;
      return stable;
    })
    .sort(
      (left, right) =>
        String(left.task).localeCompare(String(right.task)) ||
        Number(left.index ?? 0) - Number(right.index ?? 0) ||
        JSON.stringify(left).localeCompare(JSON.stringify(right)),
    );
  const summary = records.filter((record) => record.type === 'summary').map(withoutVolatile);
  return [...run, ...items, ...summary];
}

/** The `error` of an item record, `{}` when it has none. */
export function errorOf(record: JsonRecord | undefined): { code?: string; message?: string } {
  const error = record?.error;
  return typeof error === 'object' && error !== null ? error : {};
}
