// Peer of the 1 ms items row: the loop a user would write by hand, CONCURRENCY async workers
// taking the next item until none is left, each awaiting the same sleep as jobrun's items.
//   node bench/peers/bounded-sleep.js ITEMS CONCURRENCY MS  → {"ms": …}
import { performance } from 'node:perf_hooks';
import sleep from '../fixtures/sleep.js';

const items = Number(process.argv[2]);
const concurrency = Number(process.argv[3]);
const ms = Number(process.argv[4]);
const started = performance.now();
let next = 0;
let done = 0;
async function worker() {
  while (next < items) {
    next++;
    await sleep(ms);
    done++;
  }
}
await Promise.all(Array.from({ length: concurrency }, worker));
if (done !== items) throw new Error(`ran ${done} of ${items}`);
console.log(JSON.stringify({ ms: performance.now() - started }));
