import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startCli } from '../helpers/cli.ts';
import { tempDir, writeJobFile } from '../helpers/files.ts';
import { eventually } from '../helpers/processes.ts';
import { startWorkers, stopWorkers, type StartedWorker } from '../helpers/queue-workers.ts';
import { missingRedis, startRedis, type LocalRedis } from '../helpers/redis.ts';
import { byIndex, errorOf, readRecords } from '../helpers/results.ts';
import { redisKeys, runIdOf } from './support.ts';

// Quick attempts of a task share BullMQ jobs. Each of them must still be started, timed, answered
// and failed on its own: these runs have 400 quick items and one slow one among them, through the
// real CLI, two real workers and a private Redis.

const skip = missingRedis();
const ITEMS = 400;
const SLOW = 300;
/** Fails, in the fail-fast run. */
const BROKEN = 200;

/**
 * Every item doubles its number at once, but item SLOW holds until `release` exists, and item
 * BROKEN throws when `failFast` is on.
 */
function writeModule(dir: string, marker: string, release: string): void {
  writeFileSync(
    join(dir, 'tasks.js'),
    `import { appendFileSync, existsSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

export async function quickButOne(n, ctx) {
  if (n === ${BROKEN} && ctx.task === 'failing') throw new Error('item ${BROKEN} is broken');
  if (n !== ${SLOW}) return n * 2;
  appendFileSync(${JSON.stringify(marker)}, ctx.attempt + '\\n');
  while (!existsSync(${JSON.stringify(release)})) await sleep(20, undefined, { signal: ctx.signal });
  return 'released';
}
`,
  );
}

/** A task's counts in the summary record. */
interface TaskCounts {
  ok: number;
  failed: number;
  cancelled: number;
}

/** The attempts and jobs each worker says it ran when it left the run. */
async function attemptsAndJobs(workers: StartedWorker[]): Promise<[number, number]> {
  let attempts = 0;
  let jobs = 0;
  for (const worker of workers) {
    await worker.waitFor(/left jobrun-\S+: ran \d+/, 10_000);
    const [, ran, taken] = /ran (\d+) attempts? in (\d+) jobs?/.exec(worker.output()) ?? [];
    attempts += Number(ran);
    jobs += Number(taken);
  }
  return [attempts, jobs];
}

describe('queue: quick attempts share jobs', { skip, timeout: 120_000 }, () => {
  let redis: LocalRedis;
  let workers: StartedWorker[] = [];

  before(async () => {
    redis = await startRedis();
  });
  after(async () => {
    await stopWorkers(workers);
    await redis.stop();
  });

  test('a slow attempt neither holds back the others of its job nor shares their timing', async (t) => {
    const dir = tempDir('queue-shared-jobs', t);
    workers = await startWorkers(redis.url, 2, {
      kind: 'coroutine',
      concurrency: 4,
      lockDurationMs: 1500,
    });
    writeModule(dir, join(dir, 'slow.marker'), join(dir, 'never'));
    const job = writeJobFile(
      dir,
      'shared',
      `executor: { kind: queue, maxWorkers: 64, connection: "${redis.url}" }\ntasks:\n  double:\n    map: { range: ${ITEMS} }\n    function: ./tasks.js#quickButOne\n    timeout: 3s\n`,
    );
    const results = join(dir, 'shared.jsonl');
    const cli = startCli([job, '--results', results, '--output', 'plain']);
    assert.equal(await cli.exited, 1, cli.output());
    const items = byIndex(readRecords(results), 'double');
    assert.equal(items.length, ITEMS);
    items.forEach((record, index) => {
      if (index === SLOW) return;
      assert.equal(record.status, 'ok', JSON.stringify(record));
      assert.equal(record.result, index * 2);
      // Its own time, not its job's: the slow attempt was still running when it was recorded.
      assert.ok(Number(record.durationMs) < 1500, JSON.stringify(record));
    });
    const slow = items[SLOW];
    assert.equal(errorOf(slow).code, 'TIMEOUT', JSON.stringify(slow));
    // Timed from its own start on the worker.
    const duration = Number(slow?.durationMs);
    assert.ok(duration >= 2900 && duration < 4500, `timed out after ${duration} ms`);
    // Attempts given back (none waits 100 ms for a slot here, but a loaded machine may) count again.
    const [attempts, jobs] = await attemptsAndJobs(workers);
    assert.ok(jobs < attempts / 2, `${attempts} attempts travelled in ${jobs} jobs`);
  });

  test('a worker killed while a shared job runs fails only the attempt it had not answered', async (t) => {
    const dir = tempDir('queue-shared-crash', t);
    await stopWorkers(workers);
    workers = await startWorkers(redis.url, 2, {
      kind: 'coroutine',
      concurrency: 4,
      lockDurationMs: 1500,
    });
    const marker = join(dir, 'slow.marker');
    const release = join(dir, 'slow.release');
    writeModule(dir, marker, release);
    const job = writeJobFile(
      dir,
      'crash',
      `executor: { kind: queue, maxWorkers: 64, connection: "${redis.url}" }\ntasks:\n  double:\n    map: { range: ${ITEMS} }\n    function: ./tasks.js#quickButOne\n`,
    );
    const results = join(dir, 'crash.jsonl');
    const cli = startCli([job, '--results', results, '--output', 'plain']);
    const othersDone = (): boolean =>
      existsSync(results) &&
      byIndex(readRecords(results), 'double').filter((record) => record.status === 'ok').length ===
        ITEMS - 1;
    assert.ok(await eventually(othersDone, 60_000), 'every other item is recorded');
    assert.ok(existsSync(marker), 'the slow attempt started');
    for (const worker of workers) await worker.stop('SIGKILL');
    assert.equal(await cli.exited, 1, cli.output());
    writeFileSync(release, '');
    const items = byIndex(readRecords(results), 'double');
    assert.equal(items.length, ITEMS);
    assert.deepEqual(
      items.filter((record) => record.status !== 'ok').map((record) => record.index),
      [SLOW],
    );
    assert.equal(errorOf(items[SLOW]).code, 'WORKER_CRASHED', JSON.stringify(items[SLOW]));
    assert.equal(readFileSync(marker, 'utf8'), '1\n', 'one start, never a second');
  });
  test('fail-fast cancels the attempts of shared jobs not run yet; every item is accounted for', async (t) => {
    const dir = tempDir('queue-shared-fail-fast', t);
    await stopWorkers(workers);
    workers = await startWorkers(redis.url, 2, { kind: 'coroutine', concurrency: 4 });
    writeModule(dir, join(dir, 'slow.marker'), join(dir, 'never'));
    const job = writeJobFile(
      dir,
      'failing',
      `executor: { kind: queue, maxWorkers: 64, connection: "${redis.url}" }\nfailFast: true\ntasks:\n  failing:\n    map: { range: ${ITEMS} }\n    function: ./tasks.js#quickButOne\n`,
    );
    const results = join(dir, 'failing.jsonl');
    const cli = startCli([job, '--results', results, '--output', 'plain']);
    assert.equal(await cli.exited, 1, cli.output());
    const records = readRecords(results);
    const items = byIndex(records, 'failing');
    const indexes = items.map((record) => record.index);
    assert.equal(new Set(indexes).size, indexes.length, 'one record per item at most');
    assert.equal(errorOf(items[BROKEN]).code, 'TASK_ERROR');
    const summary = records.at(-1) as unknown as { tasks: { failing: TaskCounts } };
    const counts = summary.tasks.failing;
    // Items taken but not run have cancelled records; the rest were never taken, and counted.
    assert.ok(counts.cancelled > 0, JSON.stringify(counts));
    assert.equal(counts.ok + counts.failed + counts.cancelled, ITEMS, JSON.stringify(counts));
    const count = (status: string): number =>
      items.filter((record) => record.status === status).length;
    assert.equal(count('ok'), counts.ok);
    assert.equal(count('failed'), 1);
    assert.ok(count('cancelled') <= counts.cancelled);
    const runId = runIdOf(records);
    assert.ok(
      await eventually(() => !redisKeys(redis).some((key) => key.includes(runId))),
      'the run left nothing in Redis',
    );
  });
  test('attempts a worker took but cannot start soon are given back to an idle worker', async (t) => {
    const dir = tempDir('queue-given-back', t);
    await stopWorkers(workers);
    workers = await startWorkers(redis.url, 2, { kind: 'coroutine', concurrency: 2 });
    // Quick items first, so that the run shares jobs, then slow ones, which it hands over as
    // quick ones: several to a job, before the first of them answers.
    writeFileSync(
      join(dir, 'tasks.js'),
      `export async function quickThenSlow(n) {\n  if (n >= ${ITEMS}) await new Promise((resolve) => setTimeout(resolve, 1500));\n  return n;\n}\n`,
    );
    const job = writeJobFile(
      dir,
      'phases',
      `executor: { kind: queue, maxWorkers: 64, connection: "${redis.url}" }\ntasks:\n  phases:\n    map: { range: ${ITEMS + 8} }\n    function: ./tasks.js#quickThenSlow\n`,
    );
    const results = join(dir, 'phases.jsonl');
    const cli = startCli([job, '--results', results, '--output', 'plain']);
    assert.equal(await cli.exited, 0, cli.output());
    const slow = byIndex(readRecords(results), 'phases').slice(ITEMS);
    const starts = slow.map((record) => Date.parse(String(record.startedAt)));
    const ends = slow.map((record, at) => (starts[at] as number) + Number(record.durationMs));
    // 8 attempts of 1.5 s on 4 slots: two rounds. One worker holding what the other could run
    // would make it three or more.
    const span = Math.max(...ends) - Math.min(...starts);
    assert.ok(span < 4400, `the slow attempts took ${span} ms, two rounds being 3000`);
  });
});
