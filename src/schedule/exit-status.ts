/** How a scheduled run ended, as logged. */
export type RunExitStatus = 'ok' | 'failed' | 'locked' | 'interrupted' | 'crashed';

/** jobrun's exit code when another run of the same job holds its lock (SPEC §4). */
export const EXIT_LOCKED = 75;

/** A run's exit codes after SIGHUP, SIGINT and SIGTERM, and those signals. */
const INTERRUPTED_CODES: ReadonlySet<number> = new Set([129, 130, 143]);
const INTERRUPTED_SIGNALS: ReadonlySet<NodeJS.Signals> = new Set(['SIGHUP', 'SIGINT', 'SIGTERM']);

/**
 * Reads a `jobrun run` child's exit: 0 ok, 1 failed, 75 locked, 129/130/143 (or death by SIGHUP,
 * SIGINT or SIGTERM) interrupted; anything else, including an invalid job file (2) or a kill, is
 * `crashed`.
 */
export function exitStatusOf(code: number | null, signal: NodeJS.Signals | null): RunExitStatus {
  if (code === 0) return 'ok';
  if (code === 1) return 'failed';
  if (code === EXIT_LOCKED) return 'locked';
  if (
    (code !== null && INTERRUPTED_CODES.has(code)) ||
    (signal !== null && INTERRUPTED_SIGNALS.has(signal))
  ) {
    return 'interrupted';
  }
  return 'crashed';
}
