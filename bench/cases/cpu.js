// CPU-bound items: fib(30) × 600 on 2 workers, as a speedup over the same calls run serially.
// The serial work is over 3 s, so that starting the pool is a small part of the time, as in a
// job worth running on processes or threads.

import { runTimedScript } from '../lib/process.js';
import { runJobrun, writeJob, FIXTURES } from '../lib/jobrun.js';
import { check, inRounds } from '../lib/rounds.js';

export const title = 'CPU: fib(30), 2 workers';

export async function run({ quick, rounds, dir }) {
  const calls = quick ? 40 : 600;
  const n = 30;
  const jobFor = (kind) =>
    writeJob(dir, `fib-${kind}`, [
      `executor: { kind: ${kind}, maxWorkers: 2 }`,
      'tasks:',
      '  fib:',
      `    map: { range: ${calls} }`,
      `    with: ${n}`,
      `    function: ${FIXTURES}fib.js`,
    ]);
  const threadJob = jobFor('thread');
  const processJob = jobFor('process');
  const peer = (name) => new URL(`../peers/${name}.js`, import.meta.url).pathname;
  const samples = await inRounds(rounds, {
    serial: async () => runTimedScript(peer('serial-fib'), [calls, n]),
    thread: async () => (await runJobrun(threadJob, dir)).ms,
    process: async () => (await runJobrun(processJob, dir)).ms,
    piscina: async () => runTimedScript(peer('piscina'), ['fib', calls, 2, n]),
    workerpool: async () => runTimedScript(peer('workerpool'), ['fib', calls, 2, 'process', n]),
  });
  return {
    description: `${calls} calls; speedup = serial time / time on 2 workers, pool start-up included`,
    rows: [
      { label: 'serial, one thread', unit: 'ms', values: samples.serial },
      { label: 'jobrun thread', unit: 'ms', values: samples.thread },
      { label: 'jobrun process', unit: 'ms', values: samples.process },
      { label: 'Piscina, 2 threads', unit: 'ms', values: samples.piscina },
      { label: 'workerpool, 2 processes', unit: 'ms', values: samples.workerpool },
    ],
    checks: [
      check('speedup, jobrun thread', samples.serial, samples.thread, '>=', 1.85),
      check('speedup, jobrun process', samples.serial, samples.process, '>=', 1.85),
      check('speedup, Piscina (reference)', samples.serial, samples.piscina, '>=', 1.85),
      check('speedup, workerpool (reference)', samples.serial, samples.workerpool, '>=', 1.85),
    ],
  };
}
