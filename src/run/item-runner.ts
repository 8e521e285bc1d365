import { setTimeout as sleep } from 'node:timers/promises';
import type {
  ActionOutcome,
  ExecuteOptions,
  Executor,
  ImmediateExecutor,
  SerializedError,
} from '../executors/types.ts';
import type { Task } from '../job/types.ts';
import type { ItemError, ItemRecord, ItemStatus } from '../results/types.ts';
import { buildRequest } from './build-request.ts';
import type { CallbackFn, CallbackQueue } from './callback-queue.ts';
import { isoNow } from './iso-clock.ts';
import { itemErrorFrom } from './item-error.ts';
import type { RunContext } from './run-context.ts';

export type { CallbackFn } from './callback-queue.ts';

/** What runs the items of one task. */
export interface ItemRunnerDeps {
  run: RunContext;
  task: Task;
  executor: Executor | ImmediateExecutor;
  callback: CallbackFn | null;
  callbacks: CallbackQueue;
}

function toItemError(error: SerializedError): ItemError {
  return {
    message: error.message,
    code: error.code,
    ...(error.stack === undefined ? {} : { stack: error.stack }),
  };
}

function isJsonSerializable(value: unknown): boolean {
  try {
    JSON.stringify(value);
    return true;
  } catch {
    return false;
  }
}

async function waitBeforeRetry(ms: number, run: RunContext): Promise<boolean> {
  try {
    await sleep(ms, undefined, { signal: AbortSignal.any([run.stopSignal, run.cancelSignal]) });
    return true;
  } catch {
    return false;
  }
}

/** One item on its way to its record: the state its attempts share. */
interface ItemRun {
  deps: ItemRunnerDeps;
  item: unknown;
  index: number | null;
  options: ExecuteOptions;
  startedAt: string | null;
  startedMs: number;
  attempts: number;
  outcome: ActionOutcome | null;
  error: ItemError | null;
  /** The current attempt did not end at once (for `itemStarted: 'waiting'`). */
  isWaiting: boolean;
  /** A start not announced yet, in case the attempt ends at once. */
  pendingStart: { worker: string; at: string } | null;
  /** An `item-started` event went out, so the item's `item-finished` must follow. */
  isAnnounced: boolean;
}

function announceStart(itemRun: ItemRun, worker: string, at: string): void {
  const { run, task } = itemRun.deps;
  itemRun.isAnnounced = true;
  const { index, item, attempts: attempt } = itemRun;
  run.emit({ type: 'item-started', task: task.id, index, item, attempt, worker, at });
}

/** Starts the next attempt: its outcome when it settled at once, else a promise of it. */
function startAttempt(itemRun: ItemRun): ActionOutcome | Promise<ActionOutcome> | null {
  const { deps } = itemRun;
  const { run, task, executor } = deps;
  itemRun.attempts++;
  itemRun.isWaiting = false;
  itemRun.pendingStart = null;
  try {
    const request = buildRequest(run, task, itemRun.item, itemRun.index, itemRun.attempts);
    const started =
      'executeNow' in executor
        ? executor.executeNow(request, itemRun.options)
        : executor.execute(request, itemRun.options);
    if (started instanceof Promise && run.wants.itemStarted === 'waiting') {
      // The attempt waits: a listener that wants only waiting attempts now hears of it.
      itemRun.isWaiting = true;
      // Set by onStart during the call above.
      const pending = itemRun.pendingStart as ItemRun['pendingStart'];
      if (pending !== null) announceStart(itemRun, pending.worker, pending.at);
      itemRun.pendingStart = null;
    }
    return started;
  } catch (failure) {
    // An expression that cannot be evaluated for this item: the item fails, the run goes on.
    itemRun.outcome = null;
    itemRun.error = itemErrorFrom('TASK_ERROR', failure);
    return null;
  }
}

/** Takes an attempt's outcome (`null`: it could not start); whether another attempt may follow. */
function takeOutcome(itemRun: ItemRun, outcome: ActionOutcome | null): boolean {
  if (outcome !== null) {
    itemRun.outcome = outcome;
    itemRun.error = outcome.ok ? null : toItemError(outcome.error);
  }
  const error = itemRun.error;
  const { run, task } = itemRun.deps;
  return (
    error !== null &&
    error.code !== 'CANCELLED' &&
    itemRun.attempts <= task.retries &&
    !run.stopSignal.aborted
  );
}

/**
 * Runs one item to its record: attempts with retries and doubling delay, then the callback.
 * Never throws for a failure of the item; the record says what happened.
 *
 * An item whose first attempt settles at once and needs nothing more (no retry, no callback) gets
 * its record back directly, not a promise: a map of functions that return plain values then runs
 * without a promise per item.
 */
export function runItem(
  deps: ItemRunnerDeps,
  item: unknown,
  index: number | null,
): ItemRecord | Promise<ItemRecord> {
  const { run, task } = deps;
  // One options object per item, not per attempt: the hot path of a no-op map allocates little.
  const itemRun: ItemRun = {
    deps,
    item,
    index,
    options: {
      signal: run.cancelSignal,
      // Stopping (Ctrl-C once, fail-fast) keeps attempts waiting on a pool worker from starting.
      stopSignal: run.stopSignal,
      onStart: (worker) => {
        const at = isoNow();
        if (itemRun.startedAt === null) {
          itemRun.startedMs = performance.now();
          itemRun.startedAt = at;
        }
        const wanted = run.wants.itemStarted;
        if (wanted === true || (wanted === 'waiting' && itemRun.isWaiting)) {
          announceStart(itemRun, worker, at);
        } else if (wanted === 'waiting') itemRun.pendingStart = { worker, at };
      },
      onLog: (message) => logOf(itemRun, message),
    },
    startedAt: null,
    startedMs: 0,
    attempts: 0,
    outcome: null,
    error: null,
    isWaiting: false,
    pendingStart: null,
    isAnnounced: false,
  };
  if (task.timeoutMs !== undefined) itemRun.options.timeoutMs = task.timeoutMs;

  const first = startAttempt(itemRun);
  if (first instanceof Promise) return finishItem(itemRun, first);
  if (takeOutcome(itemRun, first)) return finishItem(itemRun, null, true);
  const error = itemRun.error;
  if (error === null && deps.callback !== null) return finishItem(itemRun, null);
  const result = itemRun.outcome?.ok === true ? itemRun.outcome.value : null;
  return recordOf(itemRun, error === null ? 'ok' : statusOf(error), result, error);
}

function logOf(itemRun: ItemRun, message: string): void {
  const { run, task } = itemRun.deps;
  if (!run.wants.log) return;
  run.emit({ type: 'log', task: task.id, index: itemRun.index, message, at: isoNow() });
}

function statusOf(error: ItemError): ItemStatus {
  return error.code === 'CANCELLED' ? 'cancelled' : 'failed';
}

/**
 * The rest of an item, once something has to wait: `pending` is the first attempt still running,
 * `isRetrying` says its outcome (already taken) asks for another attempt.
 */
async function finishItem(
  itemRun: ItemRun,
  pending: Promise<ActionOutcome> | null,
  isRetrying = false,
): Promise<ItemRecord> {
  const { deps, item, index } = itemRun;
  const { run, task } = deps;
  let hasMore = pending === null ? isRetrying : takeOutcome(itemRun, await pending);
  while (hasMore) {
    if (!(await waitBeforeRetry(task.retryDelayMs * 2 ** (itemRun.attempts - 1), run))) break;
    const next = startAttempt(itemRun);
    hasMore = takeOutcome(itemRun, next instanceof Promise ? await next : next);
  }

  let error = itemRun.error;
  let status: ItemStatus = error === null ? 'ok' : statusOf(error);
  let result: unknown = itemRun.outcome?.ok === true ? itemRun.outcome.value : null;
  const worker = itemRun.outcome?.workerId ?? null;

  if (status === 'ok' && deps.callback !== null) {
    const callback = deps.callback;
    const ctx = {
      item,
      index,
      task: task.id,
      job: run.job.name,
      attempt: itemRun.attempts,
      workerId: worker,
      signal: run.cancelSignal,
      log: (message: unknown) => logOf(itemRun, String(message)),
    };
    const called = await deps.callbacks.run(callback, result, ctx, {
      timeoutMs: task.timeoutMs,
      signal: run.cancelSignal,
    });
    if (called.ok) {
      if (called.value !== undefined) result = called.value;
    } else {
      status = statusOf(called.error);
      result = null;
      error = called.error;
    }
    if (status === 'ok' && !isJsonSerializable(result)) {
      status = 'failed';
      result = null;
      error = {
        message: 'the callback returned a value that is not JSON-serializable',
        code: 'NOT_SERIALIZABLE',
      };
    }
  }
  return recordOf(itemRun, status, result, error);
}

function recordOf(
  itemRun: ItemRun,
  status: ItemStatus,
  result: unknown,
  error: ItemError | null,
): ItemRecord {
  const { startedAt, deps } = itemRun;
  const record: ItemRecord = {
    type: 'item',
    task: deps.task.id,
    index: itemRun.index,
    item: deps.task.map === undefined ? null : itemRun.item,
    status,
    result,
    error,
    attempts: itemRun.attempts,
    startedAt,
    durationMs:
      startedAt === null ? 0 : Math.round((performance.now() - itemRun.startedMs) * 10) / 10,
    worker: itemRun.outcome?.workerId ?? null,
  };
  if (itemRun.isAnnounced) deps.run.announced.add(record);
  return record;
}
