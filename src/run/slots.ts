/** A counting semaphore: at most `size` holders at once, waiters served in order. */
export class Slots {
  readonly #size: number;
  #used = 0;
  readonly #waiters: Array<() => void> = [];
  #idleWaiters: Array<() => void> = [];

  constructor(size: number) {
    this.#size = size;
  }

  /**
   * Takes a slot: returns `undefined` when one was free at once (no promise allocated on the hot
   * path), else a promise that resolves when one is handed over. The caller must `release` it.
   */
  acquire(): Promise<void> | undefined {
    if (this.#used < this.#size) {
      this.#used++;
      return undefined;
    }
    return new Promise<void>((resolve) => this.#waiters.push(resolve));
  }

  release(): void {
    const next = this.#waiters.shift();
    if (next !== undefined) {
      next();
      return;
    }
    this.#used--;
    if (this.#used === 0 && this.#idleWaiters.length > 0) {
      const idle = this.#idleWaiters;
      this.#idleWaiters = [];
      for (const resolve of idle) resolve();
    }
  }

  /** Resolves once every slot is free. */
  idle(): Promise<void> {
    if (this.#used === 0) return Promise.resolve();
    return new Promise<void>((resolve) => this.#idleWaiters.push(resolve));
  }
}
