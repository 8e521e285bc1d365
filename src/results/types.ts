import type { ExecutorConfig } from '../job/types.ts';

/** The records of a results file (SPEC §3), one JSON object per line. */

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
}

export interface TaskSummary {
  status: TaskStatus;
  ok: number;
  failed: number;
  skipped: number;
  cancelled: number;
}

export interface SummaryRecord {
  type: 'summary';
  status: RunStatus;
  tasks: Record<string, TaskSummary>;
  durationMs: number;
  finishedAt: string;
}

export type ResultRecord = RunRecord | ItemRecord | SummaryRecord;
