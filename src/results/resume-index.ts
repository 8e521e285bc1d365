import { closeSync, openSync, readSync } from 'node:fs';
import type { ItemRecord } from './types.ts';

/** Bytes read from the previous file at a time while indexing it. */
const CHUNK_BYTES = 1024 * 1024;
/** Slots of a new table; it doubles when three quarters are taken. */
const INITIAL_SLOTS = 1024;

const ITEM_PREFIX = Buffer.from('{"type":"item"');
const KEY_FIELD = Buffer.from(',"key":"');
const CACHED_TAIL = Buffer.from(',"cached":true}');
const OK_STATUS = Buffer.from('"status":"ok"');
const KEY_HEX = 32;

/** The `ok` records of the previous results file, found by item key. */
export interface ResumeIndex {
  /** Lines indexed as `ok` records (a key that appears twice counts twice). */
  readonly size: number;
  /** The `ok` record of `key` in the previous file, or `null`. */
  find(key: string): ItemRecord | null;
  close(): void;
}

/**
 * Indexes a results file without keeping its records: the file is read once, line by line, and
 * each line that may be an `ok` item record goes into an open-addressing table over typed arrays,
 * keyed by the first 64 bits of its key, holding where the line lies in the file. A lookup reads
 * that line back and checks its whole key and status before trusting it, so the table may hold
 * lines that are not `ok` records (a nested `"status":"ok"` in an item) and never needs a string
 * per line: a million records take about 40 MB.
 *
 * A line is found by its shape as jobrun writes it: it starts `{"type":"item"` and ends with
 * `"key":"<32 hex>"}` (or `…,"cached":true}`). Other lines, a torn last line and records of
 * versions before keys are passed over.
 */
export class ResumeIndexFile implements ResumeIndex {
  readonly #fd: number;
  #mask = INITIAL_SLOTS - 1;
  #high = new Uint32Array(INITIAL_SLOTS);
  #low = new Uint32Array(INITIAL_SLOTS);
  /** Byte offset of the line in the file. */
  #offset = new Float64Array(INITIAL_SLOTS);
  /** Length of the line in bytes; 0: the slot is free (a line is never empty). */
  #length = new Uint32Array(INITIAL_SLOTS);
  #size = 0;
  #scratch = Buffer.alloc(4096);

  /** Opens and indexes `path`; throws what opening or reading it throws. */
  constructor(path: string) {
    this.#fd = openSync(path, 'r');
    try {
      this.#read();
    } catch (error) {
      closeSync(this.#fd);
      throw error;
    }
  }

  get size(): number {
    return this.#size;
  }

  find(key: string): ItemRecord | null {
    if (key.length !== KEY_HEX) return null;
    const high = parseInt(key.slice(0, 8), 16) >>> 0;
    const low = parseInt(key.slice(8, 16), 16) >>> 0;
    const mask = this.#mask;
    for (let slot = low & mask; this.#length[slot] !== 0; slot = (slot + 1) & mask) {
      if (this.#high[slot] !== high || this.#low[slot] !== low) continue;
      const record = this.#recordAt(slot);
      if (record?.key === key && record.status === 'ok') return record;
    }
    return null;
  }

  close(): void {
    try {
      closeSync(this.#fd);
    } catch {
      // Only read from: nothing is lost.
    }
  }

  #recordAt(slot: number): ItemRecord | null {
    const length = this.#length[slot] as number;
    if (this.#scratch.length < length) this.#scratch = Buffer.alloc(length * 2);
    const read = readSync(this.#fd, this.#scratch, 0, length, this.#offset[slot] as number);
    try {
      const record = JSON.parse(this.#scratch.toString('utf8', 0, read)) as unknown;
      return typeof record === 'object' && record !== null && !Array.isArray(record)
        ? (record as ItemRecord)
        : null;
    } catch {
      return null;
    }
  }

  #read(): void {
    let buffer = Buffer.alloc(CHUNK_BYTES);
    /** File offset of `buffer[0]`. */
    let base = 0;
    let filled = 0;
    for (;;) {
      const read = readSync(this.#fd, buffer, filled, buffer.length - filled, base + filled);
      // A last line without its newline was cut short by a crash: it is not a whole record.
      if (read === 0) return;
      filled += read;
      const view = buffer.subarray(0, filled);
      let start = 0;
      // Where `"status":"ok"` next occurs, found once per occurrence rather than once per line.
      let nextOk = view.indexOf(OK_STATUS);
      for (let end = view.indexOf(10); end !== -1; end = view.indexOf(10, start)) {
        while (nextOk !== -1 && nextOk < start) nextOk = view.indexOf(OK_STATUS, start);
        if (nextOk !== -1 && nextOk < end) this.#addLine(view, start, end, base);
        start = end + 1;
      }
      buffer.copy(buffer, 0, start, filled);
      base += start;
      filled -= start;
      if (filled === buffer.length) {
        // One line longer than the buffer (a large result): room for it to end.
        const larger = Buffer.alloc(buffer.length * 2);
        buffer.copy(larger, 0, 0, filled);
        buffer = larger;
      }
    }
  }

  /** Indexes the line `[start, end)` of `view` (whose first byte is at `base` in the file). */
  #addLine(view: Buffer, start: number, end: number, base: number): void {
    if (end - start < ITEM_PREFIX.length + KEY_FIELD.length + KEY_HEX + 2) return;
    if (view.compare(ITEM_PREFIX, 0, ITEM_PREFIX.length, start, start + ITEM_PREFIX.length) !== 0)
      return;
    const isCached =
      view.compare(CACHED_TAIL, 0, CACHED_TAIL.length, end - CACHED_TAIL.length, end) === 0;
    // The closing quote of the key, then `}` or `,"cached":true}`.
    const quote = isCached ? end - CACHED_TAIL.length - 1 : end - 2;
    const keyStart = quote - KEY_HEX;
    if (keyStart - KEY_FIELD.length < start || view[quote] !== 0x22) return;
    if (view.compare(KEY_FIELD, 0, KEY_FIELD.length, keyStart - KEY_FIELD.length, keyStart) !== 0)
      return;
    const high = hexWord(view, keyStart);
    const low = hexWord(view, keyStart + 8);
    if (high === -1 || low === -1) return;
    if (this.#size * 4 >= (this.#mask + 1) * 3) this.#grow();
    const mask = this.#mask;
    let slot = low & mask;
    for (; this.#length[slot] !== 0; slot = (slot + 1) & mask) {
      // A cached line copies an `ok` line earlier in the file, of the same key: kept once, so a
      // file that resumed runs appended to several times does not grow the table.
      if (isCached && this.#high[slot] === high && this.#low[slot] === low) return;
    }
    this.#high[slot] = high;
    this.#low[slot] = low;
    this.#offset[slot] = base + start;
    this.#length[slot] = end - start;
    this.#size++;
  }

  #grow(): void {
    const high = this.#high;
    const low = this.#low;
    const offset = this.#offset;
    const length = this.#length;
    const slots = high.length * 2;
    const mask = slots - 1;
    this.#high = new Uint32Array(slots);
    this.#low = new Uint32Array(slots);
    this.#offset = new Float64Array(slots);
    this.#length = new Uint32Array(slots);
    this.#mask = mask;
    for (let i = 0; i < high.length; i++) {
      if (length[i] === 0) continue;
      let slot = (low[i] as number) & mask;
      while (this.#length[slot] !== 0) slot = (slot + 1) & mask;
      this.#high[slot] = high[i] as number;
      this.#low[slot] = low[i] as number;
      this.#offset[slot] = offset[i] as number;
      this.#length[slot] = length[i] as number;
    }
  }
}

/** The number of 8 lowercase hex digits at `at`, or -1 when they are not. */
function hexWord(view: Buffer, at: number): number {
  let value = 0;
  for (let i = at; i < at + 8; i++) {
    const byte = view[i] as number;
    let digit: number;
    if (byte >= 0x30 && byte <= 0x39) digit = byte - 0x30;
    else if (byte >= 0x61 && byte <= 0x66) digit = byte - 0x57;
    else return -1;
    value = value * 16 + digit;
  }
  return value >>> 0;
}
