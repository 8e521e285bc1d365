import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { loadJob, validateJob } from '../../src/job/load.ts';
import { runJob } from '../../src/run/run-job.ts';
import { resolveExecutor } from '../../src/plan/resolve-executor.ts';
import { runCli, startCli } from '../helpers/cli.ts';
import { tempDir, writeJobFile } from '../helpers/files.ts';
import { closedPorts } from '../helpers/local-site.ts';
import { startWorker, stopWorkers, type StartedWorker } from '../helpers/queue-workers.ts';
import { missingRedis, startRedis, type LocalRedis } from '../helpers/redis.ts';
import { byIndex, errorOf, readRecords } from '../helpers/results.ts';
import { redisKeys, runIdOf, writeQueueJob } from './support.ts';

// Setting a queue up: where paths and modules come from on a worker, waiting for workers, and
// the connection problems found before anything runs.

const skip = missingRedis();

describe('a queue without connection', () => {
  test('is a validation problem at its executor, unless the command line gives one', async () => {
    const dir = tempDir('queue-validate');
    const job = writeJobFile(
      dir,
      'noconn',
      'executor: { kind: queue }\ntasks:\n  a:\n    run: echo a\n  b:\n    executor:\n      kind: queue\n    run: echo b\n',
    );
    const problems = await validateJob(job);
    assert.deepEqual(
      problems.map((problem) => [problem.line, problem.col, problem.path]),
      [
        [2, 1, 'executor'],
        [7, 5, 'tasks.b.executor'],
      ],
    );
    assert.match(problems[0]?.message ?? '', /needs `connection: redis:\/\/HOST:PORT`/);
    assert.deepEqual(await validateJob(job, { connection: 'redis://127.0.0.1:1' }), []);
    const bare = await runCli(['validate', job], { env: { JOBRUN_REDIS_URL: '' } });
    assert.equal(bare.code, 2);
    const byEnv = await runCli(['validate', job], {
      env: { JOBRUN_REDIS_URL: 'redis://127.0.0.1:1' },
    });
    assert.equal(byEnv.code, 0, byEnv.stderr);
  });

  test('the command line, then the task, then the job name the connection', () => {
    const job = { kind: 'queue', maxWorkers: 64, connection: 'redis://job:1' } as const;
    assert.deepEqual(resolveExecutor(job, undefined), job);
    assert.equal(
      resolveExecutor(job, { connection: 'redis://task:1' }).connection,
      'redis://task:1',
    );
    assert.equal(
      resolveExecutor(job, { connection: 'redis://task:1' }, { connection: 'redis://cli:1' })
        .connection,
      'redis://cli:1',
    );
    // Only a queue has a connection: a task on another kind drops it.
    assert.deepEqual(resolveExecutor(job, { kind: 'thread', maxWorkers: 2 }), {
      kind: 'thread',
      maxWorkers: 2,
    });
    const local = { kind: 'process', maxWorkers: 2 } as const;
    assert.equal(
      resolveExecutor(local, { kind: 'queue' }, { connection: 'redis://cli:1' }).connection,
      'redis://cli:1',
    );
  });

  test('a connection that is not a redis:// URL is a validation problem', async () => {
    const dir = tempDir('queue-validate');
    const job = writeJobFile(
      dir,
      'badurl',
      'executor: { kind: queue, connection: "http://cache:6379" }\ntasks:\n  a:\n    run: echo a\n',
    );
    const [problem] = await validateJob(job);
    assert.equal(problem?.path, 'executor.connection');
  });
});

describe('queue setup', { skip, timeout: 120_000 }, () => {
  let redis: LocalRedis;
  const started: StartedWorker[] = [];
  const dir = tempDir('queue-setup');

  before(async () => {
    redis = await startRedis();
  });
  after(async () => {
    await stopWorkers(started);
    await redis.stop();
  });

  test('with no worker, the run says it waits for workers, and proceeds when one joins', async () => {
    const job = writeQueueJob(
      dir,
      'waits',
      `executor: { kind: queue, connection: "${redis.url}" }\ntasks:\n  double:\n    map: [1, 2, 3]\n    function: ./tasks.js#echo\n`,
    );
    const results = join(dir, 'waits.jsonl');
    const cli = startCli([job, '--results', results, '--output', 'plain']);
    await cli.waitFor(/double {2}waiting: workers on redis:\/\/127\.0\.0\.1:\d+/);
    started.push(await startWorker(redis.url));
    assert.equal(await cli.exited, 0, cli.output());
    const records = readRecords(results);
    assert.deepEqual(
      byIndex(records, 'double').map((record) => record.result),
      [1, 2, 3],
    );
    // Nothing of the run is left in Redis: its queue, jobs, events and registry entry are gone.
    const runId = runIdOf(records);
    const left = redisKeys(redis).filter((key) => key.includes(runId));
    assert.deepEqual(left, []);
  });

  test('a worker with --root runs modules and commands from its own copy of the job folder', async () => {
    const home = join(dir, 'home');
    const copy = join(dir, 'copy');
    mkdirSync(home);
    mkdirSync(copy);
    writeFileSync(join(home, 'other.js'), 'export default () => "home";\n');
    writeFileSync(join(copy, 'other.js'), 'export default () => "a different copy";\n');
    writeFileSync(join(home, 'only-home.js'), 'export default () => "home";\n');
    const job = writeQueueJob(
      home,
      'roots',
      `executor: { kind: queue, connection: "${redis.url}" }\ntasks:\n  same:\n    function: ./tasks.js#echo\n    with: same\n  where:\n    run: pwd\n  differs:\n    function: ./other.js\n    continueOnError: true\n  missing:\n    function: ./only-home.js\n    continueOnError: true\n`,
    );
    copyFileSync(join(home, 'tasks.js'), join(copy, 'tasks.js'));
    await stopWorkers(started.splice(0));
    started.push(await startWorker(redis.url, { root: copy }));
    const results = join(dir, 'roots.jsonl');
    const run = await runCli([job, '--results', results, '--output', 'plain']);
    assert.equal(run.code, 0, run.stderr);
    const records = readRecords(results);
    const [same] = byIndex(records, 'same');
    const [where] = byIndex(records, 'where');
    const [differs] = byIndex(records, 'differs');
    const [missing] = byIndex(records, 'missing');
    assert.equal(same?.result, 'same');
    assert.equal((where?.result as { stdout: string }).stdout, `${copy}\n`);
    assert.equal(errorOf(differs).code, 'MODULE_MISMATCH');
    assert.match(errorOf(differs).message ?? '', /\.\/other\.js.*differs on this worker/);
    assert.equal(errorOf(missing).code, 'MODULE_MISMATCH');
    assert.match(errorOf(missing).message ?? '', /is missing on this worker/);
    assert.equal(differs?.attempts, 1, 'MODULE_MISMATCH is not retried by default');
  });

  test('a Redis that may evict keys is refused before anything runs, by runs and workers', async () => {
    const evicting = await startRedis({ maxmemoryPolicy: 'allkeys-lru' });
    try {
      const job = writeQueueJob(
        dir,
        'evicts',
        `executor: { kind: queue, connection: "${evicting.url}" }\ntasks:\n  a:\n    function: ./tasks.js#echo\n`,
      );
      const results = join(dir, 'evicts.jsonl');
      const run = await runCli([job, '--results', results, '--output', 'plain']);
      assert.equal(run.code, 2, run.stderr);
      assert.match(
        run.stderr,
        /^jobrun: redis:\/\/127\.0\.0\.1:\d+ has maxmemory-policy allkeys-lru: a queue needs noeviction/,
      );
      assert.equal(run.stderr.trim().split('\n').length, 1, run.stderr);
      assert.equal(existsSync(results), false, 'nothing ran');
      const worker = await runCli(['worker', '--connection', evicting.url], { timeoutMs: 20_000 });
      assert.equal(worker.code, 2);
      assert.match(worker.stderr, /has maxmemory-policy allkeys-lru/);
    } finally {
      await evicting.stop();
    }
  });

  test('an unreachable Redis or a malformed URL is one line, exit 2, also with --dry-run', async () => {
    const [port] = await closedPorts(1);
    const job = writeQueueJob(
      dir,
      'unreachable',
      `executor: { kind: queue, connection: "redis://127.0.0.1:${port}" }\ntasks:\n  a:\n    function: ./tasks.js#echo\n`,
    );
    const results = join(dir, 'unreachable.jsonl');
    for (const extra of [[], ['--dry-run']]) {
      const run = await runCli([job, '--results', results, ...extra], { timeoutMs: 20_000 });
      assert.equal(run.code, 2, run.stderr);
      assert.match(
        run.stderr,
        /^jobrun: cannot connect to redis:\/\/127\.0\.0\.1:\d+: .*ECONNREFUSED/,
      );
      assert.equal(run.stderr.trim().split('\n').length, 1, run.stderr);
    }
    assert.equal(existsSync(results), false, 'nothing of the run was written');
    // Through the library too: found before the results file is touched.
    await assert.rejects(
      runJob(await loadJob(job), { resultsPath: results }),
      (error: Error & { code?: string }) => error.code === 'QUEUE_CONNECTION',
    );
    assert.equal(existsSync(results), false);
    const malformed = await runCli([
      job,
      '--connection',
      'http://cache:6379',
      '--results',
      results,
    ]);
    assert.equal(malformed.code, 2);
    assert.match(malformed.stderr, /Expected `connection` to be a URL like redis:\/\/HOST:PORT/);
    // The command line's connection wins over the job file's.
    started.push(await startWorker(redis.url));
    const overridden = await runCli([job, '--connection', redis.url, '--results', results]);
    assert.equal(overridden.code, 0, overridden.stderr);
    const byEnv = await runCli([job, '--results', results], {
      env: { JOBRUN_REDIS_URL: redis.url },
    });
    assert.equal(byEnv.code, 0, byEnv.stderr);
    const local = writeQueueJob(dir, 'local', 'tasks:\n  a:\n    function: ./tasks.js#echo\n');
    const bare = await runCli([local, '--executor', 'queue', '--results', results], {
      env: { JOBRUN_REDIS_URL: '' },
    });
    assert.equal(bare.code, 2);
    assert.match(
      bare.stderr,
      /task a runs on a queue executor without a connection: give --connection/,
    );
  });

  test('a Redis password is never written: the run record shows it as ***', async () => {
    const secured = await startRedis({ password: 'hunter2-secret' });
    try {
      const worker = await startWorker(secured.url);
      started.push(worker);
      assert.doesNotMatch(worker.output(), /hunter2-secret/);
      const job = writeQueueJob(
        dir,
        'password',
        `executor: { kind: queue, connection: "${secured.url}" }\ntasks:\n  a:\n    map: [1]\n    function: ./tasks.js#echo\n`,
      );
      const results = join(dir, 'password.jsonl');
      const run = await runCli([job, '--results', results, '--output', 'plain']);
      assert.equal(run.code, 0, run.stderr);
      assert.doesNotMatch(run.stdout + run.stderr, /hunter2-secret/);
      const text = readFileSync(results, 'utf8');
      assert.doesNotMatch(text, /hunter2-secret/);
      const [first] = readRecords(results) as unknown as [{ executor: { connection: string } }];
      assert.equal(first.executor.connection, `redis://:***@127.0.0.1:${secured.port}`);
    } finally {
      await stopWorkers(started.splice(0));
      await secured.stop();
    }
  });

  test("a run command on a worker gets the job's env:, under the task's own", async () => {
    started.push(await startWorker(redis.url));
    const job = writeQueueJob(
      dir,
      'env',
      [
        `executor: { kind: queue, connection: "${redis.url}" }`,
        'env: { GREETING: "hello from the job", WHO: job }',
        'tasks:',
        '  say:',
        '    env: { WHO: task }',
        '    run: echo "$GREETING, $WHO"',
        '',
      ].join('\n'),
    );
    const results = join(dir, 'env.jsonl');
    const run = await runCli([job, '--results', results]);
    assert.equal(run.code, 0, run.stderr);
    const [say] = byIndex(readRecords(results), 'say');
    assert.equal((say?.result as { stdout: string }).stdout, 'hello from the job, task\n');
  });
});
