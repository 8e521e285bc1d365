import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runCli } from '../helpers/cli.ts';
import { tempDir } from '../helpers/files.ts';
import { closeAll, listenLocally } from '../helpers/local-site.ts';
import { startWorkers, stopWorkers, type StartedWorker } from '../helpers/queue-workers.ts';
import { missingRedis, startRedis, type LocalRedis } from '../helpers/redis.ts';
import { byIndex, comparable, readRecords, type JsonRecord } from '../helpers/results.ts';

const FIXTURES = fileURLToPath(new URL('../fixtures/engine/', import.meta.url));
// The queue kind runs on two `jobrun worker` processes on a private redis-server, when there is one.
const noRedis = missingRedis();
if (noRedis !== false) process.stdout.write(`# queue kind skipped: ${noRedis}\n`);
const KINDS = ['process', 'thread', 'coroutine', ...(noRedis === false ? ['queue'] : [])] as const;
const workDir = tempDir('conformance');

let server: Server;
let site = '';
let redis: LocalRedis | undefined;
let queueWorkers: StartedWorker[] = [];

before(async () => {
  if (noRedis === false) {
    redis = await startRedis();
    queueWorkers = await startWorkers(redis.url, 2, { concurrency: 2 });
  }
  [server, site] = await listenLocally((request, response) => {
    if (request.url === '/json') {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ item: request.headers['x-item'] }));
    } else if (request.url === '/text') {
      response.writeHead(200, { 'content-type': 'text/plain' }).end('héllo');
    } else if (request.url === '/echo') {
      let body = '';
      request.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      request.on('end', () => {
        response.writeHead(201, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ method: request.method, body: JSON.parse(body) as unknown }));
      });
    } else {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('no such page');
    }
  });
});

after(async () => {
  await stopWorkers(queueWorkers);
  await redis?.stop();
  closeAll([server]);
});

async function runUnder(
  job: string,
  kind: string,
  extra: string[] = [],
): Promise<{ code: number | null; records: JsonRecord[] }> {
  // One folder per kind: the run lock is per job and folder, and the kinds run at once.
  const results = join(workDir, kind, `${job}.jsonl`);
  const run = await runCli([
    join(FIXTURES, `${job}.yaml`),
    '--executor',
    kind,
    '--results',
    results,
    '--output',
    'plain',
    ...(kind === 'queue' ? ['--connection', (redis as LocalRedis).url] : []),
    ...extra,
  ]);
  return { code: run.code, records: readRecords(results) };
}

describe('every executor kind gives the same results', () => {
  for (const job of ['basic', 'failures', 'http']) {
    test(job, async () => {
      const extra = job === 'http' ? () => ['--var', `site=${site}`] : () => [];
      const runs = await Promise.all(KINDS.map((kind) => runUnder(job, kind, extra())));
      const [first, ...rest] = runs.map((run) => comparable(run.records, ['stream']));
      for (const [position, other] of rest.entries()) {
        assert.deepEqual(other, first, `${KINDS[position + 1]} differs from ${KINDS[0]}`);
      }
      const codes = runs.map((run) => run.code);
      assert.deepEqual(
        codes,
        KINDS.map(() => codes[0]),
      );
    });
  }
});

describe('results of the basic job', () => {
  test('are in item order, with expressions, quoting, callbacks and streaming', async () => {
    const { code, records } = await runUnder('basic', 'thread');
    assert.equal(code, 0);
    const results = (task: string): unknown[] =>
      byIndex(records, task).map((record) => record.result);
    assert.deepEqual(
      results('withInput').map((value) => (value as { input: unknown }).input),
      [
        { n: 2, label: 'item 0 of hello' },
        { n: 5, label: 'item 1 of hello' },
        { n: 8, label: 'item 2 of hello' },
      ],
    );
    assert.deepEqual(results('fromVars'), [3, 1, 2]);
    assert.deepEqual(results('lines'), ['alpha', 'beta', 'gamma']);
    assert.deepEqual(results('glob'), ['data/other.txt', 'data/words.txt']);
    assert.deepEqual(
      results('shell').map((value) => (value as { stdout: string }).stdout),
      [
        'plain|0|shell',
        "it's|1|shell",
        'a; echo injected|2|shell',
        '$(echo no)|3|shell',
        '*|4|shell',
      ],
    );
    assert.deepEqual(results('doubled'), [0, 2, 4, 6, 8]);
    assert.ok(
      results('serialCallbacks').every(
        (value) => (value as { maxRunning: number }).maxRunning === 1,
      ),
    );
    const combined = results('combine')[0] as Record<string, unknown>;
    assert.deepEqual(combined.doubled, [0, 2, 4, 6, 8]);
    assert.equal(combined.status, 'ok');
    assert.equal(combined.first, 2);
    assert.deepEqual([...results('stream')].sort(), [0, 2, 4, 6, 8]);
  });
});

describe('failures', () => {
  test('fail one item each, with the right code, and the run goes on', async () => {
    const { code, records } = await runUnder('failures', 'process');
    assert.equal(code, 1);
    const flaky = byIndex(records, 'flaky')[0] as JsonRecord;
    assert.equal(flaky.status, 'ok');
    assert.equal(flaky.attempts, 3);
    const exhausted = byIndex(records, 'exhausted')[0] as JsonRecord;
    assert.equal(exhausted.status, 'failed');
    assert.equal(exhausted.attempts, 2);
    const codes = byIndex(records, 'behaviours').map(
      (record) => (record.error as { code?: string } | null)?.code ?? record.status,
    );
    assert.deepEqual(codes, [
      'ok',
      'WORKER_CRASHED',
      'ok',
      'TASK_ERROR',
      'WORKER_CRASHED',
      'TIMEOUT',
      'NOT_SERIALIZABLE',
      'ok',
    ]);
    const callbackCodes = byIndex(records, 'callbackFails').map(
      (record) => (record.error as { code?: string } | null)?.code ?? record.status,
    );
    assert.deepEqual(callbackCodes, ['ok', 'CALLBACK_FAILED', 'ok']);
    assert.equal(byIndex(records, 'skipped')[0]?.status, 'skipped');
    const shell = byIndex(records, 'shellFails')[0] as JsonRecord;
    assert.equal((shell.error as { code: string }).code, 'EXIT_CODE');
    assert.match((shell.error as { message: string }).message, /4/);
    const afterContinue = byIndex(records, 'afterContinue')[0] as JsonRecord;
    assert.equal(afterContinue.status, 'ok');
    assert.deepEqual(afterContinue.result, ['ok', null, 'ok', null, null, null, null, 'ok']);
    const summary = records.at(-1) as {
      type: string;
      status: string;
      tasks: Record<string, { status: string }>;
    };
    assert.equal(summary.type, 'summary');
    assert.equal(summary.status, 'failed');
    assert.equal(summary.tasks.callbackFails?.status, 'failed');
    assert.equal(summary.tasks.behaviours?.status, 'ok');
    assert.equal(summary.tasks.skipped?.status, 'skipped');
  });
});

describe('pools are real and bounded', () => {
  for (const kind of KINDS) {
    test(`${kind}: never more than --max-workers at once, workers reused`, async () => {
      const { code, records } = await runUnder('overlap', kind, ['--max-workers', '3']);
      assert.equal(code, 0);
      const items = byIndex(records, 'spans');
      const spans = items.map(
        (record) => record.result as { start: number; end: number; pid: number },
      );
      // Sweep over start and end times; at equal times an end comes first. On `queue` the times
      // come from two worker processes whose clocks (time origin plus a monotonic clock) may
      // disagree by a millisecond or so, and a next attempt starts right after a reply: ends
      // count a few milliseconds early there.
      const slackMs = kind === 'queue' ? 5 : 0;
      const edges = spans
        .flatMap((span) => [
          [span.start, 1],
          [span.end - slackMs, -1],
        ])
        .sort((a, b) => (a[0] as number) - (b[0] as number) || (a[1] as number) - (b[1] as number));
      let running = 0;
      let most = 0;
      for (const [, step] of edges) most = Math.max(most, (running += step as number));
      assert.ok(most <= 3, `${most} items overlapped`);
      assert.ok(most >= 2, 'items did run concurrently');
      const workers = new Set(items.map((record) => record.worker));
      const pids = new Set(spans.map((span) => span.pid));
      if (kind === 'process' || kind === 'queue') {
        assert.ok(
          pids.size === workers.size && !pids.has(process.pid),
          `${workers.size} worker processes`,
        );
        if (kind === 'process') assert.ok(workers.size <= 3, `${workers.size} worker processes`);
        else {
          const names = [...workers].map(String);
          assert.ok(
            names.every((name) => /^[^:]+:\d+:process-\d+$/.test(name)),
            names.join(),
          );
        }
      } else {
        assert.equal(pids.size, 1, 'threads and coroutines share one process');
        if (kind === 'thread')
          assert.ok(workers.size >= 2 && workers.size <= 3, `${workers.size} threads`);
        else assert.deepEqual([...workers], ['coroutine']);
      }
    });
  }
});
