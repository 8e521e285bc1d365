import {
  closeSync,
  constants,
  lstatSync,
  openSync,
  readSync,
  renameSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { ResultsWriteError } from '../errors.ts';
import { appendOkRecords, ResumeIndexFile, type ResumeIndex } from './resume-index.ts';

/**
 * Where `--resume` keeps the previous results file while the new one is written: a hidden
 * sibling, `.<name>.previous`.
 */
export function previousResultsPath(resultsPath: string): string {
  return join(dirname(resultsPath), `.${basename(resultsPath)}.previous`);
}

/** The previous results of a resumed run, indexed; `null` index when there were none. */
export interface PreviousResults {
  /** The hidden file read from. */
  readonly path: string;
  readonly index: ResumeIndex;
  /**
   * Closes the file, and deletes it when the run reached every item (`isComplete`): its `ok`
   * records are all in the new results file then. A run that stopped early keeps it, so the
   * next `--resume` still finds every `ok` record.
   */
  finish(isComplete: boolean): void;
}

/**
 * Sets the previous results aside before the results file is replaced, and indexes them. The
 * results file is renamed to `.<name>.previous`; when that file is already there (a resumed run
 * that stopped early kept it), the results file's new `ok` records are appended to it instead, so
 * the records of both runs count. Returns `null` when there is neither. Call it holding the run's
 * lock. Throws `ResultsWriteError` when the files cannot be moved or read.
 */
export function openPreviousResults(resultsPath: string): PreviousResults | null {
  const previousPath = previousResultsPath(resultsPath);
  const hasResults = isFile(resultsPath);
  const hasPrevious = isFile(previousPath);
  if (!hasResults && !hasPrevious) return null;
  try {
    if (!hasPrevious) renameSync(resultsPath, previousPath);
    else if (hasResults) appendFile(resultsPath, previousPath);
  } catch (error) {
    throw new ResultsWriteError(resultsPath, error, `keeping it as ${previousPath} to resume`);
  }
  let index: ResumeIndexFile;
  try {
    index = new ResumeIndexFile(previousPath);
  } catch (error) {
    throw new ResultsWriteError(resultsPath, error, `reading ${previousPath} to resume`);
  }
  return {
    path: previousPath,
    index,
    finish(isComplete) {
      index.close();
      if (isComplete) removeFile(previousPath);
    },
  };
}

/** A run without `--resume` starts afresh: a previous file kept by a stopped resume goes. */
export function removePreviousResults(resultsPath: string): void {
  removeFile(previousResultsPath(resultsPath));
}

function isFile(path: string): boolean {
  try {
    return lstatSync(path).isFile();
  } catch {
    return false;
  }
}

function removeFile(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // Already gone, or a folder cannot be written: the next run without `--resume` tries again.
  }
}

/** Appends the `ok` records of `from` to `to`, on lines of their own. */
function appendFile(from: string, to: string): void {
  const output = openSync(to, constants.O_RDWR | constants.O_APPEND | constants.O_NOFOLLOW);
  try {
    const size = lstatSync(to).size;
    const last = Buffer.alloc(1);
    // A torn last line of the kept file must not swallow the first appended one.
    if (size > 0 && readSync(output, last, 0, 1, size - 1) === 1 && last[0] !== 10)
      writeSync(output, '\n');
    appendOkRecords(from, output);
  } finally {
    closeSync(output);
  }
}
