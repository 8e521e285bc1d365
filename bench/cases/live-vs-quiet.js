// The live listing against `--output quiet` on the same run, in a pseudo-terminal: runs
// bench/live-vs-quiet.js (its own runs alternate the two modes) and reads its figures.

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

export async function run({ quick, rounds }) {
  const items = quick ? 10_000 : 100_000;
  if (!hasCommand('script')) {
    return {
      description: `${items.toLocaleString('en')} no-op items`,
      rows: [],
      checks: [],
      notes: [
        '`script` (util-linux) is not installed: no pseudo-terminal, the live row is skipped.',
      ],
    };
  }
  const { stdout } = await runProcess(process.execPath, [
    SCRIPT,
    String(quick ? 1 : rounds),
    String(items),
  ]);
  const live = times(stdout, 'live');
  const quiet = times(stdout, 'quiet');
  return {
    description: `${items.toLocaleString('en')} no-op items on coroutine, whole process, in a pseudo-terminal`,
    rows: [
      { label: 'jobrun --output live', unit: 'ms', values: live },
      { label: 'jobrun --output quiet', unit: 'ms', values: quiet },
    ],
    checks: [check('live / quiet', live, quiet, '<=', 1.1)],
  };
}
