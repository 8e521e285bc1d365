/**
 * A bounded producer-consumer queue: `push` waits while `capacity` values are buffered, so a slow
 * consumer holds the producer back instead of letting the buffer grow without bound.
 */
export class Channel<T> implements AsyncIterable<T> {
  readonly #capacity: number;
  readonly #buffer: T[] = [];
  #isClosed = false;
  #waitingPushers: Array<() => void> = [];
  #waitingTaker: (() => void) | null = null;

  constructor(capacity: number) {
    this.#capacity = Math.max(1, capacity);
  }

  /** Adds a value, waiting for room. Values pushed after `close` are dropped. */
  async push(value: T): Promise<void> {
    while (this.#buffer.length >= this.#capacity && !this.#isClosed) {
      await new Promise<void>((resolve) => this.#waitingPushers.push(resolve));
    }
    if (this.#isClosed) return;
    this.#buffer.push(value);
    this.#wakeTaker();
  }

  /** No more values: the consumer ends after the buffered ones; waiting producers resume. */
  close(): void {
    this.#isClosed = true;
    this.#wakeTaker();
    const pushers = this.#waitingPushers;
    this.#waitingPushers = [];
    for (const resume of pushers) resume();
  }

  #wakeTaker(): void {
    const taker = this.#waitingTaker;
    this.#waitingTaker = null;
    taker?.();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    for (;;) {
      if (this.#buffer.length > 0) {
        const value = this.#buffer.shift() as T;
        this.#waitingPushers.shift()?.();
        yield value;
        continue;
      }
      if (this.#isClosed) return;
      await new Promise<void>((resolve) => (this.#waitingTaker = resolve));
    }
  }
}
