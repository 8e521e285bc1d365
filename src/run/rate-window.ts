/**
 * A sliding-window limit on attempt starts: at most `limit` in any window of `perMs`, retries
 * included. p-queue's `intervalCap` counts items admitted at a task's gate, which retries never
 * pass again, and an admitted item may still wait for a worker; so the limit is kept here, where
 * an attempt is about to be handed to its executor, and counted when it really started.
 *
 * An attempt counts from its admission: while `pending` (handed over, not started yet) it holds a
 * place, and once started it holds one until `perMs` after its start. Admitting only while
 * `starts in the last perMs + pending < limit` keeps every window of `perMs` to `limit` starts,
 * however the executor delays them. Times are `Date.now()`, the clock of the records' `startedAt`.
 */
export class RateWindow {
  readonly limit: number;
  readonly perMs: number;
  /** Start times of the last `perMs`, oldest first. */
  readonly #starts: number[] = [];
  #pending = 0;
  readonly #waiters: Array<() => void> = [];
  #timer: NodeJS.Timeout | undefined;

  constructor(limit: number, perMs: number) {
    this.limit = limit;
    this.perMs = perMs;
  }

  /** Whether an attempt would wait now. */
  get isFull(): boolean {
    return this.#waiters.length > 0 || !this.#hasRoom(Date.now());
  }

  /** Resolves when one more attempt may start, in call order; `false` if `signal` aborted first. */
  admit(signal: AbortSignal): Promise<boolean> {
    if (signal.aborted) return Promise.resolve(false);
    if (this.#waiters.length === 0 && this.#hasRoom(Date.now())) {
      this.#pending++;
      return Promise.resolve(true);
    }
    return new Promise<boolean>((resolve) => {
      const waiter = (): void => {
        signal.removeEventListener('abort', onAbort);
        this.#pending++;
        resolve(true);
      };
      const onAbort = (): void => {
        const at = this.#waiters.indexOf(waiter);
        if (at !== -1) this.#waiters.splice(at, 1);
        resolve(false);
        this.#wake();
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.#waiters.push(waiter);
      this.#wake();
    });
  }

  /** An admitted attempt started now. */
  started(): void {
    this.#pending--;
    this.#starts.push(Date.now());
    this.#wake();
  }

  /** An admitted attempt will not start (cancelled while it waited for a worker). */
  abandoned(): void {
    this.#pending--;
    this.#wake();
  }

  #hasRoom(nowMs: number): boolean {
    const starts = this.#starts;
    let expired = 0;
    while (expired < starts.length && (starts[expired] ?? 0) <= nowMs - this.perMs) expired++;
    if (expired > 0) starts.splice(0, expired);
    return starts.length + this.#pending < this.limit;
  }

  /** Lets waiters in while there is room; else wakes again when the oldest start leaves the window. */
  #wake(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const now = Date.now();
    while (this.#waiters.length > 0 && this.#hasRoom(now)) this.#waiters.shift()?.();
    const oldest = this.#starts[0];
    if (this.#waiters.length === 0 || oldest === undefined) return;
    // An attempt still pending frees no place by time alone: its start or abandon wakes us.
    this.#timer = setTimeout(() => this.#wake(), Math.max(1, oldest + this.perMs - now));
  }
}
