import type { ExecutorConfig } from '../job/types.ts';
import type { ItemErrorCode } from '../results/types.ts';
import { groupReaper } from '../actions/group-reaper.ts';
import { killGroup } from '../actions/run-action.ts';
import type { WorkerMessage } from './protocol.ts';
import { itemError } from './serialize-error.ts';
import type {
  ActionOutcome,
  ActionRequest,
  ExecuteOptions,
  Executor,
  SerializedError,
} from './types.ts';
import type { WorkerFactory, WorkerHandle } from './worker-handle.ts';

/**
 * How many attempts one worker holds: the one it runs and the ones waiting behind it. More than 1
 * spares a round trip between two attempts; each extra one may wait behind a long head, so this
 * stays small. @default 4
 */
export const PIPELINE_DEPTH = 4;

/**
 * How long a worker may take to confirm a cancelled attempt it may already have started before
 * it is stopped, so an attempt that ignores its signal cannot hold the ones behind it. @default 1000
 */
export const CANCEL_GRACE_MS = 1000;

interface Attempt {
  id: number;
  request: ActionRequest;
  options: ExecuteOptions;
  worker: PoolWorker | null;
  /** `onStart` was called and the timer runs. */
  isStarted: boolean;
  isSettled: boolean;
  /** Its worker replied: it ended there (`reply`), or was dropped before it started (`null`). */
  hasReply: boolean;
  reply: ActionOutcome | null;
  timer?: NodeJS.Timeout;
  finish: (outcome: ActionOutcome) => void;
}

interface PoolWorker {
  handle: WorkerHandle;
  isReady: boolean;
  /** Stopped or closing: never given another attempt. */
  isStopping: boolean;
  /**
   * Attempts sent to it, in order; the first one runs, or ended and waits for its outcome to be
   * delivered. A settled one stays until the worker replies for it, since it may be running there.
   */
  fifo: Attempt[];
  /** An outcome was just delivered: the next attempt counts as started once its reactions ran. */
  isWaitingTurn: boolean;
  /** Attempts given by the current `pump`, sent together in one message. */
  outbox: Attempt[];
  /** Process groups of the shell commands it runs, killed if it dies first. */
  pgids: Set<number>;
  crash: SerializedError | null;
  cancelTimer?: NodeJS.Timeout;
}

/**
 * The one pool behind the `process` and `thread` executors: at most `maxWorkers` long-lived
 * workers, started lazily and reused, fed from a FIFO queue. The pool only schedules; workers
 * only run. Each worker holds up to `PIPELINE_DEPTH` attempts and runs them one at a time, so at
 * most `maxWorkers` run at once. A worker that dies fails only the attempt it was running; the
 * ones waiting behind it go back to the front of the queue, and it is replaced on demand.
 */
export function createPoolExecutor(config: ExecutorConfig, startWorker: WorkerFactory): Executor {
  const queue: Attempt[] = [];
  const workers: PoolWorker[] = [];
  const watchers = new Set<() => void>();
  /** Workers that just delivered an outcome; their next attempt counts once its reactions ran. */
  const waitingTurn = new Set<PoolWorker>();
  let nextId = 1;
  let isClosed = false;
  let shutdownDone: Promise<void> | undefined;

  function changed(): void {
    for (const watcher of watchers) watcher();
  }

  function until(condition: () => boolean): Promise<void> {
    return new Promise((resolve) => {
      const check = (): void => {
        if (!condition()) return;
        watchers.delete(check);
        resolve();
      };
      watchers.add(check);
      check();
    });
  }

  function settle(attempt: Attempt, outcome: ActionOutcome): void {
    if (attempt.isSettled) return;
    attempt.isSettled = true;
    clearTimeout(attempt.timer);
    attempt.finish(outcome);
    changed();
  }

  function fail(attempt: Attempt, code: ItemErrorCode, message: string, error?: SerializedError) {
    const workerId = attempt.isStarted ? (attempt.worker?.handle.id ?? null) : null;
    settle(attempt, { ok: false, error: error ?? itemError(code, message), workerId });
  }

  /**
   * Ends an attempt early (timeout, cancellation). A running one takes its worker with it; a
   * waiting one is only dropped from its worker's FIFO.
   */
  function stopAttempt(attempt: Attempt, code: 'TIMEOUT' | 'CANCELLED', message: string): void {
    if (attempt.isSettled) return;
    const { worker } = attempt;
    if (worker === null) {
      queue.splice(queue.indexOf(attempt), 1);
      fail(attempt, code, message);
    } else if (attempt.isStarted) {
      fail(attempt, code, message);
      stopWorker(worker);
    } else {
      fail(attempt, code, message);
      // Ended there already, or still waiting (if the worker just started it, it aborts it).
      if (!attempt.hasReply && !worker.isStopping) {
        worker.handle.send({ type: 'cancel', id: attempt.id });
      }
    }
  }

  /** A drain: the attempt never starts if it still waits; a running one goes on. */
  function holdBack(attempt: Attempt): void {
    if (attempt.isSettled || attempt.isStarted) return;
    // The worker runs its FIFO in order: the first one it has not replied for is running there.
    const running = attempt.worker?.fifo.find((other) => !other.hasReply);
    if (running === attempt) return;
    stopAttempt(attempt, 'CANCELLED', 'jobrun is stopping: the attempt had not started');
  }

  function stopWorker(worker: PoolWorker): void {
    if (worker.isStopping) return;
    worker.isStopping = true;
    clearTimeout(worker.cancelTimer);
    requeueWaiting(worker);
    worker.handle.kill();
  }

  /** The attempts waiting behind a stopped worker's head go first to the others, in order. */
  function requeueWaiting(worker: PoolWorker): void {
    const waiting = worker.fifo.splice(1).filter((attempt) => !attempt.isSettled);
    requeue(waiting);
  }

  function requeue(waiting: Attempt[]): void {
    for (const attempt of waiting) attempt.worker = null;
    queue.unshift(...waiting);
    if (waiting.length > 0) setImmediate(pump);
  }

  /** The attempt runs on its worker from now on: its clock starts. */
  function start(attempt: Attempt, worker: PoolWorker): void {
    attempt.isStarted = true;
    const { timeoutMs, onStart } = attempt.options;
    onStart?.(worker.handle.id);
    if (timeoutMs !== undefined && !attempt.hasReply) {
      attempt.timer = setTimeout(
        () => stopAttempt(attempt, 'TIMEOUT', `the attempt timed out after ${timeoutMs} ms`),
        timeoutMs,
      );
    }
  }

  /**
   * Moves a worker's FIFO on as far as its replies allow: starts the head and delivers its
   * outcome, then waits until the outcome's promise reactions ran before the next one counts as
   * started, so whoever counts attempts in flight sees one end before the next one starts, as on
   * the worker, even when several replies arrive in one read.
   */
  function advance(worker: PoolWorker): void {
    if (worker.isWaitingTurn) return;
    for (;;) {
      const head = worker.fifo[0];
      if (head === undefined) return;
      if (head.isSettled) {
        if (!head.hasReply) {
          // Cancelled, but it may have started before the worker heard so: wait for its reply.
          if (!worker.isStopping) {
            worker.cancelTimer ??= setTimeout(() => stopWorker(worker), CANCEL_GRACE_MS);
          }
          return;
        }
        worker.fifo.shift();
        clearTimeout(worker.cancelTimer);
        worker.cancelTimer = undefined;
        continue;
      }
      if (!head.isStarted) start(head, worker);
      if (!head.hasReply) return;
      worker.fifo.shift();
      settle(head, head.reply as ActionOutcome);
      worker.isWaitingTurn = true;
      if (waitingTurn.size === 0) queueMicrotask(afterMicrotasks);
      waitingTurn.add(worker);
      return;
    }
  }

  // A tick queued from a microtask runs once the microtask queue is empty: after every promise
  // reaction the outcome set off, without waiting for a turn of the event loop.
  function afterMicrotasks(): void {
    process.nextTick(nextTurn);
  }

  function nextTurn(): void {
    const moved = [...waitingTurn];
    waitingTurn.clear();
    for (const worker of moved) {
      worker.isWaitingTurn = false;
      advance(worker);
    }
    pump();
  }

  function isOpen(worker: PoolWorker): boolean {
    return worker.isReady && !worker.isStopping;
  }

  function give(worker: PoolWorker): void {
    const attempt = queue.shift() as Attempt;
    attempt.worker = worker;
    worker.fifo.push(attempt);
    worker.outbox.push(attempt);
  }

  function pump(): void {
    if (queue.length === 0) return;
    // An idle worker first, then a new one, and only then a place behind a busy worker's head.
    for (const worker of workers) {
      if (queue.length === 0) break;
      if (isOpen(worker) && worker.fifo.length === 0) give(worker);
    }
    let starting = 0;
    for (const worker of workers) if (!worker.isReady && !worker.isStopping) starting++;
    while (queue.length > starting && workers.length < config.maxWorkers) {
      if (!spawn()) return;
      starting++;
    }
    // Level by level, so a short queue spreads over the workers; one attempt stays for each
    // worker still starting.
    for (let depth = 1; depth < PIPELINE_DEPTH && queue.length > starting; depth++) {
      for (const worker of workers) {
        if (queue.length <= starting) break;
        if (isOpen(worker) && worker.fifo.length === depth) give(worker);
      }
    }
    for (const worker of workers) {
      if (worker.outbox.length === 0) continue;
      const orders = worker.outbox.map(({ id, request }) => ({ id, request }));
      worker.outbox.length = 0;
      worker.handle.send({ type: 'run', orders });
      advance(worker);
    }
  }

  function spawn(): boolean {
    const worker: PoolWorker = {
      handle: undefined as unknown as WorkerHandle,
      isReady: false,
      isStopping: false,
      fifo: [],
      isWaitingTurn: false,
      outbox: [],
      pgids: new Set(),
      crash: null,
    };
    try {
      worker.handle = startWorker({
        onMessage: (message) => onMessage(worker, message),
        onExit: (reason) => onExit(worker, reason),
      });
    } catch (error) {
      // Broken infrastructure (no entry file, no resources): fail what waits rather than spin.
      for (const attempt of queue.splice(0)) {
        fail(attempt, 'WORKER_CRASHED', `cannot start a ${config.kind} worker: ${String(error)}`);
      }
      return false;
    }
    workers.push(worker);
    return true;
  }

  /** The worker replied for attempt `id`: it no longer holds it. */
  function onReply(worker: PoolWorker, id: number, reply: ActionOutcome | null): void {
    const index = worker.fifo.findIndex((attempt) => attempt.id === id);
    const attempt = worker.fifo[index];
    if (attempt === undefined) return;
    attempt.hasReply = true;
    attempt.reply = reply;
    // Dropped out of order while an earlier one runs: nothing waits for it.
    if (index > 0 && attempt.isSettled) worker.fifo.splice(index, 1);
    else advance(worker);
  }

  function onMessage(worker: PoolWorker, message: WorkerMessage): void {
    switch (message.type) {
      case 'ready':
        worker.isReady = true;
        pump();
        return;
      case 'result':
        onReply(
          worker,
          message.id,
          message.ok
            ? { ok: true, value: message.value, workerId: worker.handle.id }
            : { ok: false, error: message.error, workerId: worker.handle.id },
        );
        return;
      case 'dropped':
        onReply(worker, message.id, null);
        return;
      case 'log': {
        const attempt = worker.fifo.find(({ id }) => id === message.id);
        if (attempt !== undefined && !attempt.isSettled) attempt.options.onLog?.(message.message);
        return;
      }
      case 'spawned':
        worker.pgids.add(message.pgid);
        groupReaper.add(message.pgid);
        return;
      case 'reaped':
        worker.pgids.delete(message.pgid);
        groupReaper.delete(message.pgid);
        return;
      case 'crash':
        worker.crash = message.error;
        return;
    }
  }

  function onExit(worker: PoolWorker, reason: string): void {
    workers.splice(workers.indexOf(worker), 1);
    clearTimeout(worker.cancelTimer);
    waitingTurn.delete(worker);
    // A shell command never outlives its worker.
    for (const pgid of worker.pgids) {
      killGroup(pgid, 'SIGKILL');
      groupReaper.delete(pgid);
    }
    const { id } = worker.handle;
    // In the worker's order: what ended before it died keeps its outcome, the next one was
    // running and fails, the ones behind it go back to the front of the queue.
    let isRunningFound = false;
    const waiting: Attempt[] = [];
    for (const attempt of worker.fifo.splice(0)) {
      if (attempt.isSettled) continue;
      if (attempt.hasReply) {
        if (!attempt.isStarted) start(attempt, worker);
        settle(attempt, attempt.reply as ActionOutcome);
      } else if (isRunningFound) {
        waiting.push(attempt);
      } else {
        isRunningFound = true;
        if (!attempt.isStarted) start(attempt, worker);
        const message = worker.crash
          ? `worker ${id} crashed: ${worker.crash.message}`
          : `worker ${id} ${reason} while running this item`;
        const error = worker.crash
          ? { ...worker.crash, message, code: 'WORKER_CRASHED' as const }
          : undefined;
        fail(attempt, 'WORKER_CRASHED', message, error);
      }
    }
    requeue(waiting);
    if (!worker.isReady && !worker.isStopping && queue.length > 0) {
      // It died before its handshake: fail one waiting attempt so a broken setup cannot loop.
      fail(
        queue.shift() as Attempt,
        'WORKER_CRASHED',
        `worker ${id} ${reason} before it was ready`,
      );
    }
    changed();
    pump();
  }

  function cancelAll(): void {
    const why = 'jobrun is shutting down';
    for (const worker of [...workers]) {
      let isBusy = false;
      for (const attempt of worker.fifo) {
        if (attempt.isSettled) isBusy ||= !attempt.hasReply;
        else if (attempt.hasReply) {
          // It already ended there: its outcome stands.
          if (!attempt.isStarted) start(attempt, worker);
          settle(attempt, attempt.reply as ActionOutcome);
        } else {
          isBusy = true;
          fail(attempt, 'CANCELLED', why);
        }
      }
      if (isBusy) stopWorker(worker);
    }
    for (const attempt of queue.splice(0)) fail(attempt, 'CANCELLED', why);
  }

  async function drainAndClose(): Promise<void> {
    await until(() => queue.length === 0 && workers.every((w) => w.fifo.every((a) => a.isSettled)));
    for (const worker of workers) {
      if (worker.isStopping) continue;
      worker.isStopping = true;
      worker.handle.close();
    }
    await until(() => workers.length === 0);
  }

  return {
    kind: config.kind,
    config,
    inFlightLimit: config.maxWorkers * PIPELINE_DEPTH,
    execute(request: ActionRequest, options: ExecuteOptions = {}): Promise<ActionOutcome> {
      return new Promise((resolve) => {
        const { signal, drainSignal } = options;
        const attempt: Attempt = {
          id: nextId++,
          request,
          options,
          worker: null,
          isStarted: false,
          isSettled: false,
          hasReply: false,
          reply: null,
          finish: (outcome) => {
            signal?.removeEventListener('abort', onAbort);
            drainSignal?.removeEventListener('abort', onDrain);
            resolve(outcome);
          },
        };
        const onAbort = (): void => stopAttempt(attempt, 'CANCELLED', 'the attempt was cancelled');
        const onDrain = (): void => holdBack(attempt);
        if (isClosed || signal?.aborted || drainSignal?.aborted) {
          const why = isClosed ? 'the executor is shut down' : 'the attempt was cancelled';
          fail(attempt, 'CANCELLED', why);
          return;
        }
        signal?.addEventListener('abort', onAbort, { once: true });
        drainSignal?.addEventListener('abort', onDrain, { once: true });
        queue.push(attempt);
        pump();
      });
    },
    shutdown(options = {}) {
      isClosed = true;
      // A second, forced call (Ctrl-C twice) still cancels what the first one waits for.
      if (options.force) cancelAll();
      shutdownDone ??= drainAndClose();
      return shutdownDone;
    },
  };
}
