import PQueue from 'p-queue';
import type { Executor } from '../executors/types.ts';
import type { ExecutorConfig } from '../job/types.ts';

/**
 * What bounds the admission of one task's items: p-queue's own options. `concurrency` is what the
 * executor can usefully take. A per-task rate limit would add p-queue's `intervalCap` and
 * `interval` here (at most `intervalCap` items started per `interval` ms), and nothing else.
 */
export interface GateLimits {
  concurrency: number;
}

/**
 * The limits of a task's gate on `executor`: `maxWorkers` items at once, or, on a pool whose
 * workers each hold a few attempts ahead, enough to keep every worker's pipeline full
 * (`inFlightLimit`). Fairness between the pool's workers stays the pool's business.
 */
export function gateLimits(executor: Executor, config: ExecutorConfig): GateLimits {
  return { concurrency: executor.inFlightLimit ?? config.maxWorkers };
}

/** The gate every item of one task passes: a p-queue that starts at most `limits` at once. */
export function openGate(limits: GateLimits): PQueue {
  return new PQueue({ concurrency: limits.concurrency });
}
