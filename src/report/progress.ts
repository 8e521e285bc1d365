import { formatDuration } from '../util/format-duration.ts';
import type { TaskTally } from './run-tally.ts';

/** A rate is shown once a task has run this long: before, one quick item would say 2000 items/s. */
export const MIN_RATE_ELAPSED_MS = 1000;

/** How far a running task has come. */
export interface TaskProgress {
  /** Items with an outcome: ok, failed, skipped or cancelled. */
  done: number;
  /** Items done per second since the task started; `null` before there is a rate to show. */
  perSecond: number | null;
  /** The time the items left take at that rate; `null` without a rate or a known total. */
  etaMs: number | null;
}

/**
 * The progress of `task` at `nowMs`: its items done, their rate since the task started running
 * and, when its number of items is known, the time left at that rate.
 *
 * @example taskProgress(fetch, start + 10_000) // { done: 50, perSecond: 5, etaMs: 10_000 } of 100
 */
export function taskProgress(task: TaskTally, nowMs: number): TaskProgress {
  const done = task.ok + task.failed + task.skipped + task.cancelled;
  const elapsedMs = task.startedAtMs === null ? 0 : nowMs - task.startedAtMs;
  if (done === 0 || elapsedMs < MIN_RATE_ELAPSED_MS) return { done, perSecond: null, etaMs: null };
  const perSecond = (done * 1000) / elapsedMs;
  const left = task.total === null ? null : Math.max(0, task.total - done);
  return { done, perSecond, etaMs: left === null ? null : (left * 1000) / perSecond };
}

/**
 * Items per second for people: one decimal below 10, whole numbers above.
 *
 * @example formatRate(4.25) // '4.3 items/s'
 */
export function formatRate(perSecond: number): string {
  const value = perSecond < 10 ? perSecond.toFixed(1) : String(Math.round(perSecond));
  return `${value} items/s`;
}

/**
 * The time left, rounded up to whole seconds: `ETA 17s`, `ETA 2m05s`, `ETA 1h02m`.
 *
 * @example formatEta(16_200) // 'ETA 17s'
 */
export function formatEta(ms: number): string {
  const seconds = Math.ceil(ms / 1000);
  return `ETA ${seconds < 60 ? `${seconds}s` : formatDuration(seconds * 1000)}`;
}

/** The rate and ETA of `task` as row parts (`['12 items/s', 'ETA 17s']`), or none yet. */
export function progressParts(task: TaskTally, nowMs: number): string[] {
  const { perSecond, etaMs } = taskProgress(task, nowMs);
  if (perSecond === null) return [];
  return etaMs === null ? [formatRate(perSecond)] : [formatRate(perSecond), formatEta(etaMs)];
}
