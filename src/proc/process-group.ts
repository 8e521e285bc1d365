import { isAlive } from './is-alive.ts';

/** Receives the process group ids of running shell commands. */
export interface ProcessTracker {
  add(pgid: number): void;
  delete(pgid: number): void;
}

/**
 * Sends `signal` to a whole process group; a group that is already gone is fine. Returns whether
 * the group still had a member to receive it.
 */
export function signalGroup(pgid: number | undefined, signal: NodeJS.Signals): boolean {
  if (pgid === undefined) return false;
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    // ESRCH: every member has exited already.
    return false;
  }
}

/** Whether the process group `pgid` still has a member. */
export function isGroupAlive(pgid: number | undefined): boolean {
  return pgid !== undefined && isAlive(-pgid);
}
