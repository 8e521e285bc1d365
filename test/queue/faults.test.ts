import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startCli } from '../helpers/cli.ts';
import { tempDir } from '../helpers/files.ts';
import { eventually, isRunning, pidsIn } from '../helpers/processes.ts';
import { startWorker, stopWorkers, type StartedWorker } from '../helpers/queue-workers.ts';
import { missingRedis, startRedis, type LocalRedis } from '../helpers/redis.ts';
import { errorOf, itemRecords, readRecords } from '../helpers/results.ts';
import { redisKeys, runIdOf, writeQueueJob } from './support.ts';

// Faults of the queue executor, each through the real CLI, real workers and a private Redis.

const skip = missingRedis();

describe('queue faults', { skip, timeout: 120_000 }, () => {
  let redis: LocalRedis;
  const started: StartedWorker[] = [];
  const dir = tempDir('queue-faults');

  before(async () => {
    redis = await startRedis();
  });
  after(async () => {
    await stopWorkers(started);
    await redis.stop();
  });

  test('a worker killed mid-attempt fails it WORKER_CRASHED, and it never runs again', async () => {
    const worker = await startWorker(redis.url, { concurrency: 1, lockDurationMs: 1500 });
    started.push(worker);
    const marker = join(dir, 'crash.marker');
    const release = join(dir, 'crash.release');
    const job = writeQueueJob(
      dir,
      'crash',
      `executor: { kind: queue, connection: "${redis.url}" }\ntasks:\n  hold:\n    function: ./tasks.js#holdUntil\n    with: { marker: ${marker}, release: ${release} }\n`,
    );
    const results = join(dir, 'crash.jsonl');
    const cli = startCli([job, '--results', results, '--output', 'plain']);
    assert.ok(await eventually(() => existsSync(marker), 30_000), 'the attempt started');
    await worker.stop('SIGKILL');
    assert.equal(await cli.exited, 1, cli.output());
    writeFileSync(release, '');
    const [record] = itemRecords(readRecords(results));
    assert.equal(errorOf(record).code, 'WORKER_CRASHED', JSON.stringify(record));
    assert.match(String((record?.error as { message: string }).message), /stopped answering/);
    assert.equal(readFileSync(marker, 'utf8'), '1\n', 'one start, never a second');
  });

  test('a timeout stops the remote command and its shell group', async () => {
    started.push(await startWorker(redis.url, { concurrency: 2 }));
    const pidFile = join(dir, 'timeout.pid');
    const job = writeQueueJob(
      dir,
      'timeout',
      `executor: { kind: queue, connection: "${redis.url}" }\ntasks:\n  slow:\n    run: sleep 30 & echo $! > ${pidFile}; wait\n    timeout: 1s\n`,
    );
    const results = join(dir, 'timeout.jsonl');
    const cli = startCli([job, '--results', results, '--output', 'plain']);
    assert.equal(await cli.exited, 1, cli.output());
    const [record] = itemRecords(readRecords(results));
    assert.equal(errorOf(record).code, 'TIMEOUT');
    const [sleepPid] = pidsIn(pidFile);
    assert.ok(sleepPid !== undefined && sleepPid > 0);
    assert.ok(await eventually(() => !isRunning(sleepPid)), `sleep ${sleepPid} is gone`);
  });

  test('Ctrl-C once cancels attempts not started; twice stops the running one and its group', async () => {
    await stopWorkers(started.splice(0));
    started.push(await startWorker(redis.url, { concurrency: 1 }));
    const starts = join(dir, 'interrupt.starts');
    const sleeps = join(dir, 'interrupt.sleeps');
    const job = writeQueueJob(
      dir,
      'interrupt',
      `executor: { kind: queue, maxWorkers: 2, connection: "${redis.url}" }\ntasks:\n  slow:\n    map: { range: 4 }\n    run: echo $$ >> ${starts}; sleep 30 & echo $! >> ${sleeps}; wait\n`,
    );
    const results = join(dir, 'interrupt.jsonl');
    const cli = startCli([job, '--results', results, '--output', 'plain']);
    assert.ok(await eventually(() => pidsIn(sleeps).length === 1, 30_000), 'one attempt runs');
    cli.child.kill('SIGINT');
    await cli.waitFor(/interrupted \(SIGINT\)/);
    // The three others were waiting: cancelled at once, their records written before the running one.
    assert.ok(
      await eventually(() => itemRecords(readRecords(results)).length === 3),
      'the waiting attempts are recorded cancelled',
    );
    cli.child.kill('SIGINT');
    assert.equal(await cli.exited, 130, cli.output());
    const records = readRecords(results);
    const items = itemRecords(records);
    assert.deepEqual(
      items.map((record) => record.status),
      ['cancelled', 'cancelled', 'cancelled', 'cancelled'],
    );
    assert.equal(pidsIn(starts).length, 1, 'no waiting attempt started');
    const [sleepPid] = pidsIn(sleeps);
    assert.ok(await eventually(() => !isRunning(sleepPid as number)), `sleep ${sleepPid} is gone`);
    const runId = runIdOf(records);
    assert.ok(
      await eventually(() => !redisKeys(redis).some((key) => key.includes(runId))),
      'the run left nothing in Redis',
    );
  });

  test('a run killed outright: once it is silent for 30 s, a worker stops its attempt and removes its queue', async () => {
    // One worker: it runs the attempt, and no other removes the queue first.
    await stopWorkers(started.splice(0));
    const worker = await startWorker(redis.url, { concurrency: 1 });
    started.push(worker);
    const marker = join(dir, 'killed.marker');
    const job = writeQueueJob(
      dir,
      'killed',
      `executor: { kind: queue, connection: "${redis.url}" }\ntasks:\n  hold:\n    map: { range: 3 }\n    function: ./tasks.js#holdUntil\n    with: { marker: ${marker}, release: ${join(dir, 'killed.never')} }\n`,
    );
    const results = join(dir, 'killed.jsonl');
    const cli = startCli([job, '--results', results, '--output', 'plain']);
    assert.ok(await eventually(() => existsSync(marker), 30_000), 'an attempt started');
    const runId = runIdOf(readRecords(results));
    const queue = `jobrun-${runId}`;
    cli.child.kill('SIGKILL');
    await cli.exited;
    assert.ok(
      redisKeys(redis).some((key) => key.includes(runId)),
      'a run killed outright cannot clean up',
    );
    await worker.waitFor(new RegExp(`removed ${queue}: its run stopped answering`), 60_000);
    assert.deepEqual(
      redisKeys(redis).filter((key) => key.includes(runId)),
      [],
    );
    const member = spawnSync(
      'redis-cli',
      ['-p', String(redis.port), 'zscore', 'jobrun:queues', queue],
      {
        encoding: 'utf8',
      },
    );
    assert.equal(member.stdout.trim(), '', 'the run is out of the registry');
    // Its attempt stopped with it (holdUntil ends when its signal aborts); the others never ran.
    await worker.waitFor(new RegExp(`left ${queue}`), 10_000);
    assert.equal(readFileSync(marker, 'utf8'), '1\n');
  });

  test('Redis lost mid-run fails the attempts in flight; the results file is complete', async () => {
    const own = await startRedis();
    const worker = await startWorker(own.url, { concurrency: 1 });
    const marker = join(dir, 'lost.marker');
    const release = join(dir, 'lost.release');
    const job = writeQueueJob(
      dir,
      'lost',
      `executor: { kind: queue, connection: "${own.url}" }\ntasks:\n  hold:\n    map: [1, 2, 3]\n    function: ./tasks.js#holdUntil\n    with: { marker: ${marker}, release: ${release} }\n`,
    );
    const results = join(dir, 'lost.jsonl');
    const cli = startCli([job, '--results', results, '--output', 'plain']);
    assert.ok(await eventually(() => existsSync(marker), 30_000), 'an attempt started');
    own.process.kill('SIGKILL');
    await own.stop();
    assert.equal(await cli.exited, 1, cli.output());
    writeFileSync(release, '');
    const records = readRecords(results);
    const items = itemRecords(records);
    assert.equal(items.length, 3);
    for (const record of items) {
      assert.equal(errorOf(record).code, 'WORKER_CRASHED');
      assert.match(
        String((record.error as { message: string }).message),
        /lost the connection to redis:\/\/127\.0\.0\.1:\d+/,
      );
    }
    assert.equal(records.at(-1)?.type, 'summary');
    // With its Redis gone, a worker stops at the second signal, without hanging on it.
    worker.child.kill('SIGTERM');
    await worker.waitFor(/stopping:/);
    worker.child.kill('SIGTERM');
    assert.equal(await worker.exited, 0, worker.output());
  });
});
