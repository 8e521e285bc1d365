/**
 * Runs a task's callbacks one at a time, in the order items completed, so a callback may append
 * to a file or update shared state without a lock.
 */
export class CallbackQueue {
  #tail: Promise<unknown> = Promise.resolve();

  run<T>(call: () => Promise<T> | T): Promise<T> {
    const next = this.#tail.then(call);
    // The queue goes on after a failed callback; the caller sees the failure.
    this.#tail = next.catch(() => undefined);
    return next;
  }
}
