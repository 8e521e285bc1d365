import { createReadStream } from 'node:fs';
import { errorMessage } from '../util/error-message.ts';
import { ReportInputError } from './report-input-error.ts';

/** A line longer than this is not a record jobrun wrote (its outputs are capped far below). */
const MAX_LINE_CHARS = 256 * 1024 * 1024;

export interface ReadOutcome {
  /** Lines holding a record. */
  records: number;
  /** The last line had no newline and was not whole JSON: the run was killed while writing. */
  isCutOff: boolean;
}

export type RecordHandler = (record: Record<string, unknown>, line: number) => void;

function describeOpenError(path: string, error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return `${path}: no such results file`;
  if (code === 'EISDIR') return `${path}: is a folder, not a results file`;
  if (code === 'EACCES' || code === 'EPERM') return `${path}: permission denied`;
  return `${path}: cannot read it (${errorMessage(error)})`;
}

function parseRecord(text: string): Record<string, unknown> | string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return errorMessage(error);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return 'a JSON value that is not an object';
  }
  return value as Record<string, unknown>;
}

/**
 * Streams a results file one line at a time into `onRecord`, so a file of any size is read in
 * bounded memory. A file that does not start like JSON Lines is refused at its first line, before
 * the rest is read.
 */
export async function readResults(path: string, onRecord: RecordHandler): Promise<ReadOutcome> {
  const stream = createReadStream(path, { encoding: 'utf8', highWaterMark: 1024 * 1024 });
  let pending = '';
  let line = 0;
  let records = 0;
  let hasSeenContent = false;

  const take = (text: string): void => {
    line++;
    if (text.trim() === '') return;
    const record = parseRecord(text);
    if (typeof record === 'string') {
      throw new ReportInputError(
        `${path}:${line}: not a jobrun results file: this line is not a JSON record (${record})`,
      );
    }
    records++;
    onRecord(record, line);
  };

  try {
    for await (const chunk of stream as AsyncIterable<string>) {
      if (!hasSeenContent) {
        const first = chunk.trimStart();
        if (first !== '') {
          hasSeenContent = true;
          if (!first.startsWith('{')) {
            throw new ReportInputError(
              `${path}:1: not a jobrun results file: it does not start with a JSON record`,
            );
          }
        }
      }
      let start = 0;
      let newline = chunk.indexOf('\n');
      while (newline !== -1) {
        const piece = chunk.slice(start, newline);
        take(pending === '' ? piece : pending + piece);
        pending = '';
        start = newline + 1;
        newline = chunk.indexOf('\n', start);
      }
      pending += chunk.slice(start);
      if (pending.length > MAX_LINE_CHARS) {
        throw new ReportInputError(
          `${path}:${line + 1}: not a jobrun results file: a line longer than 256 MB`,
        );
      }
    }
  } catch (error) {
    stream.destroy();
    if (error instanceof ReportInputError) throw error;
    throw new ReportInputError(describeOpenError(path, error), { cause: error });
  }

  let isCutOff = false;
  if (pending.trim() !== '') {
    const record = parseRecord(pending);
    line++;
    // Records are written whole, newline included: a last line without its newline that is not
    // whole JSON is what a killed run leaves.
    if (typeof record === 'string') isCutOff = true;
    else {
      records++;
      onRecord(record, line);
    }
  }
  if (records === 0 && !isCutOff) {
    throw new ReportInputError(`${path}: the results file is empty (no run record)`);
  }
  return { records, isCutOff };
}
