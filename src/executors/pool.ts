import type { ExecutorConfig } from '../job/types.ts';
import { Attempt } from './pool-attempt.ts';
import { chooseRecalls, handOut, idleCount } from './pool-hand-out.ts';
import { PoolWorker, type PoolWorkerEvents, type WorkerState } from './pool-worker.ts';
import { itemError } from './serialize-error.ts';
import type { ActionOutcome, SerializedError } from './types.ts';
import type { WorkerFactory } from './worker-handle.ts';

/**
 * How long a worker may take to confirm a cancelled attempt it may already have started before
 * it is stopped, so an attempt that ignores its signal cannot hold the ones behind it. @default 1000
 */
export const CANCEL_GRACE_MS = 1000;

/**
 * The scheduling half of the `process` and `thread` executors: a FIFO queue of attempts and at
 * most `maxWorkers` workers, started lazily and reused. Its invariants are written down in
 * docs/architecture.md ("The pool").
 */
export class Pool {
  readonly #config: ExecutorConfig;
  readonly #startWorker: WorkerFactory;
  readonly #events: PoolWorkerEvents;
  readonly #queue: Attempt[] = [];
  readonly #workers: PoolWorker[] = [];
  /** Workers that just delivered an outcome: their next start counts once its reactions ran. */
  readonly #turns = new Set<PoolWorker>();
  readonly #watchers = new Set<() => void>();
  #isRebalanceDue = false;

  constructor(config: ExecutorConfig, startWorker: WorkerFactory) {
    this.#config = config;
    this.#startWorker = startWorker;
    this.#events = {
      onReady: () => this.#handOutQueued(),
      onResult: (worker, attempt, outcome) => this.#onResult(worker, attempt, outcome),
      onDropped: (worker, attempt) => this.#onDropped(worker, attempt),
      onExit: (worker, reason, previous) => this.#onExit(worker, reason, previous),
    };
  }

  /** Queues an attempt; it settles through its own `resolve`. */
  submit(attempt: Attempt): void {
    this.#queue.push(attempt);
    this.#handOutQueued();
  }

  /**
   * Ends an attempt early, wherever it is: `CANCELLED`. With `onlyIfNotStarted` (the run is
   * stopping: no item starts any more), an attempt that has started runs on.
   */
  cancel(attempt: Attempt, message: string, onlyIfNotStarted: boolean): void {
    const { state } = attempt;
    switch (state.name) {
      case 'queued':
        this.#queue.splice(this.#queue.indexOf(attempt), 1);
        attempt.cancel(message);
        break;
      case 'held':
      case 'recalled':
        // The attempt its worker has just started runs on.
        if (onlyIfNotStarted && state.worker.current === attempt) return;
        // Its worker still owes a reply: until then, it may be running there.
        attempt.cancel(message);
        state.worker.cancel(attempt);
        this.#startOrDeliverHead(state.worker);
        break;
      case 'running':
        if (!onlyIfNotStarted) this.#stop(state.worker, itemError('CANCELLED', message));
        break;
      case 'replied':
      case 'settled':
        // It ended already: its outcome stands.
        break;
    }
    this.#changed();
  }

  /** Cancels everything not yet settled and stops every busy worker (a forced shutdown). */
  cancelAll(message: string): void {
    const error = itemError('CANCELLED', message);
    for (const worker of [...this.#workers]) {
      if (worker.current !== undefined) this.#stop(worker, error);
    }
    for (const attempt of this.#queue.splice(0)) attempt.fail(error);
    this.#changed();
  }

  /** Waits until nothing is queued or owed, then lets every worker leave and waits for them. */
  async close(): Promise<void> {
    await this.#until(
      () => this.#queue.length === 0 && this.#workers.every((worker) => worker.load === 0),
    );
    for (const worker of this.#workers) worker.close();
    await this.#until(() => this.#workers.length === 0);
  }

  /**
   * The one place where a worker that goes (crash, timeout, cancellation, forced shutdown) leaves
   * its attempts: replies it sent stand; the attempt it was running fails with `error`; the ones
   * waiting behind it go back to the front of the queue, in order, for other workers.
   */
  #release(worker: PoolWorker, error: SerializedError): void {
    this.#turns.delete(worker);
    const current = worker.current;
    const back: Attempt[] = [];
    for (const attempt of worker.takeOwed()) {
      const { state } = attempt;
      if (state.name === 'replied') attempt.deliver();
      else if (attempt === current) attempt.failAsRunning(error);
      else if (state.name === 'held' || state.name === 'recalled') {
        attempt.requeue();
        back.push(attempt);
      }
    }
    this.#queue.unshift(...back);
  }

  /** Stops a worker whatever it runs, and accounts for its attempts. */
  #stop(worker: PoolWorker, error: SerializedError): void {
    worker.kill();
    this.#release(worker, error);
    this.#changed();
    // The attempts it gave back go to the others once this turn is over.
    setImmediate(() => this.#handOutQueued());
  }

  #onTimeout = (attempt: Attempt): void => {
    const { state } = attempt;
    if (state.name !== 'running') return;
    const { timeoutMs } = attempt.options;
    this.#stop(state.worker, itemError('TIMEOUT', `the attempt timed out after ${timeoutMs} ms`));
  };

  #onResult(worker: PoolWorker, attempt: Attempt, outcome: ActionOutcome): void {
    if (attempt.isSettled) {
      // A cancelled attempt that had started: its worker is free again.
      worker.forget(attempt);
    } else {
      attempt.reply(outcome);
      if (attempt.isSettled) {
        worker.forget(attempt);
        this.#awaitTurn(worker);
      }
    }
    this.#startOrDeliverHead(worker);
    this.#changed();
  }

  #onDropped(worker: PoolWorker, attempt: Attempt): void {
    worker.forget(attempt);
    if (attempt.state.name === 'recalled') {
      attempt.requeue();
      this.#queue.unshift(attempt);
    }
    this.#startOrDeliverHead(worker);
    this.#handOutQueued();
  }

  /**
   * Acts on the first attempt a worker owes: a held one is the one it runs, so it counts as
   * started; a replied one is delivered; a cancelled one it may have started gets a grace. An
   * outcome delivered here waits for its promise reactions before the next start counts, so
   * whoever counts attempts in flight sees one end before the next starts, as on the worker, even
   * when several replies arrive in one read.
   */
  #startOrDeliverHead(worker: PoolWorker): void {
    if (this.#turns.has(worker) || !worker.isReady) return;
    const head = worker.head;
    if (head === undefined) return;
    const { state } = head;
    switch (state.name) {
      case 'held':
        head.start(this.#onTimeout);
        return;
      case 'recalled':
        // Asked back too late: it runs here, and an idle worker may want another one.
        head.start(this.#onTimeout);
        this.#scheduleRebalance();
        return;
      case 'replied':
        worker.forget(head);
        head.deliver();
        this.#awaitTurn(worker);
        return;
      case 'settled':
        // Cancelled, but it may have started before the worker heard so: wait for its reply.
        worker.startGrace(CANCEL_GRACE_MS, () =>
          this.#stop(worker, itemError('CANCELLED', 'the attempt was cancelled')),
        );
        return;
      case 'queued':
      case 'running':
        return;
    }
  }

  #awaitTurn(worker: PoolWorker): void {
    // A tick queued from a microtask runs once the microtask queue is empty: after every promise
    // reaction the outcome set off, without waiting for a turn of the event loop.
    if (this.#turns.size === 0) queueMicrotask(() => process.nextTick(() => this.#nextTurn()));
    this.#turns.add(worker);
  }

  #nextTurn(): void {
    const moved = [...this.#turns];
    this.#turns.clear();
    for (const worker of moved) this.#startOrDeliverHead(worker);
    this.#handOutQueued();
  }

  #onExit(worker: PoolWorker, reason: string, previous: WorkerState): void {
    this.#workers.splice(this.#workers.indexOf(worker), 1);
    if (previous.name !== 'stopping') this.#release(worker, worker.crashError(reason));
    const first = this.#queue[0];
    if (previous.name === 'starting' && first !== undefined) {
      // It died before its handshake: fail one waiting attempt so a broken setup cannot loop.
      this.#queue.shift();
      first.fail(itemError('WORKER_CRASHED', `worker ${worker.id} ${reason} before it was ready`));
    }
    this.#changed();
    this.#handOutQueued();
  }

  /**
   * Hands queued attempts to workers (starting new ones up to `maxWorkers`) and sends them, then
   * sees whether an idle worker should take over attempts a busy one holds.
   */
  #handOutQueued(): void {
    if (this.#queue.length > 0) {
      handOut({
        queue: this.#queue,
        workers: this.#workers,
        maxWorkers: this.#config.maxWorkers,
        spawn: () => this.#spawn(),
      });
      for (const worker of this.#workers) if (worker.flush()) this.#startOrDeliverHead(worker);
    }
    this.#scheduleRebalance();
    this.#changed();
  }

  #spawn(): boolean {
    try {
      this.#workers.push(new PoolWorker(this.#startWorker, this.#events));
      return true;
    } catch (error) {
      // Broken infrastructure (no entry file, no resources): fail what waits rather than spin.
      const why = `cannot start a ${this.#config.kind} worker: ${String(error)}`;
      for (const attempt of this.#queue.splice(0)) attempt.fail(itemError('WORKER_CRASHED', why));
      return false;
    }
  }

  /**
   * With nothing queued, an idle worker takes over an attempt that a busy one holds and has not
   * started. Checked once the current turn is over, so an idle moment that the next submission
   * fills at once costs no message.
   */
  #scheduleRebalance(): void {
    if (this.#isRebalanceDue || this.#queue.length > 0 || idleCount(this.#workers) === 0) return;
    this.#isRebalanceDue = true;
    setImmediate(() => {
      this.#isRebalanceDue = false;
      if (this.#queue.length > 0) return;
      for (const [worker, attempt] of chooseRecalls(this.#workers)) worker.recall(attempt);
    });
  }

  #changed(): void {
    for (const watcher of this.#watchers) watcher();
  }

  #until(condition: () => boolean): Promise<void> {
    return new Promise((resolve) => {
      const check = (): void => {
        if (!condition()) return;
        this.#watchers.delete(check);
        resolve();
      };
      this.#watchers.add(check);
      check();
    });
  }
}
