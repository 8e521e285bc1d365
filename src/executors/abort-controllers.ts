import { getEventListeners } from 'node:events';

/**
 * Abort controllers for `ctx.signal`, reused. Node 20 takes microseconds to create an
 * `AbortSignal`, more than a whole no-op item, so an attempt that ended without its signal being
 * aborted, and with no listener left on it, gives its controller back for a later attempt. A
 * running attempt always has a signal of its own: a timeout, a cancellation or a crash aborts
 * only its own.
 */
export class AbortControllers {
  readonly #spare: AbortController[] = [];
  readonly #max: number;

  /** Keeps at most `max` spare controllers. */
  constructor(max: number) {
    this.#max = max;
  }

  take(): AbortController {
    return this.#spare.pop() ?? new AbortController();
  }

  /** The attempt that had `controller` ended: it serves again if nothing can tell. */
  giveBack(controller: AbortController): void {
    const signal = controller.signal;
    if (signal.aborted || this.#spare.length >= this.#max) return;
    if (getEventListeners(signal, 'abort').length > 0) return;
    this.#spare.push(controller);
  }
}
