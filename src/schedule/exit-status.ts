/** How a scheduled run ended, as logged. */
export type RunExitStatus = 'ok' | 'failed' | 'locked' | 'interrupted' | 'crashed';

/** jobrun's exit code when another run of the same job holds its lock (SPEC §4). */
export const EXIT_LOCKED = 75;

/**
 * Reads a `jobrun run` child's exit: 0 ok, 1 failed, 75 locked, 130/143 (or death by SIGINT or
 * SIGTERM) interrupted; anything else, including an invalid job file (2) or a kill, is `crashed`.
 */
export function exitStatusOf(code: number | null, signal: NodeJS.Signals | null): RunExitStatus {
  if (code === 0) return 'ok';
  if (code === 1) return 'failed';
  if (code === EXIT_LOCKED) return 'locked';
  if (code === 130 || code === 143 || signal === 'SIGINT' || signal === 'SIGTERM') {
    return 'interrupted';
  }
  return 'crashed';
}
