// Start-up: the wall time of whole jobrun commands against `node -e 0`.

import { runProcess } from '../lib/process.js';
import { CLI, FIXTURES, writeJob } from '../lib/jobrun.js';
import { check, inRounds } from '../lib/rounds.js';

export const title = 'start-up';

export async function run({ quick, rounds, dir }) {
  const small = writeJob(dir, 'small', [
    'executor: { kind: coroutine }',
    'tasks:',
    '  square:',
    '    map: { range: 3 }',
    `    function: ${FIXTURES}noop.js`,
    '  report:',
    '    needs: [square]',
    '    run: echo done',
  ]);
  const oneTask = writeJob(dir, 'one-task', [
    'tasks:',
    '  only:',
    `    function: ${FIXTURES}noop.js`,
  ]);
  const wall = async (args) =>
    (await runProcess(process.execPath, args, { cwd: dir, env: { CI: '' } })).wallMs;
  const samples = await inRounds(quick ? 3 : Math.max(rounds * 2, 10), {
    node: () => wall(['-e', '0']),
    version: () => wall([CLI, '--version']),
    validate: () => wall([CLI, 'validate', small]),
    run: () =>
      wall([CLI, 'run', oneTask, '--output', 'quiet', '--results', `${dir}/one-task.jsonl`]),
  });
  return {
    description: 'whole process, wall time',
    rows: [
      { label: 'node -e 0', unit: 'ms', values: samples.node },
      { label: 'jobrun --version', unit: 'ms', values: samples.version },
      { label: 'jobrun validate small.yaml', unit: 'ms', values: samples.validate },
      { label: 'jobrun run one-task.yaml', unit: 'ms', values: samples.run },
    ],
    checks: [
      check('--version / node', samples.version, samples.node, '<=', 1.3),
      check('validate / node', samples.validate, samples.node, '<=', 2),
      check('run / node', samples.run, samples.node, '<=', 2.8),
    ],
  };
}
