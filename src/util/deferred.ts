/** A promise with its `resolve` and `reject` at hand, for code that settles it elsewhere. */
export interface Deferred<T> {
  promise: Promise<T>;
  resolve: (value: T) => void;
  reject: (reason: unknown) => void;
}

/**
 * A new pending promise and the functions that settle it: `Promise.withResolvers()`, which
 * Node 20 does not have.
 *
 * @example
 * const finished = createDeferred<void>();
 * child.on('exit', () => finished.resolve());
 * await finished.promise;
 */
export function createDeferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (reason: unknown) => void;
  const promise = new Promise<T>((resolveIt, rejectIt) => {
    resolve = resolveIt;
    reject = rejectIt;
  });
  return { promise, resolve, reject };
}
