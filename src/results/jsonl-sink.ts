import { closeSync, constants, ftruncateSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { ResultsWriteError, UnsafeResultsPathError } from '../errors.ts';
import { createFolder } from './create-folder.ts';
import { appendItemRecord } from './item-line.ts';
import type { ResultRecord } from './types.ts';

/** Flush once this many bytes are pending. */
const FLUSH_BYTES = 64 * 1024;
/** Flush pending records at most this long after they were added. */
const FLUSH_DELAY_MS = 25;
/** Replace the file, never following a symbolic link planted at its path. */
const OPEN_FLAGS =
  constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW;

/** Where result records go. */
export interface ResultSink {
  /** Queues a record; it is on disk within `FLUSH_DELAY_MS`, or at the next `flush`. */
  write(record: ResultRecord): void;
  /**
   * Calls `fn` once every record written so far is on disk: at once when none is pending, else
   * right after the batch holding them is written, in the order given. Never after a write error:
   * what follows an unwritten record is never reported.
   */
  afterWrite(fn: () => void): void;
  /** Writes everything pending to disk. */
  flush(): void;
  close(): void;
  /** The write error that stopped the sink, or `null`; records written after it are dropped. */
  readonly error: ResultsWriteError | null;
  /** Throws `error` when a write has failed. */
  throwIfFailed(): void;
}

export interface JsonlSinkOptions {
  /** Called once, when a write fails (a full disk, an I/O error): the run should stop. */
  onError?: (error: ResultsWriteError) => void;
}

type SinkState =
  | { kind: 'open'; fd: number }
  | { kind: 'failed'; fd: number | null; error: ResultsWriteError }
  | { kind: 'closed'; error: ResultsWriteError | null };

/**
 * A JSON Lines results file. Records are buffered briefly and written in whole lines with
 * synchronous writes per batch: a per-record append would cap a run near ten thousand items a
 * second, and a synchronous write of whole lines means the file never holds half a record. A
 * failed write is cut back to the last whole batch, so the file's lines still parse, and stops
 * the sink rather than throwing into whoever wrote the record (or into a timer). An `exit` hook
 * writes what is pending even when the process ends abruptly.
 */
class JsonlSink implements ResultSink {
  readonly #path: string;
  readonly #onError: ((error: ResultsWriteError) => void) | undefined;
  #state: SinkState;
  /** Bytes on disk: where a torn batch is cut back to. */
  #size = 0;
  #pending: string[] = [];
  #pendingBytes = 0;
  #waiting: Array<() => void> = [];
  #timer: NodeJS.Timeout | null = null;
  readonly #onExit = (): void => void this.#writePending();

  constructor(path: string, fd: number, options: JsonlSinkOptions) {
    this.#path = path;
    this.#onError = options.onError;
    this.#state = { kind: 'open', fd };
    process.on('exit', this.#onExit);
  }

  get error(): ResultsWriteError | null {
    return this.#state.kind === 'open' ? null : this.#state.error;
  }

  throwIfFailed(): void {
    const error = this.error;
    if (error !== null) throw error;
  }

  write(record: ResultRecord): void {
    if (this.#state.kind !== 'open') return;
    // An item goes in as pieces, joined once per batch into the one string written.
    if (record.type === 'item') this.#pendingBytes += appendItemRecord(this.#pending, record);
    else {
      const line = JSON.stringify(record) + '\n';
      this.#pending.push(line);
      this.#pendingBytes += line.length;
    }
    if (this.#pendingBytes >= FLUSH_BYTES) this.flush();
    else this.#timer ??= setTimeout(() => this.flush(), FLUSH_DELAY_MS);
  }

  afterWrite(fn: () => void): void {
    if (this.#state.kind === 'failed') return;
    if (this.#pending.length === 0) fn();
    else this.#waiting.push(fn);
  }

  flush(): void {
    if (!this.#writePending()) return;
    const waiting = this.#waiting;
    if (waiting.length === 0) return;
    this.#waiting = [];
    for (const fn of waiting) fn();
  }

  close(): void {
    this.flush();
    process.off('exit', this.#onExit);
    const state = this.#state;
    if (state.kind === 'closed') return;
    this.#state = { kind: 'closed', error: state.kind === 'failed' ? state.error : null };
    if (state.fd === null) return;
    try {
      closeSync(state.fd);
    } catch {
      // Every byte was written already; a failing close has nothing left to lose.
    }
  }

  /** Writes the pending batch; `false` when the sink is (or has just been) stopped by an error. */
  #writePending(): boolean {
    if (this.#timer !== null) {
      clearTimeout(this.#timer);
      this.#timer = null;
    }
    const state = this.#state;
    if (state.kind !== 'open') return state.kind === 'closed';
    if (this.#pending.length === 0) return true;
    const bytes = Buffer.from(this.#pending.join(''));
    this.#pending = [];
    this.#pendingBytes = 0;
    try {
      // A nearly full disk takes part of a batch and refuses the rest on the next call.
      for (let offset = 0; offset < bytes.length;) {
        const written = writeSync(state.fd, bytes, offset);
        if (written <= 0) throw Object.assign(new Error('nothing written'), { code: 'EIO' });
        offset += written;
      }
      this.#size += bytes.length;
      return true;
    } catch (cause) {
      this.#fail(state.fd, cause);
      return false;
    }
  }

  #fail(fd: number, cause: unknown): void {
    try {
      ftruncateSync(fd, this.#size);
    } catch {
      // The file may end inside a line; every line before it is whole.
    }
    const error = new ResultsWriteError(this.#path, cause);
    this.#state = { kind: 'failed', fd, error };
    this.#waiting = [];
    process.off('exit', this.#onExit);
    this.#onError?.(error);
  }
}

/**
 * Opens (replaces) the results file at `path`, creating its folder. Throws
 * `UnsafeResultsPathError` when `path` is a symbolic link and `ResultsWriteError` when the file
 * cannot be created.
 */
export function openJsonlSink(path: string, options: JsonlSinkOptions = {}): ResultSink {
  try {
    createFolder(dirname(path));
  } catch (error) {
    throw new ResultsWriteError(path, error, `creating its folder ${dirname(path)}`);
  }
  let fd: number;
  try {
    fd = openSync(path, OPEN_FLAGS, 0o666);
  } catch (error) {
    // O_NOFOLLOW: a link planted at the path after it was checked.
    if ((error as NodeJS.ErrnoException).code === 'ELOOP') throw symlinkRefusal(path);
    throw new ResultsWriteError(path, error);
  }
  return new JsonlSink(path, fd, options);
}

/** The refusal of a results path that is a symbolic link. */
export function symlinkRefusal(path: string, target?: string): UnsafeResultsPathError {
  const to = target === undefined ? '' : ` (to ${target})`;
  return new UnsafeResultsPathError(
    path,
    `the results file ${path} is a symbolic link${to}; jobrun never writes through a link, which could replace any file: remove the link or choose another path (results: or --results)`,
  );
}
