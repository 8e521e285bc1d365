import { availableParallelism } from 'node:os';
import type { ExecutorKind } from './types.ts';

// What a job file gets for each setting it leaves out, kept together so each is written once.

/** The executor of a job without `executor.kind`. */
export const DEFAULT_EXECUTOR_KIND: ExecutorKind = 'coroutine';

/** Default `maxWorkers` of the coroutine executor. */
export const DEFAULT_COROUTINE_WORKERS = 64;

/** The default `maxWorkers` of a kind: the CPU count for pools, 64 for coroutines. */
export function defaultMaxWorkers(kind: ExecutorKind): number {
  return kind === 'coroutine' ? DEFAULT_COROUTINE_WORKERS : availableParallelism();
}

/** Delay before the first retry when `retryDelay` is not given. */
export const DEFAULT_RETRY_DELAY_MS = 200;

/** The default `maxOutput`: how much of a stream or an HTTP body jobrun keeps. */
export const DEFAULT_MAX_OUTPUT_BYTES = 16 * 1024 ** 2;
