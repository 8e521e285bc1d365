// Peer of the thread rows: Piscina with a fixed number of threads.
//   node bench/peers/piscina.js noop|fib ITEMS THREADS [N]  → {"ms": …}
import { performance } from 'node:perf_hooks';
import { Piscina } from 'piscina';

const [task, itemsArg, threadsArg, nArg] = process.argv.slice(2);
const items = Number(itemsArg);
const threads = Number(threadsArg);
const started = performance.now();
const pool = new Piscina({
  filename: new URL(`../fixtures/${task}.js`, import.meta.url).href,
  minThreads: threads,
  maxThreads: threads,
});
const runs = [];
for (let i = 0; i < items; i++) runs.push(pool.run(task === 'fib' ? Number(nArg) : i));
await Promise.all(runs);
await pool.destroy();
console.log(JSON.stringify({ ms: performance.now() - started }));
