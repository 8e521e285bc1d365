/**
 * A duration for people, as the terminal's listing and summary and the HTML report's tables show
 * it: `41.7ms`, `812ms`, `3.1s`, `2m05s`, `1h02m`. Tenths of a millisecond show below 100 ms, where
 * they tell a fast item from an instant one. A negative or non-finite value reads `–`.
 *
 * @example formatDuration(41.73) // '41.7ms'
 */
export function formatDuration(ms: number): string {
  if (Number.isFinite(ms) && ms >= 0 && ms < 100) return `${ms.toFixed(1)}ms`;
  return formatRoundedDuration(ms);
}

/**
 * `formatDuration` in whole milliseconds (`12ms`, `850ms`, `1.2s`, `2m05s`, `1h02m`): for the
 * scheduler's log, where a whole run's duration in tenths of a millisecond would be noise.
 *
 * @example formatRoundedDuration(12.4) // '12ms'
 */
export function formatRoundedDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '–';
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const totalSeconds = Math.floor(ms / 1000);
  if (totalSeconds < 3600) {
    return `${Math.floor(totalSeconds / 60)}m${String(totalSeconds % 60).padStart(2, '0')}s`;
  }
  const totalMinutes = Math.floor(totalSeconds / 60);
  return `${Math.floor(totalMinutes / 60)}h${String(totalMinutes % 60).padStart(2, '0')}m`;
}
