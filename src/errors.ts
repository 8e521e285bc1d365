import { errorMessage } from './util/error-message.ts';

/**
 * The one error base of jobrun. Every error jobrun throws on purpose carries a stable string
 * `code`; `cmd/jobrun.ts` is the only place that turns codes into exit codes.
 */
export class JobrunError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'JobrunError';
    this.code = code;
  }
}

/** A problem found in a job file, with its place in the file. */
export interface Problem {
  /** Absolute or as-given path of the job file. */
  file: string;
  /** 1-based line; 0 when the problem has no place in the file (e.g. an unreadable file). */
  line: number;
  /** 1-based column; 0 when unknown. */
  col: number;
  /** Dotted path inside the job, e.g. `tasks.fetch.executor.kind`; empty for the whole file. */
  path: string;
  /** One line: what was expected, what was found, and a suggestion where there is one. */
  message: string;
}

/** A job file that cannot run: every problem found, not only the first. */
export class JobValidationError extends JobrunError {
  readonly problems: readonly Problem[];

  constructor(problems: readonly Problem[]) {
    const first = problems[0];
    super(
      'INVALID_JOB',
      first === undefined
        ? 'Invalid job file'
        : `${first.file}: ${problems.length} problem${problems.length === 1 ? '' : 's'}`,
    );
    this.name = 'JobValidationError';
    this.problems = problems;
  }
}

/** Bad command-line usage (unknown option, missing argument). */
export class UsageError extends JobrunError {
  constructor(message: string) {
    super('USAGE', message);
    this.name = 'UsageError';
  }
}

/** Another run holds a lock beside the results file: of the same job, or writing the same file. */
export class LockHeldError extends JobrunError {
  readonly holderPid: number | null;
  readonly lockPath: string;

  /** @param what Who holds it, as a sentence start. @default 'another run of this job is in progress' */
  constructor(lockPath: string, holderPid: number | null, what?: string) {
    super(
      'LOCKED',
      `${what ?? 'another run of this job is in progress'} (pid ${holderPid ?? 'unknown'}, lock ${lockPath})`,
    );
    this.name = 'LockHeldError';
    this.lockPath = lockPath;
    this.holderPid = holderPid;
  }
}

/** How the errors of file system calls read in jobrun's one-line messages. */
const FILE_ERROR_TEXT: Readonly<Record<string, string>> = {
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EFBIG: 'the file is too large',
  EROFS: 'read-only file system',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EISDIR: 'it is a folder',
  ENOTDIR: 'a part of its path is not a folder',
  ENOENT: 'no such file or folder',
  EIO: 'input/output error',
  ELOOP: 'too many levels of symbolic links',
  ENAMETOOLONG: 'the name is too long',
  EMFILE: 'too many open files',
  ENFILE: 'too many open files in the system',
  ENXIO: 'no such device',
};

/**
 * The cause of a failed file system call in words, with its code: `no space left on the device
 * (ENOSPC)`.
 */
export function describeFileError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  const text = code === undefined ? undefined : FILE_ERROR_TEXT[code];
  if (text !== undefined) return `${text} (${code})`;
  return errorMessage(error);
}

/**
 * The results file, or the lock or folder beside it, could not be written (a full disk, a
 * read-only or forbidden folder, a folder where the file should be, an I/O error). The run stops:
 * in-flight items are cancelled and the lock released; the CLI exits 74.
 */
export class ResultsWriteError extends JobrunError {
  /** The results file. */
  readonly path: string;
  /** The code of the failed call (`ENOSPC`, `EROFS`, …), when it had one. */
  readonly reason: string | undefined;

  /** @param doing What was being written when it is not the results file itself. */
  constructor(path: string, cause: unknown, doing?: string) {
    const where = doing === undefined ? '' : ` (${doing})`;
    super(
      'RESULTS_WRITE',
      `cannot write the results file ${path}: ${describeFileError(cause)}${where}`,
      {
        cause,
      },
    );
    this.name = 'ResultsWriteError';
    this.path = path;
    this.reason = (cause as NodeJS.ErrnoException | null)?.code;
  }
}

/**
 * A results path jobrun refuses before anything runs: a symbolic link, which jobrun never writes
 * through (its target could be any file).
 */
export class UnsafeResultsPathError extends JobrunError {
  readonly path: string;

  constructor(path: string, message: string) {
    super('UNSAFE_RESULTS_PATH', message);
    this.name = 'UnsafeResultsPathError';
    this.path = path;
  }
}

/** Formats a problem as `FILE:LINE:COL  message`. */
export function formatProblem(problem: Problem): string {
  const place = problem.line > 0 ? `${problem.file}:${problem.line}:${problem.col}` : problem.file;
  return `${place}  ${problem.message}`;
}
