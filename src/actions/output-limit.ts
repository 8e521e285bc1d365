import { constants } from 'node:buffer';
import { DEFAULT_MAX_OUTPUT_BYTES } from '../job/defaults.ts';
import { formatSize } from '../job/size.ts';
import { ActionError } from './action-error.ts';

/**
 * The bytes an action may keep of one stream: `maxOutput`, but never more than one string can
 * hold once decoded (UTF-8 never decodes to more UTF-16 units than it has bytes).
 */
export function outputLimit(maxOutputBytes: number | undefined): number {
  return Math.min(maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES, constants.MAX_STRING_LENGTH);
}

/**
 * The bytes of one stream (a command's stdout, a response body) up to a limit. Chunks are kept
 * as they came and joined once at the end: appending to a string per chunk costs many times the
 * output's size in memory.
 */
export class OutputBuffer {
  readonly limit: number;
  #chunks: Buffer[] = [];
  #size = 0;
  #isOverflowed = false;

  constructor(limit: number) {
    this.limit = limit;
  }

  /** The bytes kept so far. */
  get size(): number {
    return this.#size;
  }

  get isOverflowed(): boolean {
    return this.#isOverflowed;
  }

  /** Keeps `chunk`; returns `false`, keeping nothing more, once the limit is passed. */
  push(chunk: Buffer): boolean {
    if (this.#isOverflowed) return false;
    if (this.#size + chunk.length > this.limit) {
      this.#isOverflowed = true;
      this.#chunks = [];
      return false;
    }
    this.#chunks.push(chunk);
    this.#size += chunk.length;
    return true;
  }

  bytes(): Buffer {
    return this.#chunks.length === 1
      ? (this.#chunks[0] as Buffer)
      : Buffer.concat(this.#chunks, this.#size);
  }

  /** The bytes decoded as UTF-8; a byte sequence that is not UTF-8 becomes U+FFFD. */
  text(): string {
    return this.bytes().toString('utf8');
  }
}

/** The failure of an action whose `what` (`stdout`, `the response body`) passed its limit. */
export function outputTooLarge(what: string, limit: number, consequence: string): ActionError {
  const isUserLimit = limit < constants.MAX_STRING_LENGTH;
  return new ActionError(
    'OUTPUT_TOO_LARGE',
    isUserLimit
      ? `${what} is larger than maxOutput (${formatSize(limit)}); ${consequence}. Raise the task's maxOutput to keep more.`
      : `${what} is larger than ${formatSize(limit)}, the most jobrun can keep in one value; ${consequence}.`,
  );
}
