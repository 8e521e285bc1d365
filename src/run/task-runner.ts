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
import { FlowGate } from './flow-gate.ts';
import { batchesOf, ITEMS_PER_TURN, TurnBudget } from './item-batches.ts';
import { createItemKeyer, type ItemKeyer } from './item-key.ts';
import {
  prepareItem,
  runItem,
  type CallbackFn,
  type ItemRunnerDeps,
  type PreparedItem,
} from './item-runner.ts';
import type { RunContext } from './run-context.ts';
import { gateLimits, openGate } from './task-gate.ts';
import { TaskWatch } from './task-watch.ts';

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
    key: null,
  };
}

/** The record of an item taken from its source that never started: the run stopped first. */
function notStartedRecord(
  task: Task,
  item: unknown,
  index: number | null,
  key: string | null,
): ItemRecord {
  return {
    ...notRunRecord(task, 'cancelled'),
    index,
    item: index === null ? null : item,
    error: { message: 'the run stopped before this item started', code: 'CANCELLED' },
    key,
  };
}

/**
 * The record of an item that `--resume` does not run: the previous run's `ok` record of the same
 * key, with this run's index and item.
 */
function cachedRecord(
  previous: ItemRecord,
  item: unknown,
  index: number | null,
  key: string,
): ItemRecord {
  return {
    type: 'item',
    task: previous.task,
    index,
    item: index === null ? null : item,
    status: 'ok',
    result: previous.result ?? null,
    error: null,
    attempts: previous.attempts,
    startedAt: previous.startedAt,
    durationMs: previous.durationMs,
    worker: previous.worker,
    key,
    cached: true,
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
async function countRest(batches: AsyncIterator<unknown[]>): Promise<number | null> {
  let count = 0;
  try {
    for (let next = await batches.next(); next.done !== true; next = await batches.next()) {
      count += next.value.length;
    }
    return count;
  } catch {
    await batches.return?.(undefined);
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
  if (entry.status === 'ok') {
    counts.ok++;
    if (entry.cached === true) counts.cached++;
  } else if (entry.status === 'failed') counts.failed++;
  else if (entry.status === 'skipped') counts.skipped++;
  else counts.cancelled++;
  run.sink.write(entry);
  if (entry.status !== 'ok' || run.wants.itemOk || run.announced.has(entry)) {
    run.emit({ type: 'item-finished', record: entry });
  }
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
 * Runs a task's items through its gate, a p-queue that admits as many as the executor can
 * usefully take, writing each record as soon as it is known. Every item source is read the same
 * way (`batchesOf`), as the gate has room: a list, a range, a file's lines or a producer's stream.
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
  let keyer: ItemKeyer;
  try {
    source = await openItemSource(run, taskRun);
    keyer = await createItemKeyer(task, run.job.dir);
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
  const limits = gateLimits(executor, taskRun.executor);
  const gate = openGate(limits);
  // An executor that can wait (a queue without workers) is watched, to say so.
  const isWatched =
    run.wants.progress || run.wants.itemStarted === 'waiting' || executor.waitingOn !== undefined;
  const flow = FlowGate.of(run, task);
  const watch = isWatched ? new TaskWatch(run, task.id, taskRun.counts, flow, executor) : null;
  const settle = (entry: ItemRecord, index: number): void => {
    record(run, taskRun, entry);
    const value = entry.status === 'ok' ? entry.result : null;
    if (keepsResults) {
      if (isMap) results[index] = value;
      else single = value;
    }
    if (entry.status === 'failed' && !task.continueOnError) run.onItemFailed();
  };
  const deps: ItemRunnerDeps = {
    flow,
    run,
    task,
    executor,
    callback: taskRun.callback,
    callbacks: new CallbackQueue(),
    watch: run.wants.itemStarted === 'waiting' ? watch : null,
    record: (entry) => settle(entry, entry.index ?? 0),
    keyer,
  };
  const resume = run.resume;
  const consumers = taskRun.consumers;
  // Back-pressure: the gate's slot stays taken until every consumer took the result.
  const streamEntry = async (entry: ItemRecord): Promise<void> => {
    if (entry.status === 'ok') for (const channel of consumers) await channel.push(entry.result);
  };
  /** One item from its turn at the gate to its record, and on to the tasks it streams to. */
  const runOne = (item: unknown, itemIndex: number, prepared: PreparedItem): Promise<unknown> => {
    const index = isMap ? itemIndex : null;
    if (run.stopSignal.aborted) {
      // Admitted, but the run stopped before its turn came.
      isStoppedEarly = true;
      settle(notStartedRecord(task, item, index, prepared.key), itemIndex);
      return Promise.resolve();
    }
    const recorded = runItem(deps, item, index, prepared);
    return consumers.length === 0 ? recorded : recorded.then(streamEntry);
  };

  let index = 0;
  // A list or range is taken as many items at a time as the gate runs at once.
  const batches = batchesOf(source.items, Math.min(limits.concurrency, ITEMS_PER_TURN));
  const turn = new TurnBudget();
  let isDone = false;
  /** Items of a `lines` source after the point where the run stopped taking them. */
  let rest: number | null = null;
  try {
    feed: for (;;) {
      // Items not yet taken from their source get no record, but are counted (below).
      if (run.stopSignal.aborted) break;
      const next = await batches.next();
      if (next.done === true) {
        isDone = true;
        break;
      }
      for (const item of next.value) {
        if (run.stopSignal.aborted) {
          // Taken from the source, never admitted: recorded as not started, like the rest of its
          // batch.
          isStoppedEarly = true;
          const itemKey = prepareItem(deps, item, isMap ? index : null).key;
          settle(notStartedRecord(task, item, isMap ? index : null, itemKey), index);
          index++;
          continue;
        }
        const itemIndex = index++;
        const prepared = prepareItem(deps, item, isMap ? itemIndex : null);
        const previous =
          resume === null || prepared.key === null ? null : resume.find(prepared.key);
        if (previous !== null) {
          // Reused: it takes no slot at the gate and makes no attempt; a stream's back-pressure
          // holds the feed instead.
          const entry = cachedRecord(
            previous,
            item,
            isMap ? itemIndex : null,
            prepared.key as string,
          );
          settle(entry, itemIndex);
          if (consumers.length > 0) await streamEntry(entry);
          continue;
        }
        void gate.add(() => runOne(item, itemIndex, prepared));
      }
      if (isStoppedEarly) break feed;
      // The next batch is taken from its source only once this one has started: a stream is read
      // no faster than its items run, and at most one batch waits at the gate.
      await gate.onSizeLessThan(1);
      await turn.spend(next.value.length);
    }
  } finally {
    // A lines file is read to its end to count what was not run; otherwise, as `for await` does
    // on an early exit, a stream is told to stop.
    if (!isDone && task.map?.form === 'lines') rest = await countRest(batches);
    else if (!isDone) await batches.return(undefined);
  }
  await gate.onIdle();
  const counts = taskRun.counts;
  const total = source.total ?? (isDone ? index : rest === null ? null : index + rest);
  if (total !== null) {
    // Never taken from the source: no record each, but counted, so the counts add up to total.
    counts.cancelled += total - index;
    counts.total = total;
    if (source.total === null) run.emit({ type: 'task-total', task: task.id, total });
  }
  watch?.stop();

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
