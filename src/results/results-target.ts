import { lstatSync, readlinkSync } from 'node:fs';
import { JobValidationError } from '../errors.ts';
import { inputReplacedBy, jobInputs, replacedInputMessage } from '../job/results-conflict.ts';
import type { Job } from '../job/types.ts';
import { symlinkRefusal } from './jsonl-sink.ts';

/**
 * Refuses a results path before anything is touched: a symbolic link (`UnsafeResultsPathError`),
 * or one of the job's inputs (`JobValidationError`, naming `option` when the path came from the
 * command line rather than the job's `results:`).
 */
export function checkResultsTarget(job: Job, resultsPath: string, option?: string): void {
  let isLink = false;
  try {
    isLink = lstatSync(resultsPath).isSymbolicLink();
  } catch {
    // Nothing there yet, or a folder that cannot be read: opening the file will tell.
  }
  if (isLink) {
    let target: string | undefined;
    try {
      target = readlinkSync(resultsPath);
    } catch {
      target = undefined;
    }
    throw symlinkRefusal(resultsPath, target);
  }
  const input = inputReplacedBy(resultsPath, jobInputs(job));
  if (input === undefined) return;
  const key = option ?? 'results';
  throw new JobValidationError([
    {
      file: job.file,
      line: 0,
      col: 0,
      path: key,
      message: `${key}: ${replacedInputMessage(resultsPath, input)}`,
    },
  ]);
}
