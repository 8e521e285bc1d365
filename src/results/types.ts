import type { ExecutorConfig } from '../job/types.ts';

/** The records of a results file: JSON Lines, one complete object per line, written whole. */

export type ItemStatus = 'ok' | 'failed' | 'skipped' | 'cancelled';
export type TaskStatus = ItemStatus;
export type RunStatus = 'ok' | 'failed' | 'cancelled';

export const ITEM_ERROR_CODES = [
  'TIMEOUT',
  'WORKER_CRASHED',
  'EXIT_CODE',
  'HTTP_STATUS',
  'CALLBACK_FAILED',
  'NOT_SERIALIZABLE',
  'TASK_ERROR',
  'CANCELLED',
  'OUTPUT_TOO_LARGE',
  'SERVICE_EXITED',
  /** A `queue` worker's copy of the task module differs from the coordinator's, or is missing. */
  'MODULE_MISMATCH',
] as const;
export type ItemErrorCode = (typeof ITEM_ERROR_CODES)[number];

export interface ItemError {
  message: string;
  code: ItemErrorCode;
  stack?: string;
}

export interface RunRecord {
  type: 'run';
  job: string;
  runId: string;
  executor: ExecutorConfig;
  startedAt: string;
}

export interface ItemRecord {
  type: 'item';
  task: string;
  /** `null` for a task without `map`. */
  index: number | null;
  item: unknown;
  status: ItemStatus;
  result: unknown;
  error: ItemError | null;
  attempts: number;
  startedAt: string | null;
  durationMs: number;
  /** `process-<pid>`, `thread-<n>`, `coroutine`, or `null` when it never ran. */
  worker: string | null;
  /**
   * What the item is, for `--resume`: 32 hex characters of the SHA-256 of the task id, the
   * action (a function's module path, export and file content; a command's final text; an HTTP
   * request as sent) and the item's input, independent of its index, the executor, retries and
   * timeouts. `null` when the action could not be resolved (an expression error) and on the one
   * record of a task that never started. The README's "Resuming a run" gives the exact
   * definition.
   */
  key: string | null;
  /**
   * `true` on an item that `--resume` did not run because the previous results file has an `ok`
   * record of its key: `result`, `attempts`, `startedAt`, `durationMs` and `worker` are that
   * record's. Absent on every other record.
   */
  cached?: true;
}

/**
 * A task's counts. When the size of its items is known (`total`), every item is in exactly one
 * count: `ok + failed + skipped + cancelled === total`. Items a stopped run never reached have no
 * record of their own and count as `cancelled`; a task that never started counts all its items
 * (when their number is known without running anything) as `skipped` or `cancelled`.
 */
export interface TaskSummary {
  status: TaskStatus;
  ok: number;
  failed: number;
  skipped: number;
  cancelled: number;
  /** Of the `ok` items, those reused from the previous run by `--resume` (0 without it). */
  cached: number;
  /**
   * The task's item count: 1 without `map`; the size of a list, range, lines file, glob or
   * expression that was read. Absent when unknown (a `from` stream; a `lines`, `glob` or
   * expression source of a task that never started).
   */
  total?: number;
}

export interface SummaryRecord {
  type: 'summary';
  status: RunStatus;
  tasks: Record<string, TaskSummary>;
  durationMs: number;
  finishedAt: string;
}

/**
 * How a service of the job ended: `stopped` by jobrun after the tasks; `failed` to become ready
 * (it exited first, or its readiness timed out); `exited` on its own while tasks ran; `skipped`
 * (`--no-services`).
 */
export type ServiceStatus = 'stopped' | 'failed' | 'exited' | 'skipped';

/** One per service of the job, written before the summary. */
export interface ServiceRecord {
  type: 'service';
  name: string;
  status: ServiceStatus;
  /** Milliseconds from its start until it was ready; `null` if it never was. */
  readyMs: number | null;
  /** Its shell's exit code; `null` when a signal ended it or it never started. */
  exitCode: number | null;
}

export type ResultRecord = RunRecord | ItemRecord | ServiceRecord | SummaryRecord;
