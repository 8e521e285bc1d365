import type { ExecutorConfig } from '../job/types.ts';
import type { ItemErrorCode } from '../results/types.ts';
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

interface Attempt {
  id: number;
  request: ActionRequest;
  options: ExecuteOptions;
  worker: PoolWorker | null;
  isSettled: boolean;
  timer?: NodeJS.Timeout;
  finish: (outcome: ActionOutcome) => void;
}

interface PoolWorker {
  handle: WorkerHandle;
  isReady: boolean;
  /** Stopped or closing: never given another attempt. */
  isStopping: boolean;
  current: Attempt | null;
  /** Process groups of the shell commands it runs, killed if it dies first. */
  pgids: Set<number>;
  crash: SerializedError | null;
}

/**
 * The one pool behind the `process` and `thread` executors: at most `maxWorkers` long-lived
 * workers, started lazily and reused, fed from a FIFO queue. The pool only schedules; workers
 * only run. A worker that dies fails only the attempt it was running and is replaced on demand.
 */
export function createPoolExecutor(config: ExecutorConfig, startWorker: WorkerFactory): Executor {
  const queue: Attempt[] = [];
  const workers: PoolWorker[] = [];
  const watchers = new Set<() => void>();
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
    const workerId = attempt.worker?.handle.id ?? null;
    settle(attempt, { ok: false, error: error ?? itemError(code, message), workerId });
  }

  /** Ends an attempt early (timeout, cancellation); a running one takes its worker with it. */
  function stopAttempt(attempt: Attempt, code: 'TIMEOUT' | 'CANCELLED', message: string): void {
    if (attempt.isSettled) return;
    const { worker } = attempt;
    if (worker === null) queue.splice(queue.indexOf(attempt), 1);
    fail(attempt, code, message);
    if (worker !== null) stopWorker(worker);
  }

  function stopWorker(worker: PoolWorker): void {
    if (worker.isStopping) return;
    worker.isStopping = true;
    worker.handle.kill();
  }

  function pump(): void {
    for (const worker of workers) {
      if (queue.length === 0) break;
      if (worker.isReady && !worker.isStopping && worker.current === null) {
        assign(worker, queue.shift() as Attempt);
      }
    }
    let starting = workers.filter((worker) => !worker.isReady && !worker.isStopping).length;
    while (queue.length > starting && workers.length < config.maxWorkers) {
      if (!spawn()) return;
      starting++;
    }
  }

  function spawn(): boolean {
    const worker: PoolWorker = {
      handle: undefined as unknown as WorkerHandle,
      isReady: false,
      isStopping: false,
      current: null,
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

  function assign(worker: PoolWorker, attempt: Attempt): void {
    attempt.worker = worker;
    worker.current = attempt;
    const { timeoutMs, onStart } = attempt.options;
    worker.handle.send({ type: 'run', id: attempt.id, request: attempt.request });
    onStart?.(worker.handle.id);
    if (timeoutMs !== undefined) {
      attempt.timer = setTimeout(
        () => stopAttempt(attempt, 'TIMEOUT', `the attempt timed out after ${timeoutMs} ms`),
        timeoutMs,
      );
    }
  }

  function onMessage(worker: PoolWorker, message: WorkerMessage): void {
    const attempt = worker.current;
    switch (message.type) {
      case 'ready':
        worker.isReady = true;
        pump();
        return;
      case 'result':
        if (attempt?.id !== message.id) return;
        worker.current = null;
        settle(
          attempt,
          message.ok
            ? { ok: true, value: message.value, workerId: worker.handle.id }
            : { ok: false, error: message.error, workerId: worker.handle.id },
        );
        // After the outcome's handlers: whoever counts attempts in flight sees this one end
        // before the next one starts.
        setImmediate(pump);
        return;
      case 'log':
        if (attempt?.id === message.id && !attempt.isSettled)
          attempt.options.onLog?.(message.message);
        return;
      case 'spawned':
        worker.pgids.add(message.pgid);
        return;
      case 'reaped':
        worker.pgids.delete(message.pgid);
        return;
      case 'crash':
        worker.crash = message.error;
        return;
    }
  }

  function onExit(worker: PoolWorker, reason: string): void {
    workers.splice(workers.indexOf(worker), 1);
    // A shell command never outlives its worker.
    for (const pgid of worker.pgids) killGroup(pgid, 'SIGKILL');
    const { id } = worker.handle;
    const attempt = worker.current;
    if (attempt !== null && !attempt.isSettled) {
      const message = worker.crash
        ? `worker ${id} crashed: ${worker.crash.message}`
        : `worker ${id} ${reason} while running this item`;
      const error = worker.crash
        ? { ...worker.crash, message, code: 'WORKER_CRASHED' as const }
        : undefined;
      fail(attempt, 'WORKER_CRASHED', message, error);
    } else if (!worker.isReady && !worker.isStopping && queue.length > 0) {
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
    for (const attempt of [...queue]) stopAttempt(attempt, 'CANCELLED', 'jobrun is shutting down');
    for (const worker of workers) {
      if (worker.current !== null) {
        stopAttempt(worker.current, 'CANCELLED', 'jobrun is shutting down');
      }
    }
  }

  async function drainAndClose(): Promise<void> {
    await until(
      () => queue.length === 0 && workers.every((w) => w.current === null || w.current.isSettled),
    );
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
    execute(request: ActionRequest, options: ExecuteOptions = {}): Promise<ActionOutcome> {
      return new Promise((resolve) => {
        const { signal } = options;
        const attempt: Attempt = {
          id: nextId++,
          request,
          options,
          worker: null,
          isSettled: false,
          finish: (outcome) => {
            signal?.removeEventListener('abort', onAbort);
            resolve(outcome);
          },
        };
        const onAbort = (): void => stopAttempt(attempt, 'CANCELLED', 'the attempt was cancelled');
        if (isClosed || signal?.aborted) {
          const why = isClosed ? 'the executor is shut down' : 'the attempt was cancelled';
          fail(attempt, 'CANCELLED', why);
          return;
        }
        signal?.addEventListener('abort', onAbort, { once: true });
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
