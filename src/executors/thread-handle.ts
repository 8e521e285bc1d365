import { Worker } from 'node:worker_threads';
import type { WorkerMessage } from './protocol.ts';
import { forwardOutput, type WorkerEvents, type WorkerHandle } from './worker-handle.ts';

// A worker thread cannot start from a `.ts` entry on Node 20. Next to this module: the compiled
// entry once built, or from source a `.js` bootstrap that registers tsx and runs thread-entry.ts.
const THREAD_ENTRY = new URL('./thread-entry.js', import.meta.url);

/** Starts one pool worker thread. */
export function startThreadWorker(events: WorkerEvents): WorkerHandle {
  const worker = new Worker(THREAD_ENTRY, {
    stdout: true,
    stderr: true,
    // Loader flags such as `--import tsx` do not work in threads on Node 20; tsx is registered
    // inside the thread when a TypeScript module needs it.
    execArgv: [],
  });
  forwardOutput(worker.stdout);
  forwardOutput(worker.stderr);

  let crash: Error | undefined;
  worker.on('message', (message: WorkerMessage) => events.onMessage(message));
  worker.on('error', (error) => (crash = error));
  worker.on('exit', (code) => {
    events.onExit(crash === undefined ? `exited with code ${code}` : `crashed: ${crash.message}`);
  });

  return {
    id: `thread-${worker.threadId}`,
    send: (message) => worker.postMessage(message),
    kill: () => void worker.terminate(),
    close: () => void worker.terminate(),
  };
}
