import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { appendItemRecord } from './item-line.ts';
import type { ResultRecord } from './types.ts';

/** Flush once this many bytes are pending. */
const FLUSH_BYTES = 64 * 1024;
/** Flush pending records at most this long after they were added. */
const FLUSH_DELAY_MS = 25;

/** Where result records go. */
export interface ResultSink {
  write(record: ResultRecord): void;
  /** Writes everything pending to disk. */
  flush(): void;
  close(): void;
}

/**
 * A JSON Lines results file. Records are buffered briefly and written in whole lines with one
 * synchronous `write` per batch: a per-record append would cap a run near ten thousand items a
 * second, and a synchronous write of whole lines means the file never holds half a record. An
 * `exit` hook writes what is pending even when the process ends abruptly.
 */
export function openJsonlSink(path: string): ResultSink {
  mkdirSync(dirname(path), { recursive: true });
  let fd: number | null = openSync(path, 'w');
  const pending: string[] = [];
  let pendingBytes = 0;
  let timer: NodeJS.Timeout | null = null;

  const flush = (): void => {
    if (timer !== null) {
      clearTimeout(timer);
      timer = null;
    }
    if (fd === null || pending.length === 0) return;
    const text = pending.join('');
    pending.length = 0;
    pendingBytes = 0;
    writeSync(fd, text);
  };
  const onExit = (): void => flush();
  process.on('exit', onExit);

  return {
    write(record) {
      // An item goes in as pieces, joined once per batch into the one string written.
      if (record.type === 'item') pendingBytes += appendItemRecord(pending, record);
      else {
        const line = JSON.stringify(record) + '\n';
        pending.push(line);
        pendingBytes += line.length;
      }
      if (pendingBytes >= FLUSH_BYTES) flush();
      else timer ??= setTimeout(flush, FLUSH_DELAY_MS);
    },
    flush,
    close() {
      flush();
      process.off('exit', onExit);
      if (fd !== null) closeSync(fd);
      fd = null;
    },
  };
}
