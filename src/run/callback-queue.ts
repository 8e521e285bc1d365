import PQueue from 'p-queue';
import {
  clearStranded,
  failIfStranded,
  runInCrashScope,
  type CrashScope,
  type Strandable,
} from '../proc/crash-guard.ts';
import type { ItemError } from '../results/types.ts';
import { itemErrorFrom } from './item-error.ts';

/** A loaded callback: `fn(result, ctx)` in the main process. */
export type CallbackFn = (result: unknown, ctx: Record<string, unknown>) => unknown;

/** How a callback call ended: its value, or why the item fails (or is cancelled) instead. */
export type CallbackOutcome = { ok: true; value: unknown } | { ok: false; error: ItemError };

export interface CallbackCallOptions {
  /** The task's `timeout`: a callback still unsettled after it fails its item. */
  timeoutMs?: number | undefined;
  /** The run's cancellation: a callback not yet settled (or not yet started) is given up. */
  signal: AbortSignal;
}

/**
 * One callback call, guarded like a coroutine attempt: whatever its code does (throws inside a
 * timer, rejects unhandled, calls `process.exit`, never settles), the call ends with an outcome
 * for its item and the run goes on.
 */
class CallbackCall implements CrashScope, Strandable {
  readonly subject = 'the callback';
  readonly outcome: Promise<CallbackOutcome>;
  #resolve!: (outcome: CallbackOutcome) => void;
  readonly #signal: AbortSignal;
  #isSettled = false;
  #timer: NodeJS.Timeout | undefined;
  readonly #onAbort = (): void =>
    this.#finish({
      ok: false,
      error: { code: 'CANCELLED', message: 'the run was cancelled before the callback settled' },
    });

  constructor(signal: AbortSignal) {
    this.#signal = signal;
    this.outcome = new Promise((resolve) => (this.#resolve = resolve));
  }

  isSettled(): boolean {
    return this.#isSettled;
  }

  crash(message: string, error?: unknown): void {
    this.#finish({
      ok: false,
      error: { ...itemErrorFrom('CALLBACK_FAILED', error ?? message), message },
    });
  }

  failStranded(message: string): void {
    this.crash(message);
  }

  /** Calls the callback; resolves with its outcome, also when its code never settles. */
  start(
    callback: CallbackFn,
    result: unknown,
    ctx: Record<string, unknown>,
    timeoutMs?: number,
  ): Promise<CallbackOutcome> {
    if (this.#signal.aborted) {
      this.#finish({
        ok: false,
        error: { code: 'CANCELLED', message: 'the run was cancelled before the callback ran' },
      });
      return this.outcome;
    }
    if (timeoutMs !== undefined) {
      this.#timer = setTimeout(() => {
        this.#finish({
          ok: false,
          error: {
            code: 'CALLBACK_FAILED',
            message: `the callback did not settle within the task's timeout (${timeoutMs} ms)`,
          },
        });
      }, timeoutMs);
    }
    this.#signal.addEventListener('abort', this.#onAbort, { once: true });
    failIfStranded(this);
    runInCrashScope(this, callAsync, callback, result, ctx).then(
      (value: unknown) => this.#finish({ ok: true, value }),
      (error: unknown) =>
        this.#finish({ ok: false, error: itemErrorFrom('CALLBACK_FAILED', error) }),
    );
    return this.outcome;
  }

  #finish(outcome: CallbackOutcome): void {
    if (this.#isSettled) return;
    this.#isSettled = true;
    clearTimeout(this.#timer);
    this.#signal.removeEventListener('abort', this.#onAbort);
    clearStranded(this);
    this.#resolve(outcome);
  }
}

/** `callback(result, ctx)` awaited: a throw and a rejection alike reject. */
async function callAsync(
  callback: CallbackFn,
  result: unknown,
  ctx: Record<string, unknown>,
): Promise<unknown> {
  return await callback(result, ctx);
}

/**
 * Runs a task's callbacks one at a time, in the order items completed, so a callback may append
 * to a file or update shared state without a lock: a p-queue of concurrency 1. A callback that
 * timed out or was given up on no longer holds the queue: the next one starts.
 */
export class CallbackQueue {
  readonly #queue = new PQueue({ concurrency: 1 });

  /** Calls `callback(result, ctx)` after the previous calls; never rejects. */
  run(
    callback: CallbackFn,
    result: unknown,
    ctx: Record<string, unknown>,
    options: CallbackCallOptions,
  ): Promise<CallbackOutcome> {
    return this.#queue.add(() =>
      new CallbackCall(options.signal).start(callback, result, ctx, options.timeoutMs),
    );
  }
}
