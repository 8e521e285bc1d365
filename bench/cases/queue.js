// No-op and 1 ms items through the queue executor with 2 `jobrun worker` processes, against BullMQ
// used directly (a producer adding every job at once, and 2 worker processes of the same
// concurrency), all on one private redis-server on 127.0.0.1. Skipped, with the reason, when
// redis-server is not installed. Both sides are timed over the same span: jobrun's own duration
// (its summary: connecting and creating the run's queue, every item; not removing the queue), and
// the producer's from connecting to its last result. maxWorkers 256 keeps every worker slot
// (2 × 8) busy, so jobrun's bound leaves no worker idle between batches.

import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { CLI, FIXTURES, runJobrun, writeJob } from '../lib/jobrun.js';
import { hasCommand, runTimedScript } from '../lib/process.js';
import { check, inRounds, perSecond } from '../lib/rounds.js';

export const title = 'queue: no-op and 1 ms items, 2 workers';

/** Attempts at once per worker, in both contenders. */
const CONCURRENCY = 8;
const PEER = new URL('../peers/bullmq.js', import.meta.url).pathname;

async function freePort() {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address();
  server.close();
  return port;
}

async function startRedis(dir) {
  const port = await freePort();
  const child = spawn(
    'redis-server',
    [
      '--bind',
      '127.0.0.1',
      '--port',
      String(port),
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      dir,
    ],
    { stdio: 'ignore' },
  );
  for (let i = 0; i < 200; i++) {
    const ping = spawnSync('redis-cli', ['-p', String(port), 'ping'], { encoding: 'utf8' });
    if (ping.stdout?.trim() === 'PONG') return { url: `redis://127.0.0.1:${port}`, child };
    await sleep(50);
  }
  child.kill('SIGKILL');
  throw new Error('redis-server did not start');
}

/** Starts a process and resolves once it printed `marker`; `stop()` ends it. */
async function startUntil(args, marker) {
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (chunk) => (output += chunk));
  while (!output.includes(marker)) {
    if (child.exitCode !== null) throw new Error(`${args.join(' ')} exited: ${output}`);
    await sleep(20);
  }
  const exited = once(child, 'close');
  return {
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

export async function run({ quick, rounds, dir }) {
  if (!hasCommand('redis-server')) {
    return {
      description: 'skipped',
      rows: [],
      checks: [],
      notes: ['redis-server is not installed here (apt-get install -y redis-server): skipped.'],
    };
  }
  const items = quick ? 1_000 : 5_000;
  const redis = await startRedis(dir);
  let round = 0;
  try {
    const jobOf = (label, fixture) =>
      writeJob(dir, `queue-${label}`, [
        `executor: { kind: queue, maxWorkers: 256, connection: "${redis.url}" }`,
        'tasks:',
        '  items:',
        `    map: { range: ${items} }`,
        `    function: ${FIXTURES}${fixture}`,
        ...(fixture === 'sleep.js' ? ['    with: 1'] : []),
      ]);
    const jobrunOn = async (job) => {
      const workers = await Promise.all(
        [0, 1].map(() =>
          startUntil(
            [
              CLI,
              'worker',
              '--connection',
              redis.url,
              '--kind',
              'coroutine',
              '--concurrency',
              String(CONCURRENCY),
            ],
            'ready on',
          ),
        ),
      );
      try {
        return (await runJobrun(job, dir)).ms;
      } finally {
        await Promise.all(workers.map((worker) => worker.stop()));
      }
    };
    const rawOn = async (ms) => {
      const queue = `raw-${round++}`;
      const workers = await Promise.all(
        [0, 1].map(() => startUntil([PEER, 'worker', redis.url, queue, CONCURRENCY, ms], 'ready')),
      );
      try {
        return await runTimedScript(PEER, ['produce', redis.url, queue, items]);
      } finally {
        await Promise.all(workers.map((worker) => worker.stop()));
      }
    };
    const noopJob = jobOf('noop', 'noop.js');
    const sleepJob = jobOf('sleep', 'sleep.js');
    const rate = perSecond(items);
    const samples = await inRounds(rounds, {
      jobrunNoop: async () => rate(await jobrunOn(noopJob)),
      rawNoop: async () => rate(await rawOn(0)),
      jobrunSleep: async () => rate(await jobrunOn(sleepJob)),
      rawSleep: async () => rate(await rawOn(1)),
    });
    return {
      description: `${items.toLocaleString('en')} items, 2 workers × ${CONCURRENCY}, one redis-server`,
      rows: [
        { label: 'jobrun queue, no-op', unit: 'items/s', values: samples.jobrunNoop },
        { label: 'BullMQ Queue + 2 Workers, no-op', unit: 'items/s', values: samples.rawNoop },
        { label: 'jobrun queue, 1 ms', unit: 'items/s', values: samples.jobrunSleep },
        { label: 'BullMQ Queue + 2 Workers, 1 ms', unit: 'items/s', values: samples.rawSleep },
      ],
      checks: [
        check('jobrun / BullMQ, no-op', samples.jobrunNoop, samples.rawNoop, '>=', 0.8),
        check('jobrun / BullMQ, 1 ms', samples.jobrunSleep, samples.rawSleep, '>=', 0.8),
      ],
      notes: [
        'Workers run their attempts on --kind coroutine, in their own process, as BullMQ workers do.',
        'jobrun writes its results file; the BullMQ producer adds all jobs at once (addBulk), one item to a job.',
        'jobrun hands quick attempts over several to a job (docs/queue.md), once their run times are known.',
        'Both times run from connecting to the last result (a run joins its workers inside it; the BullMQ workers were attached before).',
      ],
    };
  } finally {
    redis.child.kill('SIGTERM');
    await once(redis.child, 'close');
  }
}
