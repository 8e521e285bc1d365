import type { ActionEnvironment } from '../actions/action-context.ts';
import { startAction } from '../actions/perform-action.ts';
import type { ActionRequest } from '../actions/types.ts';
import type { ExecutorConfig } from '../job/types.ts';
import { groupReaper } from '../proc/group-reaper.ts';
import type { ProcessTracker } from '../proc/process-group.ts';
import type { ItemErrorCode } from '../results/types.ts';
import { AbortControllers } from './abort-controllers.ts';
import {
  acquireCrashGuard,
  clearStranded,
  failIfStranded,
  releaseCrashGuard,
  runInCrashScope,
  type CrashScope,
  type Strandable,
} from '../proc/crash-guard.ts';
import { itemError, serializeError } from './serialize-error.ts';
import type { ActionOutcome, ExecuteOptions, Executor } from './types.ts';

const WORKER_ID = 'coroutine';

/** Where an attempt is: waiting for a slot, running (with its timer), or settled. */
type AttemptState =
  | { name: 'queued' }
  | { name: 'running'; timer: NodeJS.Timeout | undefined; isFunction: boolean }
  | { name: 'settled' };

const QUEUED: AttemptState = { name: 'queued' };
const SETTLED: AttemptState = { name: 'settled' };

/**
 * One attempt: its own crash scope and the environment its action sees (`ctx.signal`, `ctx.log`,
 * the process-group tracker), so an item allocates one object rather than a closure per role.
 */
class Attempt implements CrashScope, ActionEnvironment {
  readonly workerId = WORKER_ID;
  readonly request: ActionRequest;
  readonly options: ExecuteOptions;
  /** Taken when it starts: a queued attempt needs none. */
  signal!: AbortSignal;
  /** Resolves once, with the attempt's outcome. */
  readonly outcome: Promise<ActionOutcome>;
  /** Neighbours in the executor's list of attempts without an outcome. */
  prev: Attempt | null = null;
  next: Attempt | null = null;
  #resolve!: (outcome: ActionOutcome) => void;
  #state: AttemptState = QUEUED;
  #controller: AbortController | undefined;
  readonly #bound: Bound;
  /** What `whenAborted` was given: cancels jobrun's own running action on abort. */
  #cancel: (() => void) | undefined;

  constructor(request: ActionRequest, options: ExecuteOptions, bound: Bound) {
    this.request = request;
    this.options = options;
    this.#bound = bound;
    this.outcome = new Promise((resolve) => (this.#resolve = resolve));
  }

  /** Shell commands' process groups go to the reaper, which stops them if jobrun is killed. */
  get processes(): ProcessTracker {
    return groupReaper;
  }

  /** A user's function is running: only its promise, which may never settle, can end it. */
  get isFunctionRunning(): boolean {
    return this.#state.name === 'running' && this.#state.isFunction;
  }

  whenAborted(cancel: () => void): void {
    if (this.#controller?.signal.aborted === true) cancel();
    else this.#cancel = cancel;
  }

  log(message: string): void {
    this.options.onLog?.(message);
  }

  isSettled(): boolean {
    return this.#state.name === 'settled';
  }

  crash(message: string, error?: unknown): void {
    this.fail('WORKER_CRASHED', message, error);
  }

  /** Ends the attempt, queued or running; a running function only sees `ctx.signal` abort. */
  fail(code: ItemErrorCode, message: string, error?: unknown): void {
    const state = this.#state;
    if (state.name === 'settled') return;
    const serialized = error === undefined ? itemError(code, message) : serializeError(error);
    const workerId = state.name === 'running' ? WORKER_ID : null;
    // Aborted before it settles, so that its controller is never given back for reuse.
    this.#controller?.abort();
    this.#cancel?.();
    this.#settle({ ok: false, error: { ...serialized, code, message }, workerId });
  }

  /** Its turn: runs the action, unless it was settled while it waited. */
  start(): void {
    if (this.#state.name === 'queued') this.#start();
  }

  #start(): void {
    const { options, request } = this;
    if (options.stopSignal?.aborted === true) {
      this.fail('CANCELLED', 'jobrun is stopping: the attempt had not started');
      return;
    }
    const { timeoutMs } = options;
    const timer =
      timeoutMs === undefined
        ? undefined
        : setTimeout(
            () => this.fail('TIMEOUT', `the attempt timed out after ${timeoutMs} ms`),
            timeoutMs,
          );
    const controller = this.#bound.controllers.take();
    this.#controller = controller;
    this.signal = controller.signal;
    const isFunction = request.action.type === 'function';
    this.#state = { name: 'running', timer, isFunction };
    this.#bound.began();
    options.onStart?.(WORKER_ID);
    // onStart may have cancelled it already.
    if (this.#state.name !== 'running') return;
    // Only a user's function can crash the process; run and http actions are jobrun's own code.
    const value = isFunction
      ? runInCrashScope(this, startAction, request, this)
      : startAction(request, this);
    value.then(
      (result: unknown) => this.#settle({ ok: true, value: result, workerId: WORKER_ID }),
      (error: unknown) =>
        this.#settle({ ok: false, error: serializeError(error), workerId: WORKER_ID }),
    );
  }

  /** Settles once; the slot is freed when the outcome is known, not when a runaway returns. */
  #settle(outcome: ActionOutcome): void {
    const state = this.#state;
    if (state.name === 'settled') return;
    this.#state = SETTLED;
    if (state.name === 'running') {
      clearTimeout(state.timer);
      if (this.#controller !== undefined) this.#bound.controllers.giveBack(this.#controller);
    }
    this.#resolve(outcome);
    this.#bound.settled(this, state.name === 'running');
  }
}

/**
 * The executor's bound: at most `maxWorkers` attempts running, the others waiting in order, and
 * the list of every attempt without an outcome yet, linked through the attempts themselves (a
 * `Set` rehashes as items come and go, garbage that outlives them).
 *
 * A plain first-in, first-out queue rather than a p-queue: each task's gate in front of it is a
 * p-queue already, which keeps this queue nearly always empty, and a second p-queue per item was
 * measured at a quarter of a no-op item's cost (docs/performance.md).
 *
 * It also answers for its functions when the event loop runs empty (`failIfStranded`): a
 * function still running then waits on a promise nothing can settle any more.
 */
class Bound implements Strandable {
  readonly controllers: AbortControllers;
  readonly #maxWorkers: number;
  #running = 0;
  /** Attempts without an outcome, newest first; `#size` of them. */
  #live: Attempt | null = null;
  #size = 0;
  /** Attempts waiting for a slot, oldest first, from `#head` on. */
  #waiting: (Attempt | undefined)[] = [];
  #head = 0;
  #isStartScheduled = false;
  #idleWaiters: (() => void)[] = [];
  readonly #startWaiting = (): void => {
    this.#isStartScheduled = false;
    while (this.#running < this.#maxWorkers && this.#head < this.#waiting.length) {
      const next = this.#waiting[this.#head] as Attempt;
      this.#waiting[this.#head++] = undefined;
      next.start();
    }
    if (this.#head === this.#waiting.length) {
      this.#waiting = [];
      this.#head = 0;
    }
  };

  readonly #onSettled: (attempt: Attempt) => void;

  constructor(maxWorkers: number, onSettled: (attempt: Attempt) => void) {
    this.#maxWorkers = maxWorkers;
    this.controllers = new AbortControllers(maxWorkers);
    this.#onSettled = onSettled;
  }

  /** Starts `attempt` now if a slot is free and none waits before it, else queues it. */
  admit(attempt: Attempt): void {
    attempt.next = this.#live;
    if (this.#live !== null) this.#live.prev = attempt;
    this.#live = attempt;
    this.#size++;
    if (this.#running < this.#maxWorkers && this.#head === this.#waiting.length) attempt.start();
    else this.#waiting.push(attempt);
  }

  /** An attempt is running from now on: it holds a slot until it settles. */
  began(): void {
    this.#running++;
  }

  settled(attempt: Attempt, wasRunning: boolean): void {
    this.#onSettled(attempt);
    if (attempt.prev !== null) attempt.prev.next = attempt.next;
    else this.#live = attempt.next;
    if (attempt.next !== null) attempt.next.prev = attempt.prev;
    attempt.prev = null;
    attempt.next = null;
    this.#size--;
    if (wasRunning) {
      this.#running--;
      // After the promise reactions to this outcome: a caller counting attempts in flight sees
      // one end before the next starts.
      if (this.#head < this.#waiting.length && !this.#isStartScheduled) {
        this.#isStartScheduled = true;
        queueMicrotask(this.#startWaiting);
      }
    }
    if (this.#size === 0 && this.#idleWaiters.length > 0) {
      const idle = this.#idleWaiters;
      this.#idleWaiters = [];
      for (const resolve of idle) resolve();
    }
  }

  /** Every attempt without an outcome, oldest first. */
  live(): Attempt[] {
    const attempts: Attempt[] = [];
    for (let at = this.#live; at !== null; at = at.next) attempts.push(at);
    return attempts.reverse();
  }

  /** Resolves once every attempt has its outcome. */
  idle(): Promise<void> {
    if (this.#size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  isSettled(): boolean {
    for (let at = this.#live; at !== null; at = at.next) if (at.isFunctionRunning) return false;
    return true;
  }

  /** A function's promise can never settle: a bug in the task's code, like a throw. */
  failStranded(message: string): void {
    for (const attempt of this.live()) {
      if (attempt.isFunctionRunning) attempt.fail('TASK_ERROR', message);
    }
  }
}

/**
 * Runs actions on the main event loop, at most `maxWorkers` at once. A timeout or cancellation
 * aborts `ctx.signal` and resolves at once: a function that ignores its signal keeps running but
 * no longer holds a slot, as there is no worker to kill.
 */
export function createCoroutineExecutor(config: ExecutorConfig): Executor {
  /**
   * One listener per distinct cancellation signal, not one per attempt, with how many attempts
   * without an outcome use it: removed when the last one settles, so a caller that passes a
   * signal per attempt leaves nothing behind.
   */
  const listened = new Map<AbortSignal, { onAbort: () => void; users: number }>();
  const bound = new Bound(config.maxWorkers, (attempt) => {
    const signal = attempt.options.signal;
    const entry = signal === undefined ? undefined : listened.get(signal);
    if (entry === undefined || --entry.users > 0) return;
    (signal as AbortSignal).removeEventListener('abort', entry.onAbort);
    listened.delete(signal as AbortSignal);
  });
  let isClosed = false;
  let isGuarded = false;
  let shutdownDone: Promise<void> | undefined;

  const stopAll = (code: ItemErrorCode, message: string, signal?: AbortSignal): void => {
    for (const attempt of bound.live()) {
      if (signal === undefined || attempt.options.signal === signal) attempt.fail(code, message);
    }
  };
  const listen = (signal: AbortSignal): void => {
    const entry = listened.get(signal);
    if (entry !== undefined) {
      entry.users++;
      return;
    }
    const onAbort = (): void => stopAll('CANCELLED', 'the attempt was cancelled', signal);
    listened.set(signal, { onAbort, users: 1 });
    signal.addEventListener('abort', onAbort, { once: true });
  };

  function execute(request: ActionRequest, options: ExecuteOptions = {}): Promise<ActionOutcome> {
    const signal = options.signal;
    if (isClosed || signal?.aborted === true) {
      const why = isClosed ? 'the executor is shut down' : 'the attempt was cancelled';
      return Promise.resolve({ ok: false, error: itemError('CANCELLED', why), workerId: null });
    }
    if (!isGuarded && request.action.type === 'function') {
      isGuarded = true;
      acquireCrashGuard();
      failIfStranded(bound);
    }
    if (signal !== undefined) listen(signal);
    const attempt = new Attempt(request, options, bound);
    bound.admit(attempt);
    return attempt.outcome;
  }

  async function waitUntilIdle(): Promise<void> {
    await bound.idle();
    for (const [signal, { onAbort }] of listened) signal.removeEventListener('abort', onAbort);
    listened.clear();
    if (isGuarded) {
      clearStranded(bound);
      releaseCrashGuard();
    }
  }

  return {
    kind: 'coroutine',
    config,
    execute,
    shutdown(options = {}) {
      isClosed = true;
      if (options.force) stopAll('CANCELLED', 'jobrun is shutting down');
      shutdownDone ??= waitUntilIdle();
      return shutdownDone;
    },
  };
}
