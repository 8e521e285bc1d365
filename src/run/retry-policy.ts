import type { RetryPolicy } from '../job/types.ts';

/** Whether a failed attempt with `code` may be followed by another, `attempts` made so far. */
export function isRetried(policy: RetryPolicy, code: string, attempts: number): boolean {
  return attempts <= policy.limit && policy.on.includes(code);
}

/**
 * How long to wait after attempt `attempts` failed: `delay × 2^(n−1)` (`exponential`) or `delay`
 * (`fixed`), capped by `maxDelay`, drawn from 0 to that with `jitter`. A server's `Retry-After`
 * (`retryAfterMs`) replaces it, capped by `maxDelay` too.
 *
 * @example retryWaitMs({ limit: 5, delayMs: 100, backoff: 'exponential', jitter: false, on: [] }, 3) // 400
 */
export function retryWaitMs(
  policy: RetryPolicy,
  attempts: number,
  retryAfterMs?: number,
  random: () => number = Math.random,
): number {
  const cap = policy.maxDelayMs ?? Infinity;
  if (retryAfterMs !== undefined) return Math.min(Math.max(0, retryAfterMs), cap);
  const base =
    policy.backoff === 'fixed' ? policy.delayMs : policy.delayMs * 2 ** Math.max(0, attempts - 1);
  const capped = Math.min(base, cap);
  return policy.jitter ? random() * capped : capped;
}
