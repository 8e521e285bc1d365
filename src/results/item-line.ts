import type { ItemRecord } from './types.ts';

/** JSON of the last few task names and worker ids: a map repeats the same ones on every line. */
let lastTask = '';
let lastTaskJson = '""';
let lastWorker = '';
let lastWorkerJson = '""';

/**
 * The JSON line of an item record, byte for byte what `JSON.stringify(record)` gives, built from
 * its parts: a map writes one per item, and the generic serializer (one call scanning eleven keys
 * and every string for escapes) is a large share of a no-op item. Only the item, the result and
 * the error go through `JSON.stringify`; a value it would treat specially (an `undefined` key to
 * drop, a number that is not finite) takes the generic path for the whole record.
 */
export function itemRecordLine(record: ItemRecord): string {
  const { index, durationMs, attempts, startedAt, worker, error } = record;
  const item = jsonOf(record.item);
  const result = jsonOf(record.result);
  if (
    item === undefined ||
    result === undefined ||
    !Number.isFinite(durationMs) ||
    !Number.isInteger(attempts) ||
    (index !== null && !Number.isInteger(index)) ||
    (startedAt !== null && !ISO_TIMESTAMP.test(startedAt))
  ) {
    return JSON.stringify(record);
  }
  if (record.task !== lastTask) {
    lastTask = record.task;
    lastTaskJson = JSON.stringify(lastTask);
  }
  if (worker !== null && worker !== lastWorker) {
    lastWorker = worker;
    lastWorkerJson = JSON.stringify(worker);
  }
  return `{"type":"item","task":${lastTaskJson},"index":${index === null ? 'null' : String(index)},"item":${item},"status":"${record.status}","result":${result},"error":${error === null ? 'null' : JSON.stringify(error)},"attempts":${String(attempts)},"startedAt":${startedAt === null ? 'null' : `"${startedAt}"`},"durationMs":${String(durationMs)},"worker":${worker === null ? 'null' : lastWorkerJson}}`;
}

/** What `Date.prototype.toISOString` gives: nothing in it needs escaping. */
const ISO_TIMESTAMP = /^[\d:.TZ+-]+$/;

/** `undefined` when the value has no JSON form (the generic path then drops its key). */
function jsonOf(value: unknown): string | undefined {
  if (value === null) return 'null';
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  // A function or symbol has none, whatever the declared return type of JSON.stringify says.
  const json: string | undefined = JSON.stringify(value);
  return json;
}
