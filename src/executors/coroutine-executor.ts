import { startAction } from '../actions/perform-action.ts';
import type { ActionRequest } from '../actions/types.ts';
import type { ExecutorConfig } from '../job/types.ts';
import { groupReaper } from '../proc/group-reaper.ts';
import type { ProcessTracker } from '../proc/process-group.ts';
import type { ItemErrorCode } from '../results/types.ts';
import {
  acquireCrashGuard,
  releaseCrashGuard,
  runInCrashScope,
  type CrashScope,
} from '../proc/crash-guard.ts';
import { itemError, serializeError } from './serialize-error.ts';
import type { ActionOutcome, ExecuteOptions, ImmediateExecutor } from './types.ts';

const WORKER_ID = 'coroutine';

/** What the attempts of one executor share. */
interface CoroutineState {
  readonly maxWorkers: number;
  running: number;
  /** Attempts waiting for a slot, oldest first, from `head` on. */
  waiting: (Attempt | undefined)[];
  head: number;
  isStartingQueued: boolean;
  isStartScheduled: boolean;
  /** Every attempt without an outcome yet, queued or running. */
  readonly live: LiveList;
  idleWaiters: (() => void)[];
  /** Called when an attempt that was given `signal` settles. */
  forget: (signal: AbortSignal) => void;
}

/**
 * One attempt, its own crash scope and action environment: a single object per attempt instead of
 * a closure per callback keeps a no-op item's garbage small.
 */
class Attempt implements CrashScope {
  readonly workerId = WORKER_ID;
  readonly state: CoroutineState;
  readonly request: ActionRequest;
  readonly options: ExecuteOptions;
  /** Set once someone waits on a promise of the outcome; until then `outcome` keeps it. */
  resolve: ((outcome: ActionOutcome) => void) | undefined;
  outcome: ActionOutcome | undefined = undefined;
  hasOutcome = false;
  /** Neighbours in the executor's list of live attempts. */
  prev: Attempt | null = null;
  next: Attempt | null = null;
  hasStarted = false;
  timer: NodeJS.Timeout | undefined = undefined;
  isAborted = false;
  controller: AbortController | undefined = undefined;
  /** What `whenAborted` was given: cancels the running action on abort. */
  cancel: (() => void) | undefined = undefined;

  constructor(state: CoroutineState, request: ActionRequest, options: ExecuteOptions) {
    this.state = state;
    this.request = request;
    this.options = options;
    this.resolve = undefined;
  }

  /**
   * Created on first read: most functions never look at `ctx.signal`, and an `AbortController`
   * is among the costliest objects of a no-op item.
   */
  get signal(): AbortSignal {
    if (this.controller === undefined) {
      this.controller = new AbortController();
      if (this.isAborted) this.controller.abort();
    }
    return this.controller.signal;
  }

  /** Shell commands' process groups go to the reaper, which stops them if jobrun is killed. */
  get processes(): ProcessTracker {
    return groupReaper;
  }

  whenAborted(cancel: () => void): void {
    if (this.isAborted) cancel();
    else this.cancel = cancel;
  }

  log(message: string): void {
    this.options.onLog?.(message);
  }

  isSettled(): boolean {
    return this.hasOutcome;
  }

  crash(message: string, error?: unknown): void {
    this.fail('WORKER_CRASHED', message, error);
    this.abort();
  }

  abort(): void {
    if (this.isAborted) return;
    this.isAborted = true;
    this.controller?.abort();
    this.cancel?.();
  }

  /** Stops the attempt, queued or running; its function, if running, only sees `ctx.signal`. */
  stop(code: ItemErrorCode, message: string): void {
    if (this.hasOutcome) return;
    this.fail(code, message);
    this.abort();
  }

  start(): void {
    const { state, options } = this;
    state.running++;
    this.hasStarted = true;
    options.onStart?.(WORKER_ID);
    // onStart may have cancelled it already.
    if (this.hasOutcome) return;
    let value: unknown;
    try {
      // Only a user's function can crash the process; run and http actions are jobrun's own code.
      value =
        this.request.action.type === 'function'
          ? runInCrashScope(this, startAction, this.request, this)
          : startAction(this.request, this);
    } catch (error) {
      this.finish({ ok: false, error: serializeError(error), workerId: WORKER_ID });
      return;
    }
    if (!(value instanceof Promise)) {
      this.finish({ ok: true, value, workerId: WORKER_ID });
      return;
    }
    // A synchronous function cannot be interrupted, so only one that waits gets a timer.
    const timeoutMs = options.timeoutMs;
    if (timeoutMs !== undefined) {
      this.timer = setTimeout(() => {
        this.stop('TIMEOUT', `the attempt timed out after ${timeoutMs} ms`);
      }, timeoutMs);
    }
    value.then(
      (result: unknown) => this.finish({ ok: true, value: result, workerId: WORKER_ID }),
      (error: unknown) =>
        this.finish({ ok: false, error: serializeError(error), workerId: WORKER_ID }),
    );
  }

  fail(code: ItemErrorCode, message: string, error?: unknown): void {
    const serialized = error === undefined ? itemError(code, message) : serializeError(error);
    this.finish({
      ok: false,
      error: { ...serialized, code, message },
      workerId: this.hasStarted ? WORKER_ID : null,
    });
  }

  /** Settles once; the slot is freed when the outcome is known, not when a runaway returns. */
  finish(outcome: ActionOutcome): void {
    if (this.hasOutcome) return;
    this.hasOutcome = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    const state = this.state;
    state.live.delete(this);
    if (this.options.signal !== undefined) state.forget(this.options.signal);
    if (this.resolve === undefined) this.outcome = outcome;
    else this.resolve(outcome);
    if (this.hasStarted) {
      state.running--;
      // After the caller has seen this outcome: never more than maxWorkers started and unsettled.
      if (state.head < state.waiting.length && !state.isStartScheduled) {
        state.isStartScheduled = true;
        queueMicrotask(() => {
          state.isStartScheduled = false;
          startQueued(state);
        });
      }
    }
    if (state.live.size === 0 && state.idleWaiters.length > 0) {
      const idle = state.idleWaiters;
      state.idleWaiters = [];
      for (const resolveIdle of idle) resolveIdle();
    }
  }
}

/**
 * The attempts without an outcome, linked through the attempts themselves: adding and removing
 * one per item allocates nothing, where a `Set` rehashes as it grows and shrinks.
 */
class LiveList {
  size = 0;
  #head: Attempt | null = null;

  add(attempt: Attempt): void {
    attempt.next = this.#head;
    if (this.#head !== null) this.#head.prev = attempt;
    this.#head = attempt;
    this.size++;
  }

  delete(attempt: Attempt): void {
    if (attempt.prev !== null) attempt.prev.next = attempt.next;
    else if (this.#head === attempt) this.#head = attempt.next;
    else return;
    if (attempt.next !== null) attempt.next.prev = attempt.prev;
    attempt.prev = null;
    attempt.next = null;
    this.size--;
  }

  /** Oldest first. */
  toArray(): Attempt[] {
    const attempts: Attempt[] = [];
    for (let at = this.#head; at !== null; at = at.next) attempts.push(at);
    return attempts.reverse();
  }
}

/**
 * Starts queued attempts while slots are free. An `execute` made from inside a starting attempt
 * only queues; the flag keeps that to another turn of this loop, not a deeper stack.
 */
function startQueued(state: CoroutineState): void {
  if (state.isStartingQueued) return;
  state.isStartingQueued = true;
  try {
    while (state.running < state.maxWorkers && state.head < state.waiting.length) {
      const next = state.waiting[state.head] as Attempt;
      state.waiting[state.head++] = undefined;
      if (!next.hasOutcome) next.start();
    }
    if (state.head === state.waiting.length) {
      state.waiting = [];
      state.head = 0;
    }
  } finally {
    state.isStartingQueued = false;
  }
}

/**
 * Runs actions on the main event loop, at most `maxWorkers` at once. A timeout or cancellation
 * aborts `ctx.signal` and resolves at once: a function that ignores its signal keeps running but
 * no longer holds a slot, as there is no worker to kill.
 *
 * The bound is a plain FIFO rather than p-queue: the engine already feeds at most `maxWorkers`
 * items per task, and an attempt with a free slot starts synchronously, so a function that returns
 * a plain value settles without a single promise turn (see README, Performance).
 */
export function createCoroutineExecutor(config: ExecutorConfig): ImmediateExecutor {
  /** One listener per distinct signal of the live attempts, not one per attempt. */
  const listened = new Map<AbortSignal, { onAbort: () => void; attempts: number }>();
  const state: CoroutineState = {
    maxWorkers: config.maxWorkers,
    running: 0,
    waiting: [],
    head: 0,
    isStartingQueued: false,
    isStartScheduled: false,
    live: new LiveList(),
    idleWaiters: [],
    forget(signal) {
      const entry = listened.get(signal);
      if (entry !== undefined) entry.attempts--;
    },
  };
  let isClosed = false;
  let isGuarded = false;
  let shutdownDone: Promise<void> | undefined;

  const stopAll = (code: ItemErrorCode, message: string, signal?: AbortSignal): void => {
    for (const attempt of state.live.toArray()) {
      if (signal === undefined || attempt.options.signal === signal) attempt.stop(code, message);
    }
  };
  const listen = (signal: AbortSignal): void => {
    const entry = listened.get(signal);
    if (entry !== undefined) {
      entry.attempts++;
      return;
    }
    // A listener stays while its signal may come back (the engine passes one signal for every
    // attempt); those of signals no attempt holds any more go when a new signal arrives.
    for (const [old, { onAbort, attempts }] of listened) {
      if (attempts > 0) continue;
      old.removeEventListener('abort', onAbort);
      listened.delete(old);
    }
    const onAbort = (): void => stopAll('CANCELLED', 'the attempt was cancelled', signal);
    listened.set(signal, { onAbort, attempts: 1 });
    signal.addEventListener('abort', onAbort, { once: true });
  };

  function executeNow(
    request: ActionRequest,
    options: ExecuteOptions = {},
  ): ActionOutcome | Promise<ActionOutcome> {
    const signal = options.signal;
    if (isClosed || signal?.aborted === true) {
      const why = isClosed ? 'the executor is shut down' : 'the attempt was cancelled';
      return { ok: false, error: itemError('CANCELLED', why), workerId: null };
    }
    if (!isGuarded && request.action.type === 'function') {
      isGuarded = true;
      acquireCrashGuard();
    }
    if (signal !== undefined) listen(signal);
    const attempt = new Attempt(state, request, options);
    state.live.add(attempt);
    if (state.running < state.maxWorkers && !state.isStartingQueued) attempt.start();
    else {
      state.waiting.push(attempt);
      startQueued(state);
    }
    if (attempt.outcome !== undefined) return attempt.outcome;
    return new Promise((resolve) => (attempt.resolve = resolve));
  }

  function execute(request: ActionRequest, options?: ExecuteOptions): Promise<ActionOutcome> {
    const outcome = executeNow(request, options);
    return outcome instanceof Promise ? outcome : Promise.resolve(outcome);
  }

  async function waitUntilIdle(): Promise<void> {
    if (state.live.size > 0) {
      await new Promise<void>((resolve) => state.idleWaiters.push(resolve));
    }
    for (const [signal, { onAbort }] of listened) signal.removeEventListener('abort', onAbort);
    listened.clear();
    if (isGuarded) releaseCrashGuard();
  }

  return {
    kind: 'coroutine',
    config,
    execute,
    executeNow,
    shutdown(options = {}) {
      isClosed = true;
      if (options.force) stopAll('CANCELLED', 'jobrun is shutting down');
      shutdownDone ??= waitUntilIdle();
      return shutdownDone;
    },
  };
}
