// No-op items on a pool of 2 worker threads against Piscina with 2 threads.

import { runTimedScript } from '../lib/process.js';
import { runJobrun, writeNoopJob } from '../lib/jobrun.js';
import { check, inRounds, perSecond } from '../lib/rounds.js';

export const title = 'no-op items, thread, 2 workers';

export async function run({ quick, rounds, dir }) {
  const items = quick ? 2_000 : 20_000;
  const job = writeNoopJob(dir, 'noop-thread', '{ kind: thread, maxWorkers: 2 }', items);
  const rate = perSecond(items);
  const samples = await inRounds(rounds, {
    jobrun: async () => rate((await runJobrun(job, dir)).ms),
    piscina: async () =>
      rate(
        await runTimedScript(new URL('../peers/piscina.js', import.meta.url).pathname, [
          'noop',
          items,
          2,
        ]),
      ),
  });
  return {
    description: `${items.toLocaleString('en')} items`,
    rows: [
      { label: 'jobrun thread', unit: 'items/s', values: samples.jobrun },
      { label: 'Piscina, 2 threads', unit: 'items/s', values: samples.piscina },
    ],
    checks: [check('jobrun / Piscina', samples.jobrun, samples.piscina, '>=', 1.0)],
  };
}
