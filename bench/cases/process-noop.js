// No-op items on a pool of 2 child processes against workerpool in process mode.

import { runTimedScript } from '../lib/process.js';
import { runJobrun, writeNoopJob } from '../lib/jobrun.js';
import { check, inRounds, perSecond } from '../lib/rounds.js';

export const title = 'no-op items, process, 2 workers';

export async function run({ quick, rounds, dir }) {
  const items = quick ? 2_000 : 20_000;
  const job = writeNoopJob(dir, 'noop-process', '{ kind: process, maxWorkers: 2 }', items);
  const rate = perSecond(items);
  const samples = await inRounds(rounds, {
    jobrun: async () => rate((await runJobrun(job, dir)).ms),
    workerpool: async () =>
      rate(
        await runTimedScript(new URL('../peers/workerpool.js', import.meta.url).pathname, [
          'noop',
          items,
          2,
          'process',
        ]),
      ),
  });
  return {
    description: `${items.toLocaleString('en')} items`,
    rows: [
      { label: 'jobrun process', unit: 'items/s', values: samples.jobrun },
      { label: 'workerpool, 2 processes', unit: 'items/s', values: samples.workerpool },
    ],
    checks: [check('jobrun / workerpool', samples.jobrun, samples.workerpool, '>=', 1.0)],
  };
}
