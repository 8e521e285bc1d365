import { startHostLoop } from './host-loop.ts';
import type { HostMessage, WorkerMessage } from './protocol.ts';
import { serializeError } from './serialize-error.ts';

// A child process worker of the pool. It leaves when its IPC channel closes (jobrun finished, or
// died), so no worker outlives jobrun; on SIGTERM (a timeout) it first stops its shell commands.

const send = (message: WorkerMessage, callback?: () => void): void => {
  if (process.connected) process.send?.(message, undefined, undefined, callback);
  else callback?.();
};

const loop = startHostLoop({
  workerId: `process-${process.pid}`,
  send: (message) => send(message),
  onMessage: (listener) => process.on('message', (message) => listener(message as HostMessage)),
});

let isLeaving = false;
function leave(code: number): void {
  if (isLeaving) return;
  isLeaving = true;
  void loop.stop().then(() => process.exit(code));
}

process.on('disconnect', () => leave(0));
process.on('SIGTERM', () => leave(143));

function crash(error: unknown): void {
  // Report the error itself, not only an exit code, then die as Node would have.
  send({ type: 'crash', error: serializeError(error, 'WORKER_CRASHED') }, () => process.exit(70));
}
process.on('uncaughtException', crash);
process.on('unhandledRejection', crash);
