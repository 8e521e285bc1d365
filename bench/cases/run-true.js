// `run: true` × 1,000, 2 at a time: what jobrun adds to starting a shell command, against Node's
// own spawn with piped output and GNU parallel (xargs and Python shown for reference when present).

import { hasCommand, runProcess, runTimedScript } from '../lib/process.js';
import { runJobrun, writeJob } from '../lib/jobrun.js';
import { check, inRounds } from '../lib/rounds.js';

export const title = '`run: true`, 2 at a time';

const PYTHON = `
import subprocess, sys, time
from concurrent.futures import ThreadPoolExecutor
n = int(sys.argv[1])
start = time.perf_counter()
with ThreadPoolExecutor(max_workers=2) as pool:
    list(pool.map(lambda i: subprocess.run(['/bin/sh', '-c', 'true'], capture_output=True, check=True), range(n)))
print('{"ms": %f}' % ((time.perf_counter() - start) * 1000))
`;

export async function run({ quick, rounds, dir }) {
  const commands = quick ? 100 : 1000;
  // The same job on the process executor: its small workers fork the shells, where the
  // coroutine executor forks them from jobrun's own, larger process (fork time grows with it).
  const jobOn = (kind) =>
    writeJob(dir, `run-true-${kind}`, [
      `executor: { kind: ${kind}, maxWorkers: 2 }`,
      'tasks:',
      '  shell:',
      `    map: { range: ${commands} }`,
      '    run: "true"',
    ]);
  const processJob = jobOn('process');
  const job = writeJob(dir, 'run-true', [
    'executor: { kind: coroutine, maxWorkers: 2 }',
    'tasks:',
    '  shell:',
    `    map: { range: ${commands} }`,
    '    run: "true"',
  ]);
  const perCommand = (ms) => ms / commands;
  const numbers = Array.from({ length: commands }, (_, i) => String(i));
  const notes = [];
  const contenders = {
    jobrun: async () => perCommand((await runJobrun(job, dir)).ms),
    jobrunProcess: async () => perCommand((await runJobrun(processJob, dir)).ms),
    spawn: async () =>
      perCommand(
        await runTimedScript(new URL('../peers/spawn-true.js', import.meta.url).pathname, [
          commands,
          2,
        ]),
      ),
  };
  if (hasCommand('parallel')) {
    contenders.parallel = async () =>
      perCommand(
        (await runProcess('parallel', ['--will-cite', '-j2', 'true', ':::', ...numbers])).wallMs,
      );
  } else notes.push('GNU parallel is not installed here: its row is skipped.');
  if (hasCommand('xargs')) {
    contenders.xargs = async () =>
      perCommand((await runProcess('sh', ['-c', `seq ${commands} | xargs -P 2 -n 1 true`])).wallMs);
  } else notes.push('xargs is not installed here: its row is skipped.');
  if (hasCommand('python3')) {
    contenders.python = async () => {
      const { stdout } = await runProcess('python3', ['-c', PYTHON, String(commands)]);
      return perCommand(JSON.parse(stdout.trim().split('\n').at(-1)).ms);
    };
  } else notes.push('python3 is not installed here: its row is skipped.');

  const samples = await inRounds(rounds, contenders);
  const rows = [
    { label: 'jobrun coroutine', unit: 'ms/command', values: samples.jobrun },
    { label: 'jobrun process', unit: 'ms/command', values: samples.jobrunProcess },
    { label: 'Node spawn, piped output', unit: 'ms/command', values: samples.spawn },
  ];
  if (samples.parallel)
    rows.push({ label: 'GNU parallel -j2', unit: 'ms/command', values: samples.parallel });
  if (samples.xargs)
    rows.push({ label: 'xargs -P 2 (reference)', unit: 'ms/command', values: samples.xargs });
  if (samples.python)
    rows.push({
      label: 'Python ThreadPoolExecutor(2) + subprocess (reference)',
      unit: 'ms/command',
      values: samples.python,
    });
  const checks = [
    check('jobrun coroutine / spawn', samples.jobrun, samples.spawn, '<=', 1.15),
    check('jobrun process / spawn', samples.jobrunProcess, samples.spawn, '<=', 1.15),
  ];
  if (samples.parallel) {
    checks.push(
      check('GNU parallel / jobrun coroutine', samples.parallel, samples.jobrun, '>=', 2),
      check('GNU parallel / jobrun process', samples.parallel, samples.jobrunProcess, '>=', 2),
    );
  }
  return { description: `${commands.toLocaleString('en')} commands`, rows, checks, notes };
}
