import type { ActionRequest } from '../actions/types.ts';
import type { SerializedError } from './types.ts';

/**
 * The messages between a pool and its workers (threads or processes alike). Every message about
 * an attempt carries its `id`, so several attempts share one worker message.
 */

/** One attempt handed to a worker. */
export interface RunOrder {
  id: number;
  request: ActionRequest;
}

/** Pool → worker. */
export type HostMessage =
  /**
   * Attempts to run one at a time, in this order, after those already sent: a worker holds a
   * short FIFO so it never waits for the pool between two attempts.
   */
  | { type: 'run'; orders: RunOrder[] }
  /** Drop a waiting attempt (it never starts), or abort it if it already started. */
  | { type: 'cancel'; id: number }
  /**
   * Give a waiting attempt back (`dropped`) so an idle worker can run it; if it already started,
   * nothing changes and its result follows as usual.
   */
  | { type: 'recall'; id: number };

/** Worker → pool. */
export type WorkerMessage =
  /** The worker loaded and can take tasks. */
  | { type: 'ready' }
  | { type: 'result'; id: number; ok: true; value: unknown }
  | { type: 'result'; id: number; ok: false; error: SerializedError }
  /** A cancelled or recalled attempt was removed from the worker's FIFO before it started. */
  | { type: 'dropped'; id: number }
  | { type: 'log'; id: number; message: string }
  /** A `run` action started a process group; the pool kills it if the worker dies first. */
  | { type: 'spawned'; id: number; pgid: number }
  | { type: 'reaped'; id: number; pgid: number }
  /** An uncaught error is about to end the worker. */
  | { type: 'crash'; error: SerializedError };
