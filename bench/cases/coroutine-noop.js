// No-op items on the coroutine executor against p-queue fed with a bounded queue.

import { runTimedScript } from '../lib/process.js';
import { runJobrun, writeNoopJob } from '../lib/jobrun.js';
import { check, inRounds, perSecond } from '../lib/rounds.js';

export const title = 'no-op items, coroutine';

export async function run({ quick, rounds, dir }) {
  const items = quick ? 20_000 : 200_000;
  const concurrency = 64; // jobrun's default maxWorkers for coroutines
  const job = writeNoopJob(
    dir,
    'noop-coroutine',
    `{ kind: coroutine, maxWorkers: ${concurrency} }`,
    items,
  );
  const rate = perSecond(items);
  const samples = await inRounds(rounds, {
    jobrun: async () => rate((await runJobrun(job, dir)).ms),
    'p-queue': async () =>
      rate(
        await runTimedScript(new URL('../peers/p-queue-noop.js', import.meta.url).pathname, [
          items,
          concurrency,
        ]),
      ),
  });
  return {
    description: `${items.toLocaleString('en')} items, ${concurrency} in flight`,
    rows: [
      { label: 'jobrun coroutine', unit: 'items/s', values: samples.jobrun },
      { label: 'p-queue (bounded feed)', unit: 'items/s', values: samples['p-queue'] },
    ],
    checks: [check('jobrun / p-queue', samples.jobrun, samples['p-queue'], '>=', 0.5)],
  };
}
