import type { ExecutorConfig } from '../job/types.ts';
import type { ItemRecord, SummaryRecord, TaskStatus, TaskSummary } from '../results/types.ts';
import type { ServiceStateChange } from '../services/service-set.ts';

/**
 * The event stream of a run. Reporters only observe it; they never drive execution. Every event
 * is plain JSON data (the `json` output mode prints them as they are).
 */

/** A task's state: `waiting` for its needs, `running`, or its final status. */
export type TaskState = 'waiting' | 'running' | TaskStatus;

export interface TaskInfo {
  id: string;
  needs: string[];
  executor: ExecutorConfig;
  isMap: boolean;
  /** Item count when known before running (list, range); `null` until a `task-total` event. */
  total: number | null;
}

export type RunEvent =
  | {
      type: 'run-started';
      job: string;
      runId: string;
      startedAt: string;
      resultsPath: string;
      /** In dependency order. */
      tasks: TaskInfo[];
    }
  | {
      type: 'task-state';
      task: string;
      state: TaskState;
      at: string;
      /** With a final state: the task's counts, as in the summary (`total` when known). */
      counts?: TaskSummary;
    }
  /**
   * A service of the job changed state: `starting`, `ready`, then `stopped` after the tasks; or
   * `failed` (not ready in time, or exited first), `exited` (on its own while tasks ran),
   * `skipped` (`--no-services`). Services start after `run-started`, before any task.
   */
  | ({ type: 'service-state'; at: string } & ServiceStateChange)
  /**
   * Attempts of a task wait before they start: on its `rate:` (`on: 'rate 10/s'`), on one of the
   * job's `resources:` it uses (`on: 'db'`), or on a `queue` executor with no worker connected
   * (`on: 'workers on redis://…'`). Sent once per task and cause, the first time.
   */
  | { type: 'task-waiting'; task: string; on: string; at: string }
  /** The item count of a map task became known (a glob or expression opened, a lines file read). */
  | { type: 'task-total'; task: string; total: number }
  /**
   * A task's counts so far, ten times a second while it runs (when they changed) and once as it
   * ends; only when asked for (`RunEventSelection.progress`), for a listener that does not take
   * every item.
   */
  | {
      type: 'task-progress';
      task: string;
      ok: number;
      failed: number;
      skipped: number;
      cancelled: number;
      /** Of the `ok` items, those reused from the previous run (`--resume`). */
      cached: number;
      /** What its attempts wait on now (`rate 10/s`, `db`), for a task with `rate:` or `uses:`. */
      waitingOn?: string | null;
    }
  | {
      type: 'item-started';
      task: string;
      index: number | null;
      item: unknown;
      attempt: number;
      worker: string;
      at: string;
    }
  | { type: 'item-finished'; record: ItemRecord }
  | { type: 'log'; task: string; index: number | null; message: string; at: string }
  /** First Ctrl-C or SIGTERM: no new items start; `force` on the second, in-flight items are cancelled. */
  | { type: 'run-interrupted'; signal: string; force: boolean; at: string }
  | { type: 'run-finished'; summary: SummaryRecord; resultsPath: string };

export type RunEventListener = (event: RunEvent) => void;

/**
 * The per-item events a listener wants; the others are never built, so a reporter that shows only
 * failures and the summary costs a map of a million items nothing per item. Events about the run
 * and its tasks always come, and so does `item-finished` for every item that is not `ok`.
 *
 * @example
 * runJob(job, { onEvent, events: { itemStarted: false, itemOk: false, log: false } });
 */
export interface RunEventSelection {
  /**
   * `item-started` events: `true` for every attempt, as it starts; `'waiting'` only for attempts
   * still running 0.1 to 0.2 s after they started, announced then (with the time they started):
   * what a listing of items in flight can show, while a map of quick items builds no event per
   * item.
   * An announced item also gets its `item-finished` event, even when `itemOk` is `false`.
   * @default true
   */
  itemStarted?: boolean | 'waiting';
  /** `item-finished` events of items that ended `ok`. @default true */
  itemOk?: boolean;
  /** `log` events (`ctx.log`). @default true */
  log?: boolean;
  /** `task-progress` events. @default false */
  progress?: boolean;
}
