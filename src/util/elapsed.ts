/**
 * Milliseconds since `startedMs` (a `performance.now()` reading), to a tenth: every duration
 * jobrun records (`durationMs`, `readyMs`, a remote attempt's run time).
 */
export function elapsedSince(startedMs: number): number {
  return Math.round((performance.now() - startedMs) * 10) / 10;
}
