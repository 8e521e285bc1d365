import { mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { LockHeldError } from '../errors.ts';

/** An exclusive lock held by this process; `release` removes it. */
export interface RunLock {
  path: string;
  release(): void;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readHolder(path: string): number | null {
  try {
    const pid = Number.parseInt(readFileSync(path, 'utf8'), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

/**
 * The lock of a job's runs: `.<job>.lock` in the results file's folder. It is named for the job
 * rather than the file, so runs whose results path holds `${{ run.id }}` still exclude each
 * other. A lock left by a process that no longer exists is stale and taken over.
 */
export function lockPathFor(resultsPath: string, jobName: string): string {
  return join(dirname(resultsPath), `.${jobName}.lock`);
}

/** Takes the lock or throws `LockHeldError` naming the holder's pid, touching nothing else. */
export function acquireRunLock(path: string): RunLock {
  mkdirSync(dirname(path), { recursive: true });
  for (let tries = 0; ; tries++) {
    try {
      writeFileSync(path, `${process.pid}\n`, { flag: 'wx' });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = readHolder(path);
      // An unreadable pid is a lock being written this instant: held.
      if (holder === null || isAlive(holder) || tries >= 3) {
        throw new LockHeldError(path, holder);
      }
      try {
        unlinkSync(path);
      } catch {
        // Another process removed the stale lock first; try again.
      }
    }
  }
  let isHeld = true;
  return {
    path,
    release() {
      if (!isHeld) return;
      isHeld = false;
      if (readHolder(path) === process.pid) unlinkSync(path);
    },
  };
}
