import { evaluateValue } from '../expr/evaluate.ts';
import type { ExecutorConfig, Task } from '../job/types.ts';
import { knownItemCount } from '../plan/item-count.ts';
import { openStaticItemSource, type ItemSource } from './item-source.ts';
import type { ItemRecord, TaskStatus, TaskSummary } from '../results/types.ts';
import { errorMessage } from '../util/error-message.ts';
import { itemScope } from './build-request.ts';
import { CallbackQueue } from './callback-queue.ts';
import { withCancelReason } from './cancel-reason.ts';
import type { Channel } from './channel.ts';
import { runItem, type CallbackFn } from './item-runner.ts';
import type { RunContext } from './run-context.ts';
import { Slots } from './slots.ts';

/** `task-progress` events of a running task at most this often. */
const PROGRESS_EVERY_MS = 100;
/** Look at the clock for progress once every 64 ok items. */
const PROGRESS_CHECK_MASK = 0x3f;

/** Give the event loop a turn at least this often during a map of instant items. */
const YIELD_EVERY_MS = 20;
/** Look at the clock once every 256 items. */
const YIELD_CHECK_MASK = 0xff;

/** How one task is run: where, what it reads, and where its results go downstream. */
export interface TaskRun {
  task: Task;
  executor: ExecutorConfig;
  /** The channel of a `map: { from }` task, fed by its producer. */
  input: Channel<unknown> | null;
  /** Channels of the tasks that stream this task's results. */
  consumers: Channel<unknown>[];
  callback: CallbackFn | null;
  counts: TaskSummary;
  /** When the last `task-progress` event went out (performance.now). */
  lastProgressMs: number;
}

/** A record for a task that never ran (skipped, or cancelled before it started). */
function notRunRecord(task: Task, status: 'skipped' | 'cancelled'): ItemRecord {
  return {
    type: 'item',
    task: task.id,
    index: null,
    item: null,
    status,
    result: null,
    error:
      status === 'cancelled'
        ? { message: 'the run stopped before this task started', code: 'CANCELLED' }
        : null,
    attempts: 0,
    startedAt: null,
    durationMs: 0,
    worker: null,
  };
}

/** The record of an item taken from its source that never started: the run stopped first. */
function notStartedRecord(task: Task, item: unknown, index: number | null): ItemRecord {
  return {
    ...notRunRecord(task, 'cancelled'),
    index,
    item: index === null ? null : item,
    error: { message: 'the run stopped before this item started', code: 'CANCELLED' },
  };
}

/**
 * The item count of a task that never started, when it is known without running anything: 1
 * without `map`, a list's or range's size, an expression over values already there (`vars`, a
 * finished task's result). A `lines` file or a glob is not read for a task that does not run: a
 * task upstream may have been meant to write it.
 */
function unrunTotal(run: RunContext, task: Task): number | null {
  const map = task.map;
  if (map === undefined) return 1;
  if (map.form !== 'expression') return knownItemCount(map);
  try {
    const value = evaluateValue(map.expression, itemScope(run, undefined, null));
    return Array.isArray(value) ? value.length : null;
  } catch {
    return null;
  }
}

/** Reads the rest of a `lines` source without running its items; `null` if it cannot be read. */
async function countRest(iterator: AsyncIterator<unknown>): Promise<number | null> {
  let count = 0;
  try {
    while ((await iterator.next()).done !== true) count++;
    return count;
  } catch {
    await iterator.return?.();
    return null;
  }
}

async function openItemSource(run: RunContext, taskRun: TaskRun): Promise<ItemSource> {
  const map = taskRun.task.map;
  if (map === undefined) return { total: 1, items: [null] };
  switch (map.form) {
    case 'from':
      return { total: null, items: taskRun.input ?? [] };
    case 'expression': {
      const value = evaluateValue(map.expression, itemScope(run, undefined, null));
      if (!Array.isArray(value)) {
        const found = value === null ? 'null' : typeof value;
        throw new Error(`map: ${map.expression} yielded ${found}, expected a list`);
      }
      return { total: value.length, items: value };
    }
    case 'list':
    case 'range':
    case 'lines':
    case 'glob':
      return openStaticItemSource(map);
  }
}

function record(run: RunContext, taskRun: TaskRun, given: ItemRecord): void {
  const entry = run.cancelSignal.aborted ? withCancelReason(given, run.cancelSignal) : given;
  const counts = taskRun.counts;
  if (entry.status === 'ok') counts.ok++;
  else if (entry.status === 'failed') counts.failed++;
  else if (entry.status === 'skipped') counts.skipped++;
  else counts.cancelled++;
  run.sink.write(entry);
  if (entry.status !== 'ok' || run.wants.itemOk || run.announced.has(entry)) {
    run.emit({ type: 'item-finished', record: entry });
  }
  if (run.wants.progress && (counts.ok & PROGRESS_CHECK_MASK) === 0) emitProgress(run, taskRun);
}

/** Emits the task's counts, at most every `PROGRESS_EVERY_MS` unless `isFinal`. */
function emitProgress(run: RunContext, taskRun: TaskRun, isFinal = false): void {
  const nowMs = performance.now();
  if (!isFinal && nowMs - taskRun.lastProgressMs < PROGRESS_EVERY_MS) return;
  taskRun.lastProgressMs = nowMs;
  const { ok, failed, skipped, cancelled } = taskRun.counts;
  run.emit({ type: 'task-progress', task: taskRun.task.id, ok, failed, skipped, cancelled });
}

/**
 * Writes the one record of a task that did not run, and its final state. Its counts stand for
 * all its items when their number is known (a map of 10 never run counts 10 skipped), else for
 * the task as one.
 */
export function finishUnrun(
  run: RunContext,
  taskRun: TaskRun,
  status: 'skipped' | 'cancelled',
): TaskStatus {
  record(run, taskRun, notRunRecord(taskRun.task, status));
  const total = unrunTotal(run, taskRun.task);
  if (total !== null) {
    taskRun.counts[status] += total - 1;
    taskRun.counts.total = total;
  }
  return status;
}

/**
 * Runs a task's items, at most `maxWorkers` running and a few more waiting on pool workers, writing
 * each record as soon as it is known.
 * Returns the task's final status.
 */
export async function runTask(run: RunContext, taskRun: TaskRun): Promise<TaskStatus> {
  const { task } = taskRun;
  const isMap = task.map !== undefined;
  const keepsResults = run.referencedResults.has(task.id);
  const results: unknown[] = [];
  let single: unknown = null;
  let isStoppedEarly = false;

  let source: ItemSource;
  try {
    source = await openItemSource(run, taskRun);
  } catch (failure) {
    const message = errorMessage(failure);
    record(run, taskRun, {
      ...notRunRecord(task, 'skipped'),
      status: 'failed',
      error: { message, code: 'TASK_ERROR' },
    });
    run.onItemFailed();
    run.outputs[task.id] = { result: null, status: 'failed' };
    return 'failed';
  }

  // A glob or an expression is counted as it is opened; a list or range was known at the start.
  if (task.map !== undefined && source.total !== null && knownItemCount(task.map) === null)
    run.emit({ type: 'task-total', task: task.id, total: source.total });
  const executor = await run.getExecutor(taskRun.executor);
  const deps = { run, task, executor, callback: taskRun.callback, callbacks: new CallbackQueue() };
  // A pool keeps a few attempts waiting on each worker, so it asks for more than maxWorkers.
  const slots = new Slots(executor.inFlightLimit ?? taskRun.executor.maxWorkers);
  const settle = (entry: ItemRecord, index: number): void => {
    record(run, taskRun, entry);
    const value = entry.status === 'ok' ? entry.result : null;
    if (keepsResults) {
      if (isMap) results[index] = value;
      else single = value;
    }
    if (entry.status === 'failed' && !task.continueOnError) run.onItemFailed();
  };
  const hasConsumers = taskRun.consumers.length > 0;
  // runItem turns every failure of the item into a record; a throw reaching here is a jobrun
  // bug, still recorded so the run's file stays complete.
  const recordJobrunBug = (bug: unknown, itemIndex: number): void => {
    const message = errorMessage(bug);
    settle(
      {
        ...notRunRecord(task, 'skipped'),
        index: isMap ? itemIndex : null,
        status: 'failed',
        error: { message, code: 'TASK_ERROR' },
      },
      itemIndex,
    );
  };
  // One async frame per item that waits (not a then/catch/finally chain).
  const finishOne = async (
    pending: ItemRecord | Promise<ItemRecord>,
    itemIndex: number,
  ): Promise<void> => {
    try {
      const entry = await pending;
      settle(entry, itemIndex);
      // Back-pressure: the slot stays held until every consumer took the result.
      if (hasConsumers && entry.status === 'ok')
        for (const channel of taskRun.consumers) await channel.push(entry.result);
    } catch (bug) {
      recordJobrunBug(bug, itemIndex);
    } finally {
      slots.release();
    }
  };
  // An item whose record is known at once (a function that returned a plain value) is settled
  // here and now: no promise, no microtask, nothing for the garbage collector but the record.
  const runOne = (item: unknown, itemIndex: number): void => {
    let entry: ItemRecord | Promise<ItemRecord>;
    try {
      entry = runItem(deps, item, isMap ? itemIndex : null);
    } catch (bug) {
      recordJobrunBug(bug, itemIndex);
      slots.release();
      return;
    }
    if (entry instanceof Promise || (hasConsumers && entry.status === 'ok')) {
      void finishOne(entry, itemIndex);
      return;
    }
    try {
      settle(entry, itemIndex);
    } finally {
      slots.release();
    }
  };

  let index = 0;
  const items = source.items;
  // A list or range is walked synchronously: `for await` would cost a promise and a tick per item.
  const syncIterator = Symbol.asyncIterator in items ? null : items[Symbol.iterator]();
  const asyncIterator =
    syncIterator === null ? (items as AsyncIterable<unknown>)[Symbol.asyncIterator]() : null;
  let isDone = false;
  /** Items of a `lines` source after the point where the run stopped taking them. */
  let rest: number | null = null;
  let lastYieldMs = performance.now();
  const stopBefore = (item: unknown): void => {
    isStoppedEarly = true;
    settle(notStartedRecord(task, item, isMap ? index : null), index);
    index++;
  };
  try {
    for (;;) {
      const next =
        syncIterator === null
          ? await (asyncIterator as AsyncIterator<unknown>).next()
          : syncIterator.next();
      if (next.done === true) {
        isDone = true;
        break;
      }
      if (run.stopSignal.aborted) {
        stopBefore(next.value);
        break;
      }
      const wait = slots.acquire();
      if (wait !== undefined) await wait;
      if (run.stopSignal.aborted) {
        slots.release();
        stopBefore(next.value);
        break;
      }
      runOne(next.value, index++);
      // Items that finish without I/O resolve as microtasks only, which would starve timers and
      // signal handlers (Ctrl-C, the results file's flush, the live listing) until the map ends.
      if ((index & YIELD_CHECK_MASK) === 0 && performance.now() - lastYieldMs > YIELD_EVERY_MS) {
        await new Promise((resolve) => setImmediate(resolve));
        lastYieldMs = performance.now();
      }
    }
  } finally {
    // A lines file is read to its end to count what was not run; otherwise, as `for await` does
    // on an early exit, a stream is told to stop.
    if (!isDone && isStoppedEarly && asyncIterator !== null && task.map?.form === 'lines')
      rest = await countRest(asyncIterator);
    else if (!isDone) await (syncIterator ?? asyncIterator)?.return?.();
  }
  await slots.idle();
  const counts = taskRun.counts;
  const total = source.total ?? (isDone ? index : rest === null ? null : index + rest);
  if (total !== null) {
    // Never taken from the source: no record each, but counted, so the counts add up to total.
    counts.cancelled += total - index;
    counts.total = total;
    if (source.total === null) run.emit({ type: 'task-total', task: task.id, total });
  }

  if (run.wants.progress) emitProgress(run, taskRun, true);
  let status: TaskStatus;
  if (counts.failed > 0 && !task.continueOnError) status = 'failed';
  else if (isStoppedEarly || counts.cancelled > 0) status = 'cancelled';
  else status = 'ok';
  run.outputs[task.id] = {
    status,
    ...(keepsResults
      ? { result: isMap ? Array.from({ length: index }, (_, i) => results[i] ?? null) : single }
      : {}),
  };
  return status;
}
