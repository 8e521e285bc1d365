// Resume: a no-op coroutine map over a range runs once to make its results file, then
// `--resume` reuses every item. Measured: cached items per second (the run's own duration, the
// previous file's indexing included) and the resumed run's peak RSS.

import { runJobrun, writeNoopJob } from '../lib/jobrun.js';
import { bound, inRounds, perSecond } from '../lib/rounds.js';

export const title = 'resume: every item cached';

export async function run({ quick, rounds, dir }) {
  const items = quick ? 100_000 : 1_000_000;
  const job = writeNoopJob(dir, 'resume', '{ kind: coroutine }', items);
  await runJobrun(job, dir);
  const rate = perSecond(items);
  const rateSamples = [];
  const samples = await inRounds(quick ? 1 : Math.min(rounds, 3), {
    resume: async () => {
      const { ms, peakRssKb, summary } = await runJobrun(job, dir, {
        rss: true,
        args: ['--resume'],
      });
      const cached = summary.tasks.noop.cached;
      if (cached !== items) throw new Error(`--resume reused ${cached} of ${items} items`);
      rateSamples.push(rate(ms));
      return peakRssKb / 1024;
    },
  });
  return {
    description: `{ range: ${items.toLocaleString('en')} } run once, then --resume`,
    rows: [
      { label: 'jobrun --resume, cached items', unit: 'items/s', values: rateSamples },
      { label: 'jobrun --resume, peak RSS', unit: 'MB', values: samples.resume },
    ],
    checks: [
      bound('cached items/s', rateSamples, '>=', 200_000, 'items/s'),
      bound('peak RSS', samples.resume, '<=', 150, 'MB'),
    ],
  };
}
