import { readdirSync, readFileSync } from 'node:fs';
import { isAlive } from '../proc/is-alive.ts';

/**
 * Whether a process group still has a member that runs. An exited process that its new parent
 * has not reaped yet (an orphan, under a container's init that reaps slowly) is a zombie: it
 * holds no port nor file any more, so it does not count. Where `/proc` cannot tell, any member
 * counts.
 */
export function hasRunningMember(pgid: number): boolean {
  if (!isAlive(-pgid)) return false;
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return true;
  }
  for (const pid of pids) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      continue;
    }
    // After the command name in parentheses (which may hold spaces): state, ppid, pgrp.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(fields[2]) === pgid && fields[0] !== 'Z') return true;
  }
  return false;
}
