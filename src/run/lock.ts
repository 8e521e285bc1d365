import { randomBytes } from 'node:crypto';
import {
  closeSync,
  fstatSync,
  linkSync,
  openSync,
  readFileSync,
  readSync,
  realpathSync,
  renameSync,
  statSync,
  unlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { LockHeldError, ResultsWriteError } from '../errors.ts';
import { createFolder } from '../results/create-folder.ts';
import { isAlive } from '../proc/is-alive.ts';

/** An exclusive lock held by this process; `release` removes it. */
export interface RunLock {
  path: string;
  release(): void;
}

export interface RunLockOptions {
  /** The results file the lock protects, named when the lock cannot be written. @default the lock's path */
  resultsPath?: string;
  /** Who holds the lock, as the start of the `LockHeldError` message. */
  heldBy?: string;
  /** Told, in one line naming the lock file, when a lock left by a dead or unknown holder is taken over. */
  onTakeOver?: (message: string) => void;
}

/** Gives up after this many rounds of finding a stale lock and another run taking it first. */
const MAX_TRIES = 5;
/** A lock file is a pid and a newline: more than this is not one of jobrun's. */
const MAX_LOCK_BYTES = 64;
/** Errors of `link` on file systems without hard links (FAT, some network mounts). */
const NO_HARD_LINKS: ReadonlySet<string | undefined> = new Set([
  'EPERM',
  'ENOTSUP',
  'ENOSYS',
  'EXDEV',
]);

function errorCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | null)?.code;
}

function parsePid(text: string): number | null {
  const match = /^([1-9][0-9]{0,9})\n?$/.exec(text);
  return match === null ? null : Number(match[1]);
}

function removeQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // Already gone, or the folder refuses: nothing is left to undo either way.
  }
}

function draftPath(path: string): string {
  return `${path}.${process.pid}-${randomBytes(4).toString('hex')}`;
}

/**
 * The lock of a job's runs: `.<job>.lock` in the results file's folder. It is named for the job
 * rather than the file, so runs whose results path holds `${{ run.id }}` still exclude each
 * other.
 */
export function lockPathFor(resultsPath: string, jobName: string): string {
  return join(dirname(resultsPath), `.${jobName}.lock`);
}

/** The lock of a results file: `.<file name>.lock` beside it, whatever job writes it. */
export function resultsLockPathFor(resultsPath: string): string {
  return join(dirname(resultsPath), `.${basename(resultsPath)}.lock`);
}

/**
 * Creates the lock file whole: the pid goes into a private draft first, which is then linked
 * into place, so a lock file is never seen empty or half written, and an empty or garbled one is
 * always left over from something else. `false` when a lock file exists already.
 */
function createLock(path: string, resultsPath: string): boolean {
  const content = `${process.pid}\n`;
  const draft = draftPath(path);
  try {
    writeFileSync(draft, content, { flag: 'wx' });
  } catch (error) {
    // A full disk fails the write after the draft exists: no empty file may stay behind.
    removeQuietly(draft);
    throw new ResultsWriteError(resultsPath, error, `creating its lock ${path}`);
  }
  try {
    linkSync(draft, path);
    return true;
  } catch (error) {
    if (errorCode(error) === 'EEXIST') return false;
    if (NO_HARD_LINKS.has(errorCode(error))) return createLockInPlace(path, content, resultsPath);
    throw new ResultsWriteError(resultsPath, error, `creating its lock ${path}`);
  } finally {
    removeQuietly(draft);
  }
}

/** Where hard links are not supported: create and fill the lock file directly. */
function createLockInPlace(path: string, content: string, resultsPath: string): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'wx');
  } catch (error) {
    if (errorCode(error) === 'EEXIST') return false;
    throw new ResultsWriteError(resultsPath, error, `creating its lock ${path}`);
  }
  try {
    writeSync(fd, content);
    return true;
  } catch (error) {
    removeQuietly(path);
    throw new ResultsWriteError(resultsPath, error, `creating its lock ${path}`);
  } finally {
    closeSync(fd);
  }
}

type FoundLock =
  | { state: 'gone' }
  | { state: 'held'; pid: number | null }
  | { state: 'stale'; ino: number; why: string };

/** Who holds the lock file at `path`, as far as its content and the process table tell. */
function inspectLock(path: string): FoundLock {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return { state: 'gone' };
    // A lock this user may not read belongs to another user's run: leave it be.
    return { state: 'held', pid: null };
  }
  try {
    const buffer = Buffer.alloc(MAX_LOCK_BYTES);
    const text = buffer.toString('latin1', 0, readSync(fd, buffer, 0, MAX_LOCK_BYTES, 0));
    const { ino } = fstatSync(fd);
    const pid = parsePid(text);
    if (pid === null)
      return { state: 'stale', ino, why: text === '' ? 'it was empty' : 'it held no pid' };
    if (isAlive(pid)) return { state: 'held', pid };
    return { state: 'stale', ino, why: `pid ${pid} is no longer running` };
  } catch {
    return { state: 'held', pid: null };
  } finally {
    closeSync(fd);
  }
}

/**
 * Removes the stale lock file that `inspectLock` saw, and only that one: it is renamed aside
 * first, and put back if it turns out to be a fresh lock another run made meanwhile.
 */
function removeStaleLock(path: string, ino: number, resultsPath: string): boolean {
  const aside = draftPath(path);
  try {
    renameSync(path, aside);
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return false;
    throw new ResultsWriteError(resultsPath, error, `taking over its lock ${path}`);
  }
  let isSame: boolean;
  try {
    isSame = statSync(aside).ino === ino;
  } catch {
    isSame = false;
  }
  if (isSame) removeQuietly(aside);
  else {
    try {
      renameSync(aside, path);
    } catch {
      // The put-back failed: that run's lock is gone, as after a crash; the runs may overlap.
    }
  }
  return isSame;
}

/**
 * Takes the lock at `path` (creating its folder) or throws `LockHeldError` naming the holder's
 * pid, touching nothing else. A lock whose holder is gone (a dead pid, an empty or garbled file) is taken over.
 * Throws `ResultsWriteError` when the lock file cannot be written (a full disk, a read-only
 * folder), leaving no lock file behind.
 */
export function acquireRunLock(path: string, options: RunLockOptions = {}): RunLock {
  const resultsPath = options.resultsPath ?? path;
  try {
    createFolder(dirname(path));
  } catch (error) {
    throw new ResultsWriteError(resultsPath, error, `creating its folder ${dirname(path)}`);
  }
  for (let tries = 0; tries < MAX_TRIES; tries++) {
    if (createLock(path, resultsPath)) return heldLock(path);
    const found = inspectLock(path);
    if (found.state === 'held') throw new LockHeldError(path, found.pid, options.heldBy);
    if (found.state === 'stale' && removeStaleLock(path, found.ino, resultsPath)) {
      options.onTakeOver?.(`taking over the stale lock ${path}: ${found.why}`);
    }
  }
  throw new LockHeldError(path, null, options.heldBy);
}

function heldLock(path: string): RunLock {
  let isHeld = true;
  return {
    path,
    release() {
      if (!isHeld) return;
      isHeld = false;
      let text: string;
      try {
        text = readFileSync(path, 'latin1');
      } catch {
        return;
      }
      // Removing it fails on a folder gone read-only: the dead pid left in it is taken over later.
      if (parsePid(text) === process.pid) removeQuietly(path);
    },
  };
}

/**
 * The locks of one run: the results file's own (two jobs never write one file at once, whatever
 * their names) and the job's (two runs of one job never overlap, even with a per-run results
 * path). Both live in the results file's real folder, so a path through a symbolic link to the
 * folder finds the same locks. Creates that folder.
 */
export function acquireResultsLocks(
  resultsPath: string,
  jobName: string,
  onTakeOver?: (message: string) => void,
): RunLock {
  const folder = dirname(resultsPath);
  let realFolder: string;
  try {
    createFolder(folder);
    realFolder = realpathSync(folder);
  } catch (error) {
    throw new ResultsWriteError(resultsPath, error, `creating its folder ${folder}`);
  }
  const realPath = join(realFolder, basename(resultsPath));
  const fileLock = resultsLockPathFor(realPath);
  const jobLock = lockPathFor(realPath, jobName);
  const common = { resultsPath, ...(onTakeOver === undefined ? {} : { onTakeOver }) };
  const locks = [
    acquireRunLock(fileLock, { ...common, heldBy: `another run is writing ${resultsPath}` }),
  ];
  try {
    if (jobLock !== fileLock) {
      locks.push(
        acquireRunLock(jobLock, {
          ...common,
          heldBy: `another run of job ${jobName} is in progress`,
        }),
      );
    }
  } catch (error) {
    for (const lock of locks) lock.release();
    throw error;
  }
  return {
    path: fileLock,
    release() {
      for (const lock of locks.reverse()) lock.release();
    },
  };
}
