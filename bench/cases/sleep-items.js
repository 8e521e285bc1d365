// 1 ms items: `await sleep(1)` per item at 64 in flight on coroutines, against a hand-written
// bounded loop of the same sleeps. Every item waits on a timer, so the run is bound by the clock
// (ideal ≈ items / 64 ms); what jobrun adds per item shows up once 64 items' worth of its work
// no longer fits in the millisecond. Two reference rows take the loop through what jobrun does
// per item by design: a p-queue gate, and an AsyncLocalStorage scope (crash attribution).

import { runTimedScript } from '../lib/process.js';
import { runJobrun, writeJob, FIXTURES } from '../lib/jobrun.js';
import { check, inRounds } from '../lib/rounds.js';

export const title = '1 ms items, coroutine';

export async function run({ quick, rounds, dir }) {
  const items = quick ? 5_000 : 20_000;
  const concurrency = 64;
  const job = writeJob(dir, 'sleep-items', [
    `executor: { kind: coroutine, maxWorkers: ${concurrency} }`,
    'tasks:',
    '  nap:',
    `    map: { range: ${items} }`,
    '    with: 1',
    `    function: ${FIXTURES}sleep.js`,
  ]);
  const peer = (name) => new URL(`../peers/${name}.js`, import.meta.url).pathname;
  const samples = await inRounds(rounds, {
    jobrun: async () => (await runJobrun(job, dir)).ms,
    loop: async () => runTimedScript(peer('bounded-sleep'), [items, concurrency, 1]),
    pQueue: async () => runTimedScript(peer('p-queue-sleep'), [items, concurrency, 1]),
    pQueueAls: async () => runTimedScript(peer('p-queue-sleep'), [items, concurrency, 1, 'als']),
  });
  return {
    description: `${items.toLocaleString('en')} items of await sleep(1), ${concurrency} in flight (ideal ${Math.round(items / concurrency)} ms)`,
    rows: [
      { label: 'jobrun coroutine', unit: 'ms', values: samples.jobrun },
      { label: 'hand-written bounded loop', unit: 'ms', values: samples.loop },
      { label: 'p-queue bounded feed (reference)', unit: 'ms', values: samples.pQueue },
      {
        label: 'p-queue + an AsyncLocalStorage scope per item (reference)',
        unit: 'ms',
        values: samples.pQueueAls,
      },
    ],
    checks: [
      check('jobrun / loop', samples.jobrun, samples.loop, '<=', 1.03),
      check('p-queue / loop (reference)', samples.pQueue, samples.loop, '<=', 1.03),
      check('p-queue + scope / loop (reference)', samples.pQueueAls, samples.loop, '<=', 1.03),
    ],
  };
}
