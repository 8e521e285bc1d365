import { setTimeout as sleep } from 'node:timers/promises';
import type {
  ActionOutcome,
  ExecuteOptions,
  Executor,
  SerializedError,
} from '../executors/types.ts';
import type { Task } from '../job/types.ts';
import type { ItemError, ItemRecord, ItemStatus } from '../results/types.ts';
import { buildRequest } from './build-request.ts';
import type { CallbackQueue } from './callback-queue.ts';
import { isoNow } from './iso-clock.ts';
import type { RunContext } from './run-context.ts';

/** A loaded callback: `fn(result, ctx)` in the main process. */
export type CallbackFn = (result: unknown, ctx: Record<string, unknown>) => unknown;

/** What runs the items of one task. */
export interface ItemRunnerDeps {
  run: RunContext;
  task: Task;
  executor: Executor;
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

function errorOf(code: ItemError['code'], error: unknown): ItemError {
  const isError = error instanceof Error;
  return {
    message: isError ? error.message : String(error),
    code,
    ...(isError && error.stack !== undefined ? { stack: error.stack } : {}),
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

/**
 * Runs one item to its record: attempts with retries and doubling delay, then the callback.
 * Never throws for a failure of the item; the record says what happened.
 */
export async function runItem(
  deps: ItemRunnerDeps,
  item: unknown,
  index: number | null,
): Promise<ItemRecord> {
  const { run, task, executor } = deps;
  let startedAt: string | null = null;
  let startedMs = 0;
  let attempts = 0;
  let outcome: ActionOutcome | null = null;
  let error: ItemError | null = null;

  // One options object per item, not per attempt: the hot path of a no-op map allocates little.
  const onLog = (message: string): void => {
    if (run.wants.log) run.emit({ type: 'log', task: task.id, index, message, at: isoNow() });
  };
  const options: ExecuteOptions = {
    signal: run.cancelSignal,
    onStart: (worker) => {
      const at = isoNow();
      if (startedAt === null) {
        startedMs = performance.now();
        startedAt = at;
      }
      if (run.wants.itemStarted) {
        run.emit({
          type: 'item-started',
          task: task.id,
          index,
          item,
          attempt: attempts,
          worker,
          at,
        });
      }
    },
    onLog,
  };
  if (task.timeoutMs !== undefined) options.timeoutMs = task.timeoutMs;

  for (;;) {
    attempts++;
    try {
      const request = buildRequest(run, task, item, index, attempts);
      outcome = await executor.execute(request, options);
      error = outcome.ok ? null : toItemError(outcome.error);
    } catch (failure) {
      // An expression that cannot be evaluated for this item: the item fails, the run goes on.
      outcome = null;
      error = errorOf('TASK_ERROR', failure);
    }
    if (error === null || error.code === 'CANCELLED' || attempts > task.retries) break;
    if (run.stopSignal.aborted) break;
    if (!(await waitBeforeRetry(task.retryDelayMs * 2 ** (attempts - 1), run))) break;
  }

  let status: ItemStatus =
    error === null ? 'ok' : error.code === 'CANCELLED' ? 'cancelled' : 'failed';
  let result: unknown = outcome?.ok === true ? outcome.value : null;
  const worker = outcome?.workerId ?? null;

  if (status === 'ok' && deps.callback !== null) {
    const callback = deps.callback;
    const ctx = {
      item,
      index,
      task: task.id,
      job: run.job.name,
      attempt: attempts,
      workerId: worker,
      signal: run.cancelSignal,
      log: (message: unknown) => onLog(String(message)),
    };
    try {
      const replaced = await deps.callbacks.run(() => callback(result, ctx));
      if (replaced !== undefined) result = replaced;
    } catch (failure) {
      status = 'failed';
      result = null;
      error = errorOf('CALLBACK_FAILED', failure);
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

  return {
    type: 'item',
    task: task.id,
    index,
    item: task.map === undefined ? null : item,
    status,
    result,
    error,
    attempts,
    startedAt,
    durationMs: startedAt === null ? 0 : Math.round((performance.now() - startedMs) * 10) / 10,
    worker,
  };
}
