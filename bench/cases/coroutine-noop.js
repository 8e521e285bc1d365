// No-op items on the coroutine executor against p-queue fed with a bounded queue, and Python's
// asyncio with a Semaphore (when python3 is installed).

import { fileURLToPath } from 'node:url';
import { hasCommand, runProcess, runTimedScript } from '../lib/process.js';
import { runJobrun, writeNoopJob } from '../lib/jobrun.js';
import { check, inRounds, perSecond } from '../lib/rounds.js';

export const title = 'no-op items, coroutine';

const ASYNCIO = fileURLToPath(new URL('../peers/asyncio-noop.py', import.meta.url));

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
  const contenders = {
    jobrun: async () => rate((await runJobrun(job, dir)).ms),
    'p-queue': async () =>
      rate(
        await runTimedScript(new URL('../peers/p-queue-noop.js', import.meta.url).pathname, [
          items,
          concurrency,
        ]),
      ),
  };
  const notes = [];
  if (hasCommand('python3')) {
    contenders.asyncio = async () => {
      const { stdout } = await runProcess('python3', [ASYNCIO, String(items), String(concurrency)]);
      return rate(JSON.parse(stdout.trim().split('\n').at(-1)).ms);
    };
  } else notes.push('python3 is not installed here: the asyncio row is skipped.');
  const samples = await inRounds(rounds, contenders);
  const rows = [
    { label: 'jobrun coroutine', unit: 'items/s', values: samples.jobrun },
    { label: 'p-queue (bounded feed)', unit: 'items/s', values: samples['p-queue'] },
  ];
  const checks = [check('jobrun / p-queue', samples.jobrun, samples['p-queue'], '>=', 0.25)];
  if (samples.asyncio) {
    rows.push({ label: 'Python asyncio + Semaphore', unit: 'items/s', values: samples.asyncio });
    checks.push(check('jobrun / asyncio', samples.jobrun, samples.asyncio, '>=', 2));
  }
  return {
    description: `${items.toLocaleString('en')} items, ${concurrency} in flight`,
    rows,
    checks,
    notes,
  };
}
