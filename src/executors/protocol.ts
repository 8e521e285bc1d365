import type { ActionRequest, SerializedError } from './types.ts';

/**
 * The messages between a pool and its workers (threads or processes alike). Every message about
 * an attempt carries its `id`, so several attempts may later share one worker message.
 */

/** Pool → worker. */
export type HostMessage = { type: 'run'; id: number; request: ActionRequest };

/** Worker → pool. */
export type WorkerMessage =
  /** The worker loaded and can take tasks. */
  | { type: 'ready' }
  | { type: 'result'; id: number; ok: true; value: unknown }
  | { type: 'result'; id: number; ok: false; error: SerializedError }
  | { type: 'log'; id: number; message: string }
  /** A `run` action started a process group; the pool kills it if the worker dies first. */
  | { type: 'spawned'; id: number; pgid: number }
  | { type: 'reaped'; id: number; pgid: number }
  /** An uncaught error is about to end the worker. */
  | { type: 'crash'; error: SerializedError };
