// The serial baseline of the CPU rows: the same Fibonacci calls one after another in one thread.
//   node bench/peers/serial-fib.js CALLS N  → {"ms": …}
import { performance } from 'node:perf_hooks';
import { fib } from '../fixtures/fib.js';

const calls = Number(process.argv[2]);
const n = Number(process.argv[3]);
const started = performance.now();
let sum = 0;
for (let i = 0; i < calls; i++) sum += fib(n);
if (sum <= 0) throw new Error('no work done');
console.log(JSON.stringify({ ms: performance.now() - started }));
