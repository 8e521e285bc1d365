import type { ActionRequest } from '../actions/types.ts';
import { itemError } from '../executors/serialize-error.ts';
import type { ActionOutcome, ExecuteOptions } from '../executors/types.ts';
import type { ItemErrorCode } from '../results/types.ts';

/**
 * Where an attempt is: `held` by jobrun (more than `maxWorkers` submitted), `queued` in BullMQ
 * and not started, `running` on a worker (with its timeout; `workerId` null while taken by a
 * worker that has not said which of its workers runs it), or `settled`.
 */
export type RemoteAttemptState =
  | { name: 'held' }
  | { name: 'queued' }
  | { name: 'running'; workerId: string | null; timer: NodeJS.Timeout | undefined }
  | { name: 'settled' };

const HELD: RemoteAttemptState = { name: 'held' };
const QUEUED: RemoteAttemptState = { name: 'queued' };
const SETTLED: RemoteAttemptState = { name: 'settled' };

/** What an attempt tells its executor as it changes state. */
export interface AttemptOwner {
  /**
   * It has its outcome; `previous` says where it was. `isAnswered`: given by its worker's reply
   * or BullMQ, rather than settled here first (a timeout, a cancellation).
   */
  settled(attempt: RemoteAttempt, previous: RemoteAttemptState, isAnswered: boolean): void;
  /** Its timeout expired on this side. */
  timedOut(attempt: RemoteAttempt): void;
}

/** A BullMQ job: the attempts it carries, in order. */
export interface QueueJob {
  readonly id: string;
  readonly attempts: readonly RemoteAttempt[];
}

/** One attempt on the coordinator's side, from `execute` to its outcome. */
export class RemoteAttempt {
  readonly id: string;
  readonly request: ActionRequest;
  readonly options: ExecuteOptions;
  readonly outcome: Promise<ActionOutcome>;
  /** The job that carries it, once it is handed to BullMQ. */
  job: QueueJob | null = null;
  #state: RemoteAttemptState = HELD;
  #resolve!: (outcome: ActionOutcome) => void;
  readonly #owner: AttemptOwner;
  /** Log messages received from its worker. */
  #logsSeen = 0;
  /** When it was handed to BullMQ (`performance.now()`). */
  #queuedAt = 0;
  /** Its worker's reply, held until the log messages it counts arrive. */
  #reply: { outcome: ActionOutcome; logs: number; timer: NodeJS.Timeout } | undefined;

  constructor(id: string, request: ActionRequest, options: ExecuteOptions, owner: AttemptOwner) {
    this.id = id;
    this.request = request;
    this.options = options;
    this.#owner = owner;
    this.outcome = new Promise((resolve) => (this.#resolve = resolve));
  }

  get state(): RemoteAttemptState {
    return this.#state;
  }

  /** Handed to BullMQ. */
  queued(): void {
    if (this.#state.name !== 'held') return;
    this.#state = QUEUED;
    this.#queuedAt = performance.now();
  }

  /**
   * A worker took its job from the queue (BullMQ's `active` event): it counts as running. An
   * attempt alone in its job starts at once, and its timeout counts from now; one of several
   * may wait for a slot of the worker's pool, and its timeout counts from its start there.
   */
  taken(): void {
    if (this.#state.name !== 'queued') return;
    const timer = this.#isAlone ? this.#timeoutTimer(0) : undefined;
    this.#state = { name: 'running', workerId: null, timer };
  }

  /**
   * Its worker says where it runs (a start message, or the reply of a quick attempt), and how long
   * ago it started there: no longer ago than it was handed over.
   */
  started(workerId: string, startedAgoMs = 0): void {
    this.taken();
    const state = this.#state;
    if (state.name !== 'running' || state.workerId !== null) return;
    const ago = Math.max(0, Math.min(startedAgoMs, performance.now() - this.#queuedAt));
    this.#state = { ...state, workerId, timer: state.timer ?? this.#timeoutTimer(ago) };
    this.options.onStart?.(workerId, ago);
  }

  get #isAlone(): boolean {
    return this.job === null || this.job.attempts.length === 1;
  }

  /** Its timeout, for an attempt that started `agoMs` ago. */
  #timeoutTimer(agoMs: number): NodeJS.Timeout | undefined {
    const { timeoutMs } = this.options;
    if (timeoutMs === undefined) return undefined;
    return setTimeout(() => this.#owner.timedOut(this), Math.max(0, timeoutMs - agoMs));
  }

  /**
   * Its worker gave it back unstarted (no free slot there in time): it waits in the run again, to
   * be handed over anew. False when it has started or has its outcome.
   */
  requeue(): boolean {
    const state = this.#state;
    if (state.name === 'running' && state.workerId !== null) return false;
    if (state.name !== 'queued' && state.name !== 'running') return false;
    if (state.name === 'running') clearTimeout(state.timer);
    this.#state = HELD;
    this.job = null;
    return true;
  }

  /** Its worker logged a line: passed on, unless it already has its outcome. */
  logged(message: string): void {
    if (this.#state.name === 'settled') return;
    this.#logsSeen++;
    this.options.onLog?.(message);
    const reply = this.#reply;
    if (reply !== undefined && this.#logsSeen >= reply.logs) this.settle(reply.outcome, true);
  }

  /**
   * Its worker's reply, which counts the lines the attempt logged. Logs travel on another
   * connection than replies, so a reply can overtake them: it settles once they are all here, or
   * after `graceMs` (lost with a connection).
   */
  replied(outcome: ActionOutcome, logs: number, graceMs: number): void {
    if (this.#state.name === 'settled' || this.#reply !== undefined) return;
    if (this.#logsSeen >= logs) {
      this.settle(outcome, true);
      return;
    }
    const timer = setTimeout(() => this.settle(outcome, true), graceMs);
    this.#reply = { outcome, logs, timer };
  }

  /** Fails it, unless its worker's reply is already here (held for its logs): that outcome wins. */
  fail(code: ItemErrorCode, message: string, isAnswered = false): void {
    if (this.#reply !== undefined) {
      this.settle(this.#reply.outcome, true);
      return;
    }
    const state = this.#state;
    const workerId = state.name === 'running' ? state.workerId : null;
    this.settle({ ok: false, error: itemError(code, message), workerId }, isAnswered);
  }

  settle(outcome: ActionOutcome, isAnswered = false): void {
    const previous = this.#state;
    if (previous.name === 'settled') return;
    this.#state = SETTLED;
    if (previous.name === 'running') clearTimeout(previous.timer);
    clearTimeout(this.#reply?.timer);
    this.#resolve(outcome);
    this.#owner.settled(this, previous, isAnswered);
  }
}
