import { spawn, type ChildProcess } from 'node:child_process';
import type { ProcessTracker } from './process-group.ts';

/**
 * The reaper's script: it keeps the process groups it is told of (`+PGID` / `-PGID` lines on its
 * stdin) and, once its stdin closes, stops the groups left: SIGTERM, then SIGKILL after the same
 * grace a cancelled command gets. Its stdin closes when jobrun exits, however it exits, so this is
 * what stops shell commands when jobrun itself is killed (SIGKILL, the OOM killer). After a normal
 * exit no group is left and it ends at once. It ignores the terminal's signals: jobrun decides.
 */
const REAPER_SCRIPT = `
trap '' INT TERM HUP QUIT
groups=' '
while read -r op pgid; do
  case $op in
    +) groups="$groups$pgid " ;;
    -) case $groups in *" $pgid "*) groups="\${groups%% $pgid *} \${groups#* $pgid }" ;; esac ;;
  esac
done
[ "$groups" = ' ' ] && exit 0
for g in $groups; do kill -s TERM -- "-$g" 2>/dev/null; done
sleep 2
for g in $groups; do kill -s KILL -- "-$g" 2>/dev/null; done
`;

let reaper: ChildProcess | null = null;
let isBroken = false;

function send(line: string): void {
  if (isBroken) return;
  if (reaper === null) {
    // Its own process group, so a Ctrl-C in the terminal does not reach it.
    reaper = spawn('/bin/sh', ['-c', REAPER_SCRIPT], {
      detached: true,
      stdio: ['pipe', 'ignore', 'ignore'],
    });
    reaper.on('error', () => (isBroken = true));
    reaper.stdin?.on('error', () => (isBroken = true));
    // It must never keep jobrun alive: it ends by itself when jobrun's end closes its stdin.
    reaper.unref();
    (reaper.stdin as unknown as { unref?: () => void } | null)?.unref?.();
  }
  // A short write to a pipe with room is done at once, not queued for a later turn.
  reaper.stdin?.write(line);
}

/**
 * Tells a process-wide reaper about every shell command's process group, so that no command
 * outlives jobrun even when jobrun is killed outright. Started with the first command.
 */
export const groupReaper: ProcessTracker = {
  add: (pgid) => send(`+ ${pgid}\n`),
  delete: (pgid) => send(`- ${pgid}\n`),
};
