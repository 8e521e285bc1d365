// The live listing against `--output quiet` on the same run, in a pseudo-terminal: runs
// bench/live-vs-quiet.js (its own runs alternate the two modes) and reads its figures. The main
// job is 20,000 items of `await sleep(1)` at 64 in flight, where the listing hears of every item;
// a map of no-op items, which the listing only counts, is a second row.

import { fileURLToPath } from 'node:url';
import { hasCommand, runProcess } from '../lib/process.js';
import { check } from '../lib/rounds.js';

export const title = 'live listing vs --output quiet';

const SCRIPT = fileURLToPath(new URL('../live-vs-quiet.js', import.meta.url));

function times(stdout, mode) {
  const match = new RegExp(`^${mode}:\\s+median \\d+ ms\\s+\\(([\\d, ]+)\\)`, 'm').exec(stdout);
  if (!match) throw new Error(`cannot read the ${mode} times from live-vs-quiet.js:\n${stdout}`);
  return match[1].split(',').map(Number);
}

async function measure(job, runs, items) {
  const { stdout } = await runProcess(process.execPath, [SCRIPT, String(runs), job, String(items)]);
  return { live: times(stdout, 'live'), quiet: times(stdout, 'quiet') };
}

export async function run({ quick, rounds }) {
  const sleepItems = quick ? 5_000 : 20_000;
  const noopItems = quick ? 10_000 : 100_000;
  const description = `${sleepItems.toLocaleString('en')} sleep(1) items at 64 in flight, ${noopItems.toLocaleString('en')} no-op items; in a pty`;
  if (!hasCommand('script')) {
    return {
      description,
      rows: [],
      checks: [],
      notes: [
        '`script` (util-linux) is not installed: no pseudo-terminal, the live rows are skipped.',
      ],
    };
  }
  const runs = quick ? 1 : rounds;
  const sleep = await measure('sleep', runs, sleepItems);
  const noop = await measure('noop', runs, noopItems);
  return {
    description,
    rows: [
      { label: 'jobrun --output live, 1 ms items', unit: 'ms', values: sleep.live },
      { label: 'jobrun --output quiet, 1 ms items', unit: 'ms', values: sleep.quiet },
      { label: 'jobrun --output live, no-op items', unit: 'ms', values: noop.live },
      { label: 'jobrun --output quiet, no-op items', unit: 'ms', values: noop.quiet },
    ],
    checks: [
      check('live / quiet, 1 ms items', sleep.live, sleep.quiet, '<=', 1.05),
      check('live / quiet, no-op items', noop.live, noop.quiet, '<=', 1.1),
    ],
  };
}
