/**
 * An abort controller created on first use. Most functions never read `ctx.signal`, and an
 * `AbortController` is among the costliest objects of a no-op item (an EventTarget each), so an
 * attempt only pays for one when its signal is read or it is actually aborted.
 */
export interface LazyAbort {
  readonly signal: AbortSignal;
  /** Whether `abort` was called, without creating the signal. */
  readonly aborted: boolean;
  abort(): void;
}

export function lazyAbort(): LazyAbort {
  let controller: AbortController | undefined;
  let isAborted = false;
  return {
    get signal() {
      if (controller === undefined) {
        controller = new AbortController();
        // Read after the abort: the signal must still say so.
        if (isAborted) controller.abort();
      }
      return controller.signal;
    },
    get aborted() {
      return isAborted;
    },
    abort() {
      isAborted = true;
      controller?.abort();
    },
  };
}
