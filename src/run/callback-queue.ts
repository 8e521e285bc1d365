import { failIfStranded, runInCrashScope, type CrashScope } from '../proc/crash-guard.ts';
import type { ItemError } from '../results/types.ts';
import { isThenable } from '../util/is-thenable.ts';
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
class CallbackCall implements CrashScope {
  readonly subject = 'the callback';
  readonly #resolve: (outcome: CallbackOutcome) => void;
  readonly #signal: AbortSignal;
  #isSettled = false;
  #timer: NodeJS.Timeout | undefined;
  #unstrand: (() => void) | undefined;
  readonly #onAbort = (): void =>
    this.#finish({
      ok: false,
      error: { code: 'CANCELLED', message: 'the run was cancelled before the callback settled' },
    });

  constructor(resolve: (outcome: CallbackOutcome) => void, signal: AbortSignal) {
    this.#resolve = resolve;
    this.#signal = signal;
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

  start(callback: CallbackFn, result: unknown, ctx: Record<string, unknown>, timeoutMs?: number) {
    let value: unknown;
    try {
      value = runInCrashScope(this, callback, result, ctx);
    } catch (error) {
      this.#finish({ ok: false, error: itemErrorFrom('CALLBACK_FAILED', error) });
      return;
    }
    if (!isThenable(value)) {
      this.#finish({ ok: true, value });
      return;
    }
    if (this.#isSettled) return;
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
    this.#unstrand = failIfStranded(this);
    value.then(
      (settled: unknown) => this.#finish({ ok: true, value: settled }),
      (error: unknown) =>
        this.#finish({ ok: false, error: itemErrorFrom('CALLBACK_FAILED', error) }),
    );
  }

  #finish(outcome: CallbackOutcome): void {
    if (this.#isSettled) return;
    this.#isSettled = true;
    clearTimeout(this.#timer);
    this.#signal.removeEventListener('abort', this.#onAbort);
    this.#unstrand?.();
    this.#resolve(outcome);
  }
}

/**
 * Runs a task's callbacks one at a time, in the order items completed, so a callback may append
 * to a file or update shared state without a lock. A callback that timed out or was given up on
 * no longer holds the queue: the next one starts.
 */
export class CallbackQueue {
  #tail: Promise<unknown> = Promise.resolve();

  /** Calls `callback(result, ctx)` after the previous calls; never rejects. */
  run(
    callback: CallbackFn,
    result: unknown,
    ctx: Record<string, unknown>,
    options: CallbackCallOptions,
  ): Promise<CallbackOutcome> {
    const next = this.#tail.then(
      () =>
        new Promise<CallbackOutcome>((resolve) => {
          if (options.signal.aborted) {
            resolve({
              ok: false,
              error: {
                code: 'CANCELLED',
                message: 'the run was cancelled before the callback ran',
              },
            });
            return;
          }
          new CallbackCall(resolve, options.signal).start(callback, result, ctx, options.timeoutMs);
        }),
    );
    this.#tail = next;
    return next;
  }
}
