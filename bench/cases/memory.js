// Memory: a coroutine map over a million no-op items must run in bounded memory (peak RSS).

import { runProcess } from '../lib/process.js';
import { runJobrun, writeNoopJob } from '../lib/jobrun.js';
import { bound, inRounds } from '../lib/rounds.js';

export const title = 'memory: coroutine map over a range';

export async function run({ quick, rounds, dir }) {
  const items = quick ? 100_000 : 1_000_000;
  const job = writeNoopJob(dir, 'memory', '{ kind: coroutine }', items);
  const megabytes = (kb) => kb / 1024;
  const samples = await inRounds(quick ? 1 : Math.min(rounds, 3), {
    jobrun: async () => megabytes((await runJobrun(job, dir, { rss: true })).peakRssKb),
    node: async () =>
      megabytes((await runProcess(process.execPath, ['-e', '0'], { rss: true })).peakRssKb),
  });
  return {
    description: `{ range: ${items.toLocaleString('en')} }, peak RSS of the whole process`,
    rows: [
      { label: 'jobrun coroutine', unit: 'MB', values: samples.jobrun },
      { label: 'node -e 0', unit: 'MB', values: samples.node },
    ],
    checks: [bound('jobrun peak RSS', samples.jobrun, '<=', 150, 'MB')],
  };
}
