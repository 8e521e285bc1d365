// Peer of the coroutine row: p-queue running no-op functions, fed while fewer than 1,000 wait.
//   node bench/peers/p-queue-noop.js ITEMS CONCURRENCY  → {"ms": …}
import { performance } from 'node:perf_hooks';
import PQueue from 'p-queue';
import noop from '../fixtures/noop.js';

const items = Number(process.argv[2]);
const concurrency = Number(process.argv[3]);
const started = performance.now();
const queue = new PQueue({ concurrency });
let done = 0;
for (let i = 0; i < items; i++) {
  if (queue.size >= 1000) await queue.onSizeLessThan(1000);
  void queue.add(async () => {
    noop(i);
    done++;
  });
}
await queue.onIdle();
if (done !== items) throw new Error(`ran ${done} of ${items}`);
console.log(JSON.stringify({ ms: performance.now() - started }));
