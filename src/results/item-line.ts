import type { ItemRecord } from './types.ts';

/** JSON of the last task name and worker id seen: a map repeats the same ones on every line. */
let lastTask = '';
let lastTaskJson = '""';
let lastWorker = '';
let lastWorkerJson = '""';

/** What `Date.prototype.toISOString` gives: nothing in it needs escaping. */
const ISO_TIMESTAMP = /^[\d:.TZ+-]+$/;

/**
 * Appends the JSON line of an item record (with its newline) to `parts` as pieces and returns its
 * length in characters. The pieces joined are byte for byte `JSON.stringify(record) + '\n'`.
 *
 * A map writes one line per item: the generic serializer (one call scanning eleven keys and every
 * string for escapes) and a concatenated string per line (a tree of small strings, flattened again
 * when the batch is joined) are a large share of a no-op item. Only the item, the result and the
 * error go through `JSON.stringify`; a value it treats specially (an `undefined` key to drop, a
 * number that is not finite) sends the whole record through the generic path.
 */
export function appendItemRecord(parts: string[], record: ItemRecord): number {
  const { index, durationMs, attempts, startedAt, worker, error, key } = record;
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
    const line = JSON.stringify(record) + '\n';
    parts.push(line);
    return line.length;
  }
  if (record.task !== lastTask) {
    lastTask = record.task;
    lastTaskJson = JSON.stringify(lastTask);
  }
  if (worker !== null && worker !== lastWorker) {
    lastWorker = worker;
    lastWorkerJson = JSON.stringify(worker);
  }
  const indexText = index === null ? 'null' : String(index);
  const errorText = error === null ? 'null' : JSON.stringify(error);
  const attemptsText = String(attempts);
  const startedText = startedAt === null ? 'null' : startedAt;
  const durationText = String(durationMs);
  const workerText = worker === null ? 'null' : lastWorkerJson;
  const quote = startedAt === null ? '' : '"';
  // A key is hex (`itemKey`): nothing in it needs escaping.
  const keyText = key === null ? 'null' : '"' + key + '"';
  const tail = record.cached === true ? ',"cached":true}\n' : '}\n';
  parts.push(
    '{"type":"item","task":',
    lastTaskJson,
    ',"index":',
    indexText,
    ',"item":',
    item,
    ',"status":"',
    record.status,
    '","result":',
    result,
    ',"error":',
    errorText,
    ',"attempts":',
    attemptsText,
    ',"startedAt":',
    quote,
    startedText,
    quote,
    ',"durationMs":',
    durationText,
    ',"worker":',
    workerText,
    ',"key":',
    keyText,
    tail,
  );
  return (
    LINE_FIXED_LENGTH +
    record.status.length +
    lastTaskJson.length +
    indexText.length +
    item.length +
    result.length +
    errorText.length +
    attemptsText.length +
    2 * quote.length +
    startedText.length +
    durationText.length +
    workerText.length +
    keyText.length +
    tail.length
  );
}

const LINE_FIXED_LENGTH = [
  '{"type":"item","task":',
  ',"index":',
  ',"item":',
  ',"status":"',
  '","result":',
  ',"error":',
  ',"attempts":',
  ',"startedAt":',
  ',"durationMs":',
  ',"worker":',
  ',"key":',
].join('').length;

/** The JSON line of an item record, without its newline: `JSON.stringify(record)`. */
export function itemRecordLine(record: ItemRecord): string {
  const parts: string[] = [];
  appendItemRecord(parts, record);
  return parts.join('').slice(0, -1);
}

/** `undefined` when the value has no JSON form (the generic path then drops its key). */
function jsonOf(value: unknown): string | undefined {
  if (value === null) return 'null';
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  // A function or symbol has none, whatever the declared return type of JSON.stringify says.
  const json: string | undefined = JSON.stringify(value);
  return json;
}
