import { setTimeout as sleep } from 'node:timers/promises';
import type { ActionRequest } from '../actions/types.ts';
import type {
  ActionOutcome,
  ExecuteOptions,
  Executor,
  SerializedError,
} from '../executors/types.ts';
import type { Task } from '../job/types.ts';
import type { ItemError, ItemRecord, ItemStatus } from '../results/types.ts';
import { errorMessage } from '../util/error-message.ts';
import { buildRequest } from './build-request.ts';
import type { AttemptPass, FlowGate } from './flow-gate.ts';
import type { CallbackFn, CallbackQueue } from './callback-queue.ts';
import { isoNow } from './iso-clock.ts';
import type { ItemKeyer } from './item-key.ts';
import { itemErrorFrom } from './item-error.ts';
import { isRetried, retryWaitMs } from './retry-policy.ts';
import type { RunContext } from './run-context.ts';
import type { TaskWatch, WatchedAttempt } from './task-watch.ts';
import { elapsedSince } from '../util/elapsed.ts';

export type { CallbackFn } from './callback-queue.ts';

/** What runs the items of one task. */
export interface ItemRunnerDeps {
  run: RunContext;
  task: Task;
  executor: Executor;
  callback: CallbackFn | null;
  callbacks: CallbackQueue;
  /** Announces attempts that run a while, for `itemStarted: 'waiting'`; `null` otherwise. */
  watch: TaskWatch | null;
  /** The task's `rate:` and `uses:`, passed by each attempt; `null` without either. */
  flow: FlowGate | null;
  /** Writes an item's record and counts it, once it is known. */
  record: (record: ItemRecord) => void;
  /** Keys the task's items (their `key` field, and `--resume`'s lookups). */
  keyer: ItemKeyer;
}

/** An item's first request and its key, known before it runs; `null` both when no request can be built. */
export interface PreparedItem {
  request: ActionRequest | null;
  key: string | null;
}

/**
 * Builds the first attempt's request of an item, and so its key. An expression that cannot be
 * evaluated leaves both `null`: the item's first attempt then fails as it would have.
 */
export function prepareItem(
  deps: ItemRunnerDeps,
  item: unknown,
  index: number | null,
): PreparedItem {
  let request: ActionRequest;
  try {
    request = buildRequest(deps.run, deps.task, item, index, 1);
  } catch {
    return { request: null, key: null };
  }
  return { request, key: deps.keyer.keyOf(request) };
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

/** Waits before the item's next attempt; `false` if the run stopped meanwhile. */
async function waitBeforeRetry(itemRun: ItemRun): Promise<boolean> {
  const { run, task } = itemRun.deps;
  const ms = retryWaitMs(task.retryPolicy, itemRun.attempts, itemRun.retryAfterMs);
  try {
    await sleep(ms, undefined, { signal: AbortSignal.any([run.stopSignal, run.cancelSignal]) });
    return true;
  } catch {
    return false;
  }
}

/** One item on its way to its record: the state its attempts share. */
class ItemRun implements WatchedAttempt {
  readonly deps: ItemRunnerDeps;
  readonly item: unknown;
  readonly index: number | null;
  readonly options: ExecuteOptions;
  readonly key: string | null;
  /** The first attempt's request, built to key the item; later attempts build their own. */
  #firstRequest: ActionRequest | null;
  startedAt: string | null = null;
  startedMs = 0;
  attempts = 0;
  outcome: ActionOutcome | null = null;
  error: ItemError | null = null;
  /** The last failed attempt's server asked to wait this long (`Retry-After`). */
  retryAfterMs: number | undefined = undefined;
  /** The current attempt's hold on the task's rate and resources. */
  pass: AttemptPass | null = null;
  /** When the current attempt started, and where. */
  attemptStartedAt = '';
  attemptWorker = '';
  /** The attempt whose `item-started` event went out last (0: none). */
  announcedAttempt = 0;
  watchPrev: WatchedAttempt | null = null;
  watchNext: WatchedAttempt | null = null;
  watchedSince = 0;

  constructor(deps: ItemRunnerDeps, item: unknown, index: number | null, prepared: PreparedItem) {
    this.deps = deps;
    this.item = item;
    this.index = index;
    this.key = prepared.key;
    this.#firstRequest = prepared.request;
    const { run, task } = deps;
    // One options object per item, not per attempt.
    this.options = {
      signal: run.cancelSignal,
      // Stopping (Ctrl-C once, fail-fast) keeps attempts waiting for a worker from starting.
      stopSignal: run.stopSignal,
      onStart: (worker, startedAgoMs) => this.#onStart(worker, startedAgoMs),
      onLog: (message) => logOf(this, message),
    };
    if (task.timeoutMs !== undefined) this.options.timeoutMs = task.timeoutMs;
  }

  #onStart(worker: string, startedAgoMs = 0): void {
    const at = startedAgoMs > 0 ? new Date(Date.now() - startedAgoMs).toISOString() : isoNow();
    if (this.startedAt === null) {
      this.startedMs = performance.now() - startedAgoMs;
      this.startedAt = at;
    }
    this.attemptStartedAt = at;
    this.attemptWorker = worker;
    this.pass?.started();
    const wanted = this.deps.run.wants.itemStarted;
    if (wanted === true) this.announce();
    else if (wanted === 'waiting') this.deps.watch?.started(this);
  }

  announce(): void {
    const { run, task } = this.deps;
    this.announcedAttempt = this.attempts;
    run.emit({
      type: 'item-started',
      task: task.id,
      index: this.index,
      item: this.item,
      attempt: this.attempts,
      worker: this.attemptWorker,
      at: this.attemptStartedAt,
    });
  }

  /** Starts the next attempt: its outcome, or `null` when it could not start. */
  attempt(): Promise<ActionOutcome | null> {
    const flow = this.deps.flow;
    return flow === null ? this.#execute() : this.#passThenExecute(flow);
  }

  /** Waits for the task's rate and resources first; they are held until the outcome is known. */
  async #passThenExecute(flow: FlowGate): Promise<ActionOutcome | null> {
    const pass = await flow.admit();
    if (pass === null) {
      this.outcome = null;
      this.error = { message: 'the run stopped before this attempt started', code: 'CANCELLED' };
      return null;
    }
    this.pass = pass;
    try {
      return await this.#execute();
    } finally {
      pass.ended();
      this.pass = null;
    }
  }

  #execute(): Promise<ActionOutcome | null> {
    const { run, task, executor } = this.deps;
    this.attempts++;
    try {
      const request =
        this.#firstRequest ?? buildRequest(run, task, this.item, this.index, this.attempts);
      this.#firstRequest = null;
      return executor.execute(request, this.options);
    } catch (failure) {
      // An expression that cannot be evaluated for this item: the item fails, the run goes on.
      this.outcome = null;
      this.error = itemErrorFrom('TASK_ERROR', failure);
      return Promise.resolve(null);
    }
  }

  /** Takes an attempt's outcome (`null`: it could not start); whether another may follow. */
  take(outcome: ActionOutcome | null): boolean {
    this.deps.watch?.ended(this);
    if (outcome !== null) {
      this.outcome = outcome;
      this.error = outcome.ok ? null : toItemError(outcome.error);
      this.retryAfterMs = outcome.ok ? undefined : outcome.error.retryAfterMs;
    }
    const error = this.error;
    const { run, task } = this.deps;
    return (
      error !== null &&
      isRetried(task.retryPolicy, error.code, this.attempts) &&
      !run.stopSignal.aborted
    );
  }
}

/**
 * Runs one item to its record: attempts, retried as the task's retry policy says, then the
 * callback; then records it (`deps.record`). Never rejects: a failure of the item is in its
 * record, and so is a bug of jobrun's own (`TASK_ERROR`), so that the results file stays complete.
 */
export async function runItem(
  deps: ItemRunnerDeps,
  item: unknown,
  index: number | null,
  prepared: PreparedItem,
): Promise<ItemRecord> {
  const itemRun = new ItemRun(deps, item, index, prepared);
  let record: ItemRecord;
  try {
    let hasMore = itemRun.take(await itemRun.attempt());
    while (hasMore) {
      if (!(await waitBeforeRetry(itemRun))) break;
      hasMore = itemRun.take(await itemRun.attempt());
    }
    const error = itemRun.error;
    const result = itemRun.outcome?.ok === true ? itemRun.outcome.value : null;
    if (error !== null) record = recordOf(itemRun, statusOf(error), null, error);
    else if (deps.callback === null) record = recordOf(itemRun, 'ok', result, null);
    else record = await callBack(itemRun, deps.callback, result);
  } catch (bug) {
    record = recordOf(itemRun, 'failed', null, { message: errorMessage(bug), code: 'TASK_ERROR' });
  }
  deps.record(record);
  return record;
}

/** The item succeeded: its callback runs, and may replace its result or fail it. */
async function callBack(
  itemRun: ItemRun,
  callback: CallbackFn,
  value: unknown,
): Promise<ItemRecord> {
  const { run, task, callbacks } = itemRun.deps;
  const ctx = {
    item: itemRun.item,
    index: itemRun.index,
    task: task.id,
    job: run.job.name,
    attempt: itemRun.attempts,
    workerId: itemRun.outcome?.workerId ?? null,
    signal: run.cancelSignal,
    log: (message: unknown) => logOf(itemRun, String(message)),
  };
  const called = await callbacks.run(callback, value, ctx, {
    timeoutMs: task.timeoutMs,
    signal: run.cancelSignal,
  });
  if (!called.ok) return recordOf(itemRun, statusOf(called.error), null, called.error);
  const result = called.value === undefined ? value : called.value;
  if (!isJsonSerializable(result)) {
    return recordOf(itemRun, 'failed', null, {
      message: 'the callback returned a value that is not JSON-serializable',
      code: 'NOT_SERIALIZABLE',
    });
  }
  return recordOf(itemRun, 'ok', result, null);
}

function logOf(itemRun: ItemRun, message: string): void {
  const { run, task } = itemRun.deps;
  if (!run.wants.log) return;
  run.emit({ type: 'log', task: task.id, index: itemRun.index, message, at: isoNow() });
}

function statusOf(error: ItemError): ItemStatus {
  return error.code === 'CANCELLED' ? 'cancelled' : 'failed';
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
    durationMs: startedAt === null ? 0 : elapsedSince(itemRun.startedMs),
    worker: itemRun.outcome?.workerId ?? null,
    key: itemRun.key,
  };
  if (itemRun.announcedAttempt !== 0) deps.run.announced.add(record);
  return record;
}
