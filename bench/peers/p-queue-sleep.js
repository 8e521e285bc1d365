// Reference rows of the 1 ms items case: the same sleeps through a p-queue fed while fewer than
// one waits (what jobrun's gate does per item), and with each item also run in an
// AsyncLocalStorage scope (what jobrun's crash attribution does per function call).
//   node bench/peers/p-queue-sleep.js ITEMS CONCURRENCY MS [als]  → {"ms": …}
import { AsyncLocalStorage } from 'node:async_hooks';
import { performance } from 'node:perf_hooks';
import PQueue from 'p-queue';
import sleep from '../fixtures/sleep.js';

const items = Number(process.argv[2]);
const concurrency = Number(process.argv[3]);
const ms = Number(process.argv[4]);
const storage = process.argv[5] === 'als' ? new AsyncLocalStorage() : null;
const started = performance.now();
const queue = new PQueue({ concurrency });
let done = 0;
const run = async (i) => {
  await (storage === null ? sleep(ms) : storage.run(i, sleep, ms));
  done++;
};
for (let i = 0; i < items; i++) {
  if (queue.size > 0) await queue.onSizeLessThan(1);
  void queue.add(() => run(i));
}
await queue.onIdle();
if (done !== items) throw new Error(`ran ${done} of ${items}`);
console.log(JSON.stringify({ ms: performance.now() - started }));
