import { availableParallelism } from 'node:os';
import type { ExecutorKind } from './types.ts';

// What a job file gets for each setting it leaves out, kept together so each is written once.

/** The executor of a job without `executor.kind`. */
export const DEFAULT_EXECUTOR_KIND: ExecutorKind = 'coroutine';

/** Default `maxWorkers` of the coroutine executor. */
export const DEFAULT_COROUTINE_WORKERS = 64;

/**
 * Default `maxWorkers` of the queue executor: attempts handed to the queue at once, enough to keep
 * a few remote workers busy whatever their machines.
 */
export const DEFAULT_QUEUE_WORKERS = 64;

/** The default `maxWorkers` of a kind: the CPU count for pools, 64 for coroutines and queues. */
export function defaultMaxWorkers(kind: ExecutorKind): number {
  if (kind === 'queue') return DEFAULT_QUEUE_WORKERS;
  return kind === 'coroutine' ? DEFAULT_COROUTINE_WORKERS : availableParallelism();
}

/** Delay before the first retry when `retryDelay` is not given. */
export const DEFAULT_RETRY_DELAY_MS = 200;

/** The default `maxOutput`: how much of a stream or an HTTP body jobrun keeps. */
export const DEFAULT_MAX_OUTPUT_BYTES = 16 * 1024 ** 2;
