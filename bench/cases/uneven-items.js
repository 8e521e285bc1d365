// Uneven items on 2 workers: 4 × 1.5 s and 4 × 10 ms. A fair pool never lets an item wait behind
// another while a worker is idle, so the run takes about two long items back to back (3.0 s),
// however the items were first handed out.

import { runJobrun, writeJob, FIXTURES } from '../lib/jobrun.js';
import { check, inRounds } from '../lib/rounds.js';

export const title = 'uneven items, 2 workers';

const LONG_MS = 1500;
const SHORT_MS = 10;
/** Two workers share four long items: two each, back to back; the short ones fit beside them. */
const OPTIMAL_MS = 2 * LONG_MS;

export async function run({ quick, rounds, dir }) {
  // The case is already small; `--quick` only runs fewer rounds.
  void quick;
  const items = [...Array(4).fill(LONG_MS), ...Array(4).fill(SHORT_MS)];
  const jobFor = (kind) =>
    writeJob(dir, `uneven-${kind}`, [
      `executor: { kind: ${kind}, maxWorkers: 2 }`,
      'tasks:',
      '  sleep:',
      `    map: [${items.join(', ')}]`,
      `    function: ${FIXTURES}sleep.js`,
    ]);
  const jobs = { thread: jobFor('thread'), process: jobFor('process') };
  const coroutineJob = jobFor('coroutine');
  const samples = await inRounds(rounds, {
    thread: async () => (await runJobrun(jobs.thread, dir)).ms,
    process: async () => (await runJobrun(jobs.process, dir)).ms,
    coroutine: async () => (await runJobrun(coroutineJob, dir)).ms,
  });
  return {
    description: `[${items.join(', ')}] ms of sleep; makespan against the optimal ${OPTIMAL_MS / 1000} s, pool start-up included`,
    rows: [
      { label: 'jobrun thread', unit: 'ms', values: samples.thread },
      { label: 'jobrun process', unit: 'ms', values: samples.process },
      { label: 'jobrun coroutine (a plain queue)', unit: 'ms', values: samples.coroutine },
    ],
    checks: [
      check('makespan / optimal, thread', samples.thread, [OPTIMAL_MS], '<=', 1.1),
      check('makespan / optimal, process', samples.process, [OPTIMAL_MS], '<=', 1.1),
      check(
        'makespan / optimal, coroutine (reference)',
        samples.coroutine,
        [OPTIMAL_MS],
        '<=',
        1.1,
      ),
    ],
  };
}
