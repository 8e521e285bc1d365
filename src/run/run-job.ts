import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { collectExpressions } from '../expr/collect-expressions.ts';
import { acquireCrashGuard, releaseCrashGuard } from '../proc/crash-guard.ts';
import type { Executor } from '../executors/types.ts';
import { expandResultsPath } from '../job/results-path.ts';
import type { ExecutorConfig, ExecutorSetting, Job, Task } from '../job/types.ts';
import { knownItemCount } from '../plan/item-count.ts';
import { orderTasks } from '../plan/order.ts';
import { resolveExecutor } from '../plan/resolve-executor.ts';
import { openJsonlSink, type ResultSink } from '../results/jsonl-sink.ts';
import {
  openPreviousResults,
  removePreviousResults,
  type PreviousResults,
} from '../results/previous-results.ts';
import { checkResultsTarget } from '../results/results-target.ts';
import { createSecretMask, maskRecords } from '../results/secret-mask.ts';
import type { RunStatus, SummaryRecord, TaskStatus } from '../results/types.ts';
import { ServiceExitedError } from '../services/service-exited.ts';
import { ServiceSet } from '../services/service-set.ts';
import { createDeferred, type Deferred } from '../util/deferred.ts';
import { Channel } from './channel.ts';
import type { RunEvent, RunEventListener, RunEventSelection } from './events.ts';
import { applyToProcessEnv, resolveJobEnv, secretValues } from './job-env.ts';
import { loadCallback } from './load-callback.ts';
import { acquireResultsLocks } from './lock.ts';
import type { RunContext } from './run-context.ts';
import type { CallbackFn } from './item-runner.ts';
import { finishUnrun, runTask, type TaskRun } from './task-runner.ts';
import { keylessNotice } from './resume-plan.ts';
import { checkQueueConnections } from '../queue/check-connections.ts';
import { displayUrl } from '../queue/redis-url.ts';
import { elapsedSince } from '../util/elapsed.ts';

/** Grace given to in-flight items after the first interrupt. */
export const DEFAULT_DRAIN_TIMEOUT_MS = 10_000;

export interface RunJobOptions {
  /** Overrides the executor of every task (`--executor`, `--max-workers`). */
  executor?: ExecutorSetting;
  /** The results file, instead of the job's `results:` (relative paths: the working directory). */
  resultsPath?: string;
  /** Overrides the job's `failFast`. */
  failFast?: boolean;
  /** @default a random UUID */
  runId?: string;
  /** @default now */
  startedAt?: Date;
  /**
   * Receives every event of the run, in order. An event comes once every record written before
   * it is on disk (records go out in batches, within 25 ms): an item reported finished is never
   * one a crash could still lose.
   */
  onEvent?: RunEventListener;
  /** The per-item events `onEvent` wants; the others are not built. @default every event */
  events?: RunEventSelection;
  /**
   * Abort to stop starting items; in-flight items finish within `drainTimeoutMs`, then are
   * cancelled. The abort reason (e.g. `'SIGINT'`) is reported in the `run-interrupted` event.
   */
  drainSignal?: AbortSignal;
  /** Abort to cancel in-flight items at once. */
  cancelSignal?: AbortSignal;
  /** @default 10000 */
  drainTimeoutMs?: number;
  /** The environment seen by `${{ env.NAME }}`. @default process.env */
  env?: Record<string, string | undefined>;
  /**
   * Told, in one line, what the run did on its own that a user should hear of: a lock left by a
   * dead or unknown holder taken over (the line names the lock file).
   */
  onNotice?: (message: string) => void;
  /** Start none of the job's `services:` (`--no-services`): they are recorded `skipped`. */
  skipServices?: boolean;
  /**
   * Re-run only what did not succeed last time (`--resume`): an item whose key has an `ok`
   * record in the previous results file is not run (neither its action nor its callback); its
   * record is written again with `cached: true` and the recorded result, which downstream
   * expressions see. The previous file is kept beside the results file as `.<name>.previous`
   * until a resumed run reaches every item, so a resumed run that stops early loses no `ok`
   * record. Without a previous file every item runs, and `onNotice` says so. Without this
   * option, a kept previous file is deleted.
   * @default false
   */
  resume?: boolean;
}

export interface RunResult {
  runId: string;
  resultsPath: string;
  summary: SummaryRecord;
  /** The signal name of an interrupt (drain or cancel), or `null`. */
  interruptedBy: string | null;
}

/** Tasks whose `result` an expression reads: only they keep every item's result in memory. */
function referencedResults(tasks: readonly Task[]): Set<string> {
  const ids = new Set<string>();
  for (const task of tasks) {
    const action = task.action;
    const values: unknown[] = [
      task.with,
      task.map?.form === 'expression' ? task.map.expression : null,
    ];
    if (action.type === 'run') values.push(action.command, task.env);
    if (action.type === 'http') values.push(action.request);
    for (const ref of collectExpressions(values)) {
      const [first, second] = ref.steps;
      if (ref.root !== 'tasks' || first === undefined || !('key' in first)) continue;
      if (second === undefined || ('key' in second && second.key === 'result')) ids.add(first.key);
    }
  }
  return ids;
}

function reasonOf(signal: AbortSignal): string {
  return typeof signal.reason === 'string' ? signal.reason : 'abort';
}

/**
 * Runs a validated job: every task on its executor, records written to the results file as soon
 * as each is known, events to `onEvent`. Resolves with the summary; a failed item is data, never
 * a rejection. Rejects, touching nothing, with `LockHeldError` when another run holds the lock
 * of the job or of its results file, `UnsafeResultsPathError` when the results path is a symbolic
 * link and `JobValidationError` when it is one of the job's inputs. Rejects with
 * `ResultsWriteError` when the results file cannot be written (at the start, or later: in-flight
 * items are then cancelled and the pools stopped first), and only for broken infrastructure
 * otherwise.
 *
 * What it changes in its process, for the length of the run only: it installs no signal handler
 * and never calls `process.exit`. When a task runs functions on `coroutine` or has a callback
 * (user code in this process), it listens for `uncaughtException`, `unhandledRejection` and
 * `beforeExit` and replaces `process.exit`, so that task code that crashes, exits or never
 * settles fails only its item; an error that does not come from task code is thrown on. The
 * job's `env:` is set in `process.env` (functions and commands read it there), so two runs at
 * once in one process see each other's. All of it is put back when the run ends.
 */
export async function runJob(job: Job, options: RunJobOptions = {}): Promise<RunResult> {
  const runId = options.runId ?? randomUUID();
  const startedAtDate = options.startedAt ?? new Date();
  const startedAt = startedAtDate.toISOString();
  const startedMs = performance.now();
  const env = options.env ?? process.env;
  const override = options.executor ?? {};
  const resultsPath = options.resultsPath ?? expandResultsPath(job, { id: runId, startedAt }, env);
  checkResultsTarget(job, resultsPath, options.resultsPath === undefined ? undefined : '--results');
  // A queue's Redis that cannot be used is a setting to fix, found before the results file is
  // touched: no run record without a summary.
  await checkQueueConnections(job, override);
  const lock = acquireResultsLocks(resultsPath, job.name, options.onNotice);
  const callbacks = new Map<string, CallbackFn>();
  try {
    // Loaded before the results file is opened: a module that fails to load leaves it untouched.
    for (const task of job.tasks) {
      if (task.callback !== undefined) callbacks.set(task.id, await loadCallback(task.callback));
    }
  } catch (error) {
    lock.release();
    throw error;
  }

  const listener = options.onEvent;
  // An event goes out once every record written before it is on disk: nothing is reported
  // finished (a line, a count) that a crash could still lose.
  const emit = (event: RunEvent): void => {
    if (listener !== undefined) sink.afterWrite(() => listener(event));
  };
  const hasListener = listener !== undefined;
  const wants = {
    itemStarted: hasListener && (options.events?.itemStarted ?? true),
    itemOk: hasListener && (options.events?.itemOk ?? true),
    log: hasListener && (options.events?.log ?? true),
    progress: hasListener && (options.events?.progress ?? false),
  };
  const now = (): string => new Date().toISOString();
  const stop = new AbortController();
  const cancel = new AbortController();
  // Every submitted attempt listens to these, a few per worker of each task: not a leak.
  setMaxListeners(0, stop.signal, cancel.signal);
  let interruptedBy: string | null = null;
  let drainTimer: NodeJS.Timeout | undefined;
  // Once the summary is decided, a late signal changes nothing: the run has finished.
  let isFinished = false;
  const isFailFast = options.failFast ?? job.failFast;
  const onDrain = (): void => {
    if (stop.signal.aborted || isFinished) return;
    interruptedBy ??= reasonOf(options.drainSignal as AbortSignal);
    stop.abort();
    emit({ type: 'run-interrupted', signal: interruptedBy, force: false, at: now() });
    drainTimer = setTimeout(
      () => cancel.abort(),
      options.drainTimeoutMs ?? DEFAULT_DRAIN_TIMEOUT_MS,
    );
  };
  const onCancel = (): void => {
    if (cancel.signal.aborted || isFinished) return;
    interruptedBy ??= reasonOf(options.cancelSignal as AbortSignal);
    stop.abort();
    cancel.abort();
    emit({ type: 'run-interrupted', signal: interruptedBy, force: true, at: now() });
  };

  const executors = new Map<string, Promise<Executor>>();
  // Secrets are read before the job's env: joins jobrun's own, whose values it may replace.
  const mask = createSecretMask(secretValues(job, env));
  let previous: PreviousResults | null = null;
  try {
    // Set aside before the results file is replaced, under the lock.
    if (options.resume === true) {
      previous = openPreviousResults(resultsPath);
      if (previous === null) {
        options.onNotice?.(`--resume: no previous results file ${resultsPath}; running every item`);
      } else if (previous.index.hasKeyless) {
        options.onNotice?.(`--resume: ${keylessNotice(resultsPath)}`);
      }
    } else removePreviousResults(resultsPath);
  } catch (error) {
    lock.release();
    throw error;
  }
  let sink: ResultSink;
  try {
    // A write error stops the run as a second Ctrl-C would: nothing more could be recorded.
    const opened = openJsonlSink(resultsPath, {
      onError() {
        stop.abort();
        cancel.abort();
      },
    });
    sink = maskRecords(opened, mask);
  } catch (error) {
    previous?.finish(false);
    lock.release();
    throw error;
  }
  const jobEnv = resolveJobEnv(job, env);
  const restoreEnv = applyToProcessEnv(jobEnv);
  const services = new ServiceSet(job, {
    resultsPath,
    env,
    isSkipped: options.skipServices === true,
    onState: (change) => emit({ type: 'service-state', at: now(), ...change }),
  });
  // Callbacks run in this process: what their code throws later, in a timer, fails their item.
  const isGuarded = callbacks.size > 0;
  if (isGuarded) acquireCrashGuard();
  let isComplete = false;
  try {
    const { createExecutor } = await import('../executors/create-executor.ts');
    const run: RunContext = {
      job,
      runId,
      startedAt,
      sink,
      emit,
      wants,
      announced: new WeakSet(),
      getExecutor(config: ExecutorConfig) {
        const key = `${config.kind}:${config.maxWorkers}:${config.connection ?? ''}`;
        let executor = executors.get(key);
        if (executor === undefined) {
          executor = createExecutor(config, { runId, jobDir: job.dir, jobEnv });
          executors.set(key, executor);
        }
        return executor;
      },
      stopSignal: stop.signal,
      cancelSignal: cancel.signal,
      onItemFailed() {
        if (isFailFast && !stop.signal.aborted) {
          stop.abort();
          cancel.abort();
        }
      },
      env,
      outputs: {},
      referencedResults: referencedResults(job.tasks),
      resume: previous?.index ?? null,
    };

    const ordered = orderTasks(job.tasks);
    const taskRuns = new Map<string, TaskRun>();
    for (const task of ordered) {
      taskRuns.set(task.id, {
        task,
        executor: resolveExecutor(job.executor, task.executor, override),
        input: null,
        consumers: [],
        callback: callbacks.get(task.id) ?? null,
        counts: { status: 'ok', ok: 0, failed: 0, skipped: 0, cancelled: 0, cached: 0 },
      });
    }
    for (const taskRun of taskRuns.values()) {
      const map = taskRun.task.map;
      if (map?.form !== 'from') continue;
      // A consumer that also waits for other tasks must not block its producer meanwhile (the
      // producer may be what those tasks wait for), so its buffer is unbounded.
      const hasOtherNeeds = taskRun.task.needs.some((id) => id !== map.task);
      taskRun.input = new Channel(hasOtherNeeds ? Infinity : taskRun.executor.maxWorkers);
      taskRuns.get(map.task)?.consumers.push(taskRun.input);
    }

    sink.write({
      type: 'run',
      job: job.name,
      runId,
      executor: shownExecutor(resolveExecutor(job.executor, undefined, override)),
      startedAt,
    });
    // On disk before any item starts: even a run whose first item never yields has its record.
    sink.flush();
    sink.throwIfFailed();
    emit({
      type: 'run-started',
      job: job.name,
      runId,
      startedAt,
      resultsPath,
      tasks: ordered.map((task) => ({
        id: task.id,
        needs: task.needs,
        executor: (taskRuns.get(task.id) as TaskRun).executor,
        isMap: task.map !== undefined,
        total: task.map === undefined ? 1 : knownItemCount(task.map),
      })),
    });
    options.drainSignal?.addEventListener('abort', onDrain);
    options.cancelSignal?.addEventListener('abort', onCancel);
    if (options.drainSignal?.aborted) onDrain();
    if (options.cancelSignal?.aborted) onCancel();

    // Every service is ready before the first task starts; one that is not, or that exits while
    // tasks run, stops the run: no task starts (their records say cancelled) and items in flight
    // are cancelled, their records saying SERVICE_EXITED.
    const serviceFailure = await services.start();
    if (serviceFailure !== null) {
      stop.abort();
      cancel.abort();
    }
    services.onExit((message) => {
      if (isFinished) return;
      stop.abort();
      cancel.abort(new ServiceExitedError(message));
    });

    // Per task: whether it started running (a `map: { from }` consumer waits for its producer).
    const started = new Map<string, Deferred<boolean>>();
    for (const task of ordered) started.set(task.id, createDeferred<boolean>());
    const finished = new Map<string, Promise<TaskStatus>>();
    const execute = async (taskRun: TaskRun): Promise<TaskStatus> => {
      const { task } = taskRun;
      const fromId = task.map?.form === 'from' ? task.map.task : null;
      const startedTask = started.get(task.id) as Deferred<boolean>;
      let status: TaskStatus;
      try {
        emit({ type: 'task-state', task: task.id, state: 'waiting', at: now() });
        const upstream = await Promise.all(
          task.needs
            .filter((id) => id !== fromId)
            .map((id) => finished.get(id) as Promise<TaskStatus>),
        );
        const isProducerRunning = fromId === null || (await started.get(fromId)?.promise) === true;
        const notRun =
          upstream.includes('cancelled') || stop.signal.aborted
            ? 'cancelled'
            : !isProducerRunning || upstream.some((need) => need !== 'ok')
              ? 'skipped'
              : null;
        if (notRun !== null) {
          startedTask.resolve(false);
          status = finishUnrun(run, taskRun, notRun);
        } else {
          startedTask.resolve(true);
          emit({ type: 'task-state', task: task.id, state: 'running', at: now() });
          status = await runTask(run, taskRun);
        }
      } finally {
        startedTask.resolve(false);
        taskRun.input?.close();
        for (const channel of taskRun.consumers) channel.close();
      }
      taskRun.counts.status = status;
      run.outputs[task.id] ??= { status, result: null };
      emit({
        type: 'task-state',
        task: task.id,
        state: status,
        at: now(),
        counts: { ...taskRun.counts },
      });
      return status;
    };
    for (const task of ordered) finished.set(task.id, execute(taskRuns.get(task.id) as TaskRun));
    const statuses = await Promise.all(finished.values());
    isFinished = true;
    await services.stop();
    for (const record of services.records()) sink.write(record);
    sink.throwIfFailed();

    // A run whose every task finished ok is ok, even if a signal came meanwhile (too late to stop
    // anything): `jobrun schedule` stopping while the last items finish does not cancel it.
    const runStatus: RunStatus =
      statuses.every((status) => status === 'ok') && serviceFailure === null
        ? 'ok'
        : interruptedBy !== null
          ? 'cancelled'
          : 'failed';
    const summary: SummaryRecord = {
      type: 'summary',
      status: runStatus,
      tasks: Object.fromEntries([...taskRuns].map(([id, taskRun]) => [id, taskRun.counts])),
      durationMs: elapsedSince(startedMs),
      finishedAt: now(),
    };
    // Every record is written once the tasks are done: the summary goes out before the idle pools
    // are torn down, so it never waits on a slow worker exit, and its duration is the run's work.
    sink.write(summary);
    sink.close();
    sink.throwIfFailed();
    // Every item was reached (none skipped or cancelled): each `ok` record of the previous file
    // is in the new one now.
    isComplete =
      runStatus === 'ok' ||
      (!stop.signal.aborted && statuses.every((status) => status === 'ok' || status === 'failed'));
    emit({ type: 'run-finished', summary, resultsPath });
    await shutdownExecutors(executors, cancel.signal.aborted);
    return { runId, resultsPath, summary, interruptedBy };
  } finally {
    clearTimeout(drainTimer);
    options.drainSignal?.removeEventListener('abort', onDrain);
    options.cancelSignal?.removeEventListener('abort', onCancel);
    await Promise.all([shutdownExecutors(executors, true), services.stop()]);
    sink.close();
    previous?.finish(isComplete);
    restoreEnv();
    if (isGuarded) releaseCrashGuard();
    lock.release();
  }
}

async function shutdownExecutors(
  executors: Map<string, Promise<Executor>>,
  force: boolean,
): Promise<void> {
  const pending = [...executors.values()];
  executors.clear();
  await Promise.all(
    pending.map(async (executor) => {
      try {
        await (await executor).shutdown({ force });
      } catch {
        // An executor that failed to start has nothing to shut down.
      }
    }),
  );
}

/** An executor as the run record shows it: a Redis password is never written to the file. */
function shownExecutor(executor: ExecutorConfig): ExecutorConfig {
  return executor.connection === undefined
    ? executor
    : { ...executor, connection: displayUrl(executor.connection) };
}
