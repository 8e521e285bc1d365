import { closeSync, openSync, readSync, writeSync } from 'node:fs';
import type { ItemRecord } from './types.ts';

/** Bytes read from the previous file at a time while indexing it. */
const CHUNK_BYTES = 1024 * 1024;
/** Bytes read back at a time for lookups. */
const WINDOW_BYTES = 64 * 1024;
/** Slots of a new table; it doubles when three quarters are taken. */
const INITIAL_SLOTS = 1024;

const ITEM_PREFIX = Buffer.from('{"type":"item"');
const KEY_FIELD = Buffer.from(',"key":"');
const CACHED_TAIL = Buffer.from(',"cached":true}');
const OK_STATUS = Buffer.from('"status":"ok"');
const KEY_HEX = 32;
/** The shortest line that can hold an item record's prefix and key. */
const MIN_LINE_BYTES = ITEM_PREFIX.length + KEY_FIELD.length + KEY_HEX + 2;

/** The `ok` records of the previous results file, found by item key. */
export interface ResumeIndex {
  /** Lines indexed as `ok` records (a key that appears twice counts twice). */
  readonly size: number;
  /** Whether it holds `ok` item records without a key (written by a jobrun before keys). */
  readonly hasKeyless: boolean;
  /** The `ok` record of `key` in the previous file, or `null`. */
  find(key: string): ItemRecord | null;
  close(): void;
}

/**
 * Indexes a results file without keeping its records: the file is read once, line by line, and
 * each line that may be an `ok` item record goes into an open-addressing table over typed arrays:
 * the key's first 32 bits (its tag) place it and tell keys apart, with where the line starts in
 * the file. A lookup reads that line back and checks its whole key and
 * status before trusting it, so the table may hold lines that are not `ok` records (a nested
 * `"status":"ok"` in an item) and never needs a string per line: a million records take 24 MB.
 *
 * A line is found by its shape as jobrun writes it: it starts `{"type":"item"` and ends with
 * `"key":"<32 hex>"}` (or `…,"cached":true}`). Other lines, a torn last line and records of
 * versions before keys are passed over; the first `ok` record without a key is noted
 * (`hasKeyless`).
 */
export class ResumeIndexFile implements ResumeIndex {
  readonly #fd: number;
  #mask = INITIAL_SLOTS - 1;
  /** The key's first 32 bits. */
  #tags = new Uint32Array(INITIAL_SLOTS);
  /** Byte offset of the line in the file, plus one; 0: the slot is free. */
  #offsets = new Float64Array(INITIAL_SLOTS);
  #size = 0;
  #hasKeyless = false;
  /** Bytes of the file read back for lookups, from `#windowStart`. */
  #window = Buffer.alloc(WINDOW_BYTES);
  #windowStart = 0;
  #windowLength = 0;

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

  get hasKeyless(): boolean {
    return this.#hasKeyless;
  }

  find(key: string): ItemRecord | null {
    if (key.length !== KEY_HEX) return null;
    const tag = parseInt(key.slice(0, 8), 16) >>> 0;
    const mask = this.#mask;
    for (let slot = tag & mask; this.#offsets[slot] !== 0; slot = (slot + 1) & mask) {
      if (this.#tags[slot] !== tag) continue;
      const record = this.#recordAt((this.#offsets[slot] as number) - 1);
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

  #recordAt(offset: number): ItemRecord | null {
    const line = this.#lineAt(offset);
    if (line === null) return null;
    try {
      const record = JSON.parse(line) as unknown;
      return typeof record === 'object' && record !== null && !Array.isArray(record)
        ? (record as ItemRecord)
        : null;
    } catch {
      return null;
    }
  }

  /** The line that starts at `offset`, without its newline; `null` past the end. */
  #lineAt(offset: number): string | null {
    for (;;) {
      const at = offset - this.#windowStart;
      if (at >= 0 && at < this.#windowLength) {
        const end = this.#window.indexOf(10, at);
        if (end !== -1 && end < this.#windowLength) return this.#window.toString('utf8', at, end);
        // The line goes on past the window: a window that starts with it and holds it whole.
        if (at === 0 && this.#windowLength === this.#window.length)
          this.#window = Buffer.alloc(this.#window.length * 2);
        else if (at === 0) return null;
      }
      // Lookups mostly follow the file's order: one read serves the lines after this one too.
      this.#windowStart = offset;
      this.#windowLength = readSync(this.#fd, this.#window, 0, this.#window.length, offset);
      if (this.#windowLength === 0) return null;
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
    if (end - start < MIN_LINE_BYTES || !bytesAt(view, start, ITEM_PREFIX)) return;
    const isCached = bytesAt(view, end - CACHED_TAIL.length, CACHED_TAIL);
    // The closing quote of the key, then `}` or `,"cached":true}`.
    const quote = isCached ? end - CACHED_TAIL.length - 1 : end - 2;
    const keyStart = quote - KEY_HEX;
    if (
      keyStart - KEY_FIELD.length < start ||
      view[quote] !== 0x22 ||
      !bytesAt(view, keyStart - KEY_FIELD.length, KEY_FIELD)
    ) {
      if (!this.#hasKeyless) this.#hasKeyless = isKeylessOk(view.toString('utf8', start, end));
      return;
    }
    const tag = hexWord(view, keyStart);
    if (tag === -1) return;
    if (this.#size * 4 >= (this.#mask + 1) * 3) this.#grow();
    const mask = this.#mask;
    let slot = tag & mask;
    for (; this.#offsets[slot] !== 0; slot = (slot + 1) & mask) {
      // A cached line copies an `ok` line earlier in the file, of the same key: kept once, so a
      // file that resumed runs appended to several times does not grow the table.
      if (
        isCached &&
        this.#tags[slot] === tag &&
        this.#keyAt(slot) === view.toString('latin1', keyStart, keyStart + KEY_HEX)
      )
        return;
    }
    this.#tags[slot] = tag;
    this.#offsets[slot] = base + start + 1;
    this.#size++;
  }

  /** The key of a slot's line, read back from the file. */
  #keyAt(slot: number): string | null {
    const line = this.#lineAt((this.#offsets[slot] as number) - 1);
    const at = line === null ? -1 : line.lastIndexOf(',"key":"');
    return line === null || at === -1 ? null : line.slice(at + 8, at + 8 + KEY_HEX);
  }

  #grow(): void {
    const tags = this.#tags;
    const offsets = this.#offsets;
    const slots = tags.length * 2;
    const mask = slots - 1;
    this.#tags = new Uint32Array(slots);
    this.#offsets = new Float64Array(slots);
    this.#mask = mask;
    for (let i = 0; i < tags.length; i++) {
      if (offsets[i] === 0) continue;
      let slot = (tags[i] as number) & mask;
      while (this.#offsets[slot] !== 0) slot = (slot + 1) & mask;
      this.#tags[slot] = tags[i] as number;
      this.#offsets[slot] = offsets[i] as number;
    }
  }
}

/**
 * Appends to `output` (a file descriptor) the lines of the file at `inputPath` that a later
 * lookup may need: `ok` item records that are not cached copies. A cached line repeats an `ok`
 * line of the file it is appended to (that file is the one its run resumed from), and other
 * records are never looked up, so a file that several stopped resumes append to grows only by
 * the new `ok` records. A torn last line is left out.
 */
export function appendOkRecords(inputPath: string, output: number): void {
  const input = openSync(inputPath, 'r');
  try {
    let buffer = Buffer.alloc(CHUNK_BYTES);
    let filled = 0;
    for (;;) {
      const read = readSync(input, buffer, filled, buffer.length - filled, null);
      if (read === 0) return;
      filled += read;
      let start = 0;
      for (let end = buffer.indexOf(10, start); end !== -1 && end < filled;) {
        const line = buffer.subarray(start, end + 1);
        if (
          bytesAt(buffer, start, ITEM_PREFIX) &&
          !bytesAt(buffer, end - CACHED_TAIL.length, CACHED_TAIL) &&
          line.indexOf(OK_STATUS) !== -1
        ) {
          for (let at = 0; at < line.length;) at += writeSync(output, line, at);
        }
        start = end + 1;
        end = buffer.indexOf(10, start);
      }
      buffer.copy(buffer, 0, start, filled);
      filled -= start;
      if (filled === buffer.length) {
        const larger = Buffer.alloc(buffer.length * 2);
        buffer.copy(larger, 0, 0, filled);
        buffer = larger;
      }
    }
  } finally {
    closeSync(input);
  }
}

/** Whether `view` holds `bytes` at `at`. */
function bytesAt(view: Buffer, at: number, bytes: Buffer): boolean {
  if (at < 0) return false;
  for (let i = 0; i < bytes.length; i++) if (view[at + i] !== bytes[i]) return false;
  return true;
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

/** Whether `line` is an `ok` item record without a key. */
function isKeylessOk(line: string): boolean {
  try {
    const record = JSON.parse(line) as Partial<ItemRecord> | null;
    return record?.status === 'ok' && record.key === undefined;
  } catch {
    return false;
  }
}
