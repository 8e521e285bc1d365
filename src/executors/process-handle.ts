import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { WorkerMessage } from './protocol.ts';
import {
  forwardOutput,
  WORKER_KILL_GRACE_MS,
  type WorkerEvents,
  type WorkerHandle,
} from './worker-handle.ts';

// Next to this module: the compiled entry once built, or from source a `.js` bootstrap that
// registers tsx and runs process-entry.ts.
const PROCESS_ENTRY = fileURLToPath(new URL('./process-entry.js', import.meta.url));

/**
 * Forks one pool worker process. It is detached (its own process group) so a terminal's Ctrl-C
 * reaches only jobrun, which decides whether to drain or cancel; it leaves by itself when the IPC
 * channel closes, so it never outlives jobrun.
 */
export function startProcessWorker(events: WorkerEvents): WorkerHandle {
  const child = fork(PROCESS_ENTRY, [], {
    detached: true,
    serialization: 'advanced',
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    // The test runner's own flags must not reach workers; memory flags and loaders may.
    execArgv: process.execArgv.filter((arg) => !arg.startsWith('--test')),
  });
  forwardOutput(child.stdout);
  forwardOutput(child.stderr);

  let killTimer: NodeJS.Timeout | undefined;
  let hasExited = false;
  child.on('message', (message) => events.onMessage(message as WorkerMessage));
  // Report the exit once the process is gone and its output pipes are read to their end, so a
  // crash report written just before dying is never lost. Not `close`: on Node 20 it never fires
  // after the parent itself disconnected the IPC channel, which is how a pool closes a worker.
  let openPipes = 2;
  let exitReason: string | null = null;
  const reportExit = (): void => {
    if (exitReason === null || openPipes > 0 || hasExited) return;
    hasExited = true;
    clearTimeout(killTimer);
    events.onExit(exitReason);
  };
  for (const pipe of [child.stdout, child.stderr]) {
    if (pipe === null) {
      openPipes--;
      continue;
    }
    pipe.on('close', () => {
      openPipes--;
      reportExit();
    });
  }
  child.on('exit', (code, signal) => {
    exitReason = code === null ? `was killed by ${signal}` : `exited with code ${code}`;
    // IPC messages already received are delivered before this turn ends.
    setImmediate(reportExit);
  });
  child.on('error', () => {
    // A failed spawn or a failed send; `close` follows and reports it.
  });

  const kill = (): void => {
    if (hasExited || killTimer !== undefined) return;
    child.kill('SIGTERM');
    killTimer = setTimeout(() => child.kill('SIGKILL'), WORKER_KILL_GRACE_MS);
  };

  return {
    id: `process-${child.pid}`,
    send: (message) => child.send(message),
    kill,
    close() {
      if (hasExited) return;
      if (child.connected) child.disconnect();
      setTimeout(kill, WORKER_KILL_GRACE_MS).unref();
    },
  };
}
