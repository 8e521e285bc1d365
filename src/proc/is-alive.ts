/**
 * Whether a process with this pid exists; a negative pid asks about the process group `-pid`.
 * Signal 0 checks without sending anything. `EPERM` means the process exists but belongs to
 * another user, so it counts as alive; a zombie (exited, not yet reaped) counts too.
 */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException | null)?.code === 'EPERM';
  }
}
