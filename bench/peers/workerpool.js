// Peer of the process rows: workerpool in process mode (or thread mode) with fixed workers.
//   node bench/peers/workerpool.js noop|fib ITEMS WORKERS process|thread [N]  → {"ms": …}
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import workerpool from 'workerpool';

const [task, itemsArg, workersArg, workerType, nArg] = process.argv.slice(2);
const items = Number(itemsArg);
const workers = Number(workersArg);
const started = performance.now();
const pool = workerpool.pool(
  fileURLToPath(new URL('../fixtures/workerpool-worker.cjs', import.meta.url)),
  { workerType, minWorkers: workers, maxWorkers: workers },
);
const runs = [];
for (let i = 0; i < items; i++) runs.push(pool.exec(task, [task === 'fib' ? Number(nArg) : i]));
await Promise.all(runs);
await pool.terminate();
console.log(JSON.stringify({ ms: performance.now() - started }));
