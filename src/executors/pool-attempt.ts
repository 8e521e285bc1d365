import type { PoolWorker } from './pool-worker.ts';
import { itemError } from './serialize-error.ts';
import type { ActionRequest } from '../actions/types.ts';
import type { ActionOutcome, ExecuteOptions, SerializedError } from './types.ts';

/**
 * Where one attempt stands in a pool. Only `running` has a clock; `settled` is final. An attempt
 * moves `queued → held → running → settled`, and back from `held` (or `recalled`) to `queued` when
 * its worker gives it back unstarted.
 */
export type AttemptState =
  /** In the pool's queue: no worker has it. */
  | { name: 'queued' }
  /** Sent to `worker`, behind the one it runs: it starts when its turn comes there. */
  | { name: 'held'; worker: PoolWorker }
  /**
   * Held, and asked back for an idle worker: it returns to the queue if `worker` had not started
   * it, else it runs there as if never asked.
   */
  | { name: 'recalled'; worker: PoolWorker }
  /** Counted as started (`onStart` called): it runs on `worker`, its timeout is armed. */
  | { name: 'running'; worker: PoolWorker; timer: NodeJS.Timeout | undefined }
  /**
   * `worker` replied for it before the pool counted it as started (several replies in one read):
   * its start and then its outcome are delivered in its turn.
   */
  | { name: 'replied'; worker: PoolWorker; outcome: ActionOutcome }
  /** The caller has its outcome. Its worker may still owe a reply (a cancelled held attempt). */
  | { name: 'settled' };

/** One call of `execute` in a pool: its request, its caller's options and its state. */
export class Attempt {
  readonly id: number;
  readonly request: ActionRequest;
  readonly options: ExecuteOptions;
  #state: AttemptState = { name: 'queued' };
  readonly #resolve: (outcome: ActionOutcome) => void;

  constructor(
    id: number,
    request: ActionRequest,
    options: ExecuteOptions,
    resolve: (outcome: ActionOutcome) => void,
  ) {
    this.id = id;
    this.request = request;
    this.options = options;
    this.#resolve = resolve;
  }

  get state(): AttemptState {
    return this.#state;
  }

  get isSettled(): boolean {
    return this.#state.name === 'settled';
  }

  /** Sent to `worker`: it will run there unless taken back. */
  hold(worker: PoolWorker): void {
    if (this.#state.name === 'queued') this.#state = { name: 'held', worker };
  }

  recall(): void {
    if (this.#state.name === 'held') this.#state = { name: 'recalled', worker: this.#state.worker };
  }

  /** Its worker gave it back unstarted, or went away before starting it. */
  requeue(): void {
    if (this.#state.name === 'held' || this.#state.name === 'recalled') {
      this.#state = { name: 'queued' };
    }
  }

  /** Its worker runs it from now on: `onStart` is called and its clock starts. */
  start(onTimeout: (attempt: Attempt) => void): void {
    if (this.#state.name !== 'held' && this.#state.name !== 'recalled') return;
    const { worker } = this.#state;
    const { timeoutMs, onStart } = this.options;
    const timer =
      timeoutMs === undefined ? undefined : setTimeout(() => onTimeout(this), timeoutMs);
    this.#state = { name: 'running', worker, timer };
    onStart?.(worker.id);
  }

  /**
   * Its worker replied. A running attempt settles now; one not yet counted as started keeps the
   * outcome for `deliver`.
   */
  reply(outcome: ActionOutcome): void {
    const state = this.#state;
    if (state.name === 'running') this.settle(outcome);
    else if (state.name === 'held' || state.name === 'recalled') {
      this.#state = { name: 'replied', worker: state.worker, outcome };
    }
  }

  /** A kept reply's turn: its start is counted, then its outcome delivered. */
  deliver(): void {
    const state = this.#state;
    if (state.name !== 'replied') return;
    this.options.onStart?.(state.worker.id);
    this.#resolveWith(state.outcome);
  }

  /** Ends it with `error`; it names its worker only if it was running there. */
  fail(error: SerializedError): void {
    const workerId = this.#state.name === 'running' ? this.#state.worker.id : null;
    this.settle({ ok: false, error, workerId });
  }

  /**
   * Fails it as the attempt its worker was running when the worker went: counted as started if it
   * was not yet, and named with that worker. Settled already (cancelled there): nothing changes.
   */
  failAsRunning(error: SerializedError): void {
    const state = this.#state;
    if (state.name === 'held' || state.name === 'recalled') {
      this.#state = { name: 'running', worker: state.worker, timer: undefined };
      this.options.onStart?.(state.worker.id);
    }
    this.fail(error);
  }

  cancel(message: string): void {
    this.fail(itemError('CANCELLED', message));
  }

  settle(outcome: ActionOutcome): void {
    if (this.#state.name === 'settled') return;
    if (this.#state.name === 'running') clearTimeout(this.#state.timer);
    this.#resolveWith(outcome);
  }

  #resolveWith(outcome: ActionOutcome): void {
    this.#state = { name: 'settled' };
    this.#resolve(outcome);
  }
}
