import {
  EXIT_BY_SIGNAL,
  EXIT_CANT_WRITE,
  EXIT_FAILED,
  EXIT_LOCKED,
  EXIT_OK,
} from '../exit-codes.ts';

/** How a scheduled run ended, as logged. */
export type RunExitStatus = 'ok' | 'failed' | 'locked' | 'write-failed' | 'interrupted' | 'crashed';

const INTERRUPTED_CODES: ReadonlySet<number> = new Set(Object.values(EXIT_BY_SIGNAL));
const INTERRUPTED_SIGNALS: ReadonlySet<string> = new Set(Object.keys(EXIT_BY_SIGNAL));

/**
 * Reads a `jobrun run` child's exit: 0 ok, 1 failed, 74 write-failed (its results file could not
 * be written), 75 locked, 129/130/143 (or death by SIGHUP,
 * SIGINT or SIGTERM) interrupted; anything else, including an invalid job file (2) or a kill, is
 * `crashed`.
 */
export function exitStatusOf(code: number | null, signal: NodeJS.Signals | null): RunExitStatus {
  if (code === EXIT_OK) return 'ok';
  if (code === EXIT_FAILED) return 'failed';
  if (code === EXIT_LOCKED) return 'locked';
  if (code === EXIT_CANT_WRITE) return 'write-failed';
  if (
    (code !== null && INTERRUPTED_CODES.has(code)) ||
    (signal !== null && INTERRUPTED_SIGNALS.has(signal))
  ) {
    return 'interrupted';
  }
  return 'crashed';
}
