import { parentPort, threadId } from 'node:worker_threads';
import { startHostLoop } from './host-loop.ts';
import type { HostMessage } from './protocol.ts';

// A thread worker of the pool. An uncaught error or `process.exit()` ends only this thread; the
// pool sees it as the worker's `error`/`exit` events.
const port = parentPort;
if (port === null) throw new Error('jobrun: thread-entry must run in a worker thread');

startHostLoop({
  workerId: `thread-${threadId}`,
  send: (message) => port.postMessage(message),
  onMessage: (listener) => port.on('message', (message: HostMessage) => listener(message)),
});
