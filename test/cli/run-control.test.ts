import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { CLI_PATH, runCli, startCli } from '../helpers/cli.ts';
import { tempDir, writeJobFile } from '../helpers/files.ts';
import { byIndex, itemRecords, readRecords, type JsonRecord } from '../helpers/results.ts';
import { eventually, isRunning, pidsIn } from '../helpers/processes.ts';

const FIXTURES = fileURLToPath(new URL('../fixtures/engine/', import.meta.url));
const workDir = tempDir('control');

function writeJob(name: string, body: string): string {
  return writeJobFile(workDir, name, body.replaceAll('MOD', join(FIXTURES, 'mod.js')));
}

type TaskCounts = Record<'ok' | 'failed' | 'skipped' | 'cancelled' | 'total', number>;

/** Every item is accounted for: the task's counts hold `total` and add up to it. */
function assertAddsUp(counts: TaskCounts | undefined, total: number): void {
  assert.ok(counts !== undefined, 'the task has counts');
  assert.equal(counts.total, total, JSON.stringify(counts));
  assert.equal(counts.ok + counts.failed + counts.skipped + counts.cancelled, total);
}

describe('interrupts', () => {
  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
    ['SIGHUP', 129],
  ] as const) {
    test(`${signal} once lets in-flight items finish and writes a complete file`, async () => {
      const results = join(workDir, `drain-${signal}.jsonl`);
      const job = writeJob(
        `drain-${signal.toLowerCase()}`,
        `executor: { kind: process, maxWorkers: 2 }\ntasks:\n  slow:\n    map: { range: 50 }\n    function: MOD#sleepFor\n    with: 400\n  after:\n    needs: [slow]\n    run: echo never\n`,
      );
      const cli = startCli([job, '--results', results, '--output', 'plain']);
      // Once an item has finished, the workers are up and the next items are in flight.
      await cli.waitFor(/slow\[\d+\] +ok/);
      cli.child.kill(signal);
      assert.equal(await cli.exited, code);
      const records = readRecords(results);
      const items = byIndex(records, 'slow');
      const started = items.filter((record) => record.startedAt !== null);
      assert.ok(started.length >= 1 && started.length < 50, `drained ${started.length} items`);
      assert.ok(
        started.every((record) => record.status === 'ok'),
        'in-flight items finished',
      );
      // Held on a worker or taken from the source, but never started.
      for (const record of items.filter((r) => r.startedAt === null)) {
        assert.equal(record.status, 'cancelled');
        assert.equal((record.error as { code: string }).code, 'CANCELLED');
      }
      assert.equal(byIndex(records, 'after')[0]?.status, 'cancelled');
      const summary = records.at(-1) as JsonRecord & { tasks: Record<string, TaskCounts> };
      assert.equal(summary.type, 'summary');
      assert.equal(summary.status, 'cancelled');
      assertAddsUp(summary.tasks.slow, 50);
      assert.equal(summary.tasks.slow?.ok, started.length);
    });
  }

  test('SIGINT stops a map of instant items promptly', async () => {
    const results = join(workDir, 'instant.jsonl');
    const job = writeJob(
      'instant',
      `tasks:\n  noop:\n    map: { range: 5000000 }\n    function: MOD\n`,
    );
    const cli = startCli([job, '--results', results, '--output', 'quiet']);
    // Items are being recorded: the run is under way, its signal handlers installed.
    const isUnderWay = (): boolean =>
      existsSync(results) && readFileSync(results, 'utf8').includes('"type":"item"');
    assert.ok(await eventually(isUnderWay, 30_000), 'the map started');
    cli.child.kill('SIGINT');
    assert.equal(await cli.exited, 130);
    const records = readRecords(results);
    const summary = records.at(-1) as JsonRecord & { tasks: Record<string, TaskCounts> };
    assert.equal(summary.status, 'cancelled');
    assert.ok((summary.tasks.noop?.ok ?? 0) < 5_000_000, 'the map stopped before its end');
    const items = itemRecords(records, 'noop');
    assert.equal(items.filter((record) => record.status === 'ok').length, summary.tasks.noop?.ok);
    // The items never reached have no record, yet are counted: the counts add up to the range.
    assertAddsUp(summary.tasks.noop, 5_000_000);
  });

  test('SIGINT twice cancels in-flight items at once and reaps every worker', async () => {
    const results = join(workDir, 'cancel.jsonl');
    const pids = join(workDir, 'cancel-pids.txt');
    const job = writeJob(
      'cancel',
      `executor: { kind: process, maxWorkers: 2 }\ntasks:\n  stuck:\n    map: { range: 4 }\n    run: echo $$ >> ${pids}; sleep 30\n`,
    );
    const cli = startCli([job, '--results', results, '--output', 'plain']);
    await eventually(() => pidsIn(pids).length >= 2);
    cli.child.kill('SIGINT');
    await new Promise((resolve) => setTimeout(resolve, 300));
    cli.child.kill('SIGINT');
    assert.equal(await cli.exited, 130);
    const records = readRecords(results);
    const statuses = itemRecords(records, 'stuck').map((record) => record.status);
    assert.ok(
      statuses.length >= 2 && statuses.every((status) => status === 'cancelled'),
      String(statuses),
    );
    const summary = records.at(-1) as JsonRecord & { tasks: Record<string, TaskCounts> };
    assert.equal(summary.status, 'cancelled');
    assertAddsUp(summary.tasks.stuck, 4);
    assert.equal(summary.tasks.stuck?.cancelled, 4);
    const shells = pidsIn(pids);
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.deepEqual(shells.filter(isRunning), [], 'no shell outlives jobrun');
  });
});

describe('a jobrun killed outright', () => {
  for (const kind of ['coroutine', 'thread', 'process'] as const) {
    test(`SIGKILL on ${kind}: its shell commands are stopped all the same`, async () => {
      const pids = join(workDir, `sigkill-${kind}-pids.txt`);
      const job = writeJob(
        `sigkill-${kind}`,
        `executor: { kind: ${kind}, maxWorkers: 2 }\ntasks:\n  stuck:\n    map: { range: 4 }\n    run: echo $$ >> ${pids}; sleep 30\n`,
      );
      const cli = startCli([job, '--results', join(workDir, `sigkill-${kind}.jsonl`)]);
      await eventually(() => pidsIn(pids).length >= 2);
      const shells = pidsIn(pids);
      assert.equal(shells.length, 2, 'two commands started');
      cli.child.kill('SIGKILL');
      await cli.exited;
      // Generous under load; the commands sleep 30 s, so a missing reaper still fails this.
      await eventually(() => !shells.some(isRunning), 15_000);
      assert.deepEqual(shells.filter(isRunning), [], 'no shell outlives jobrun');
    });
  }
});

describe('the run lock', () => {
  test('a second run of the same job exits 75 at once and touches nothing', async () => {
    const results = join(workDir, 'locked.jsonl');
    const job = writeJob('locked', `tasks:\n  wait:\n    run: sleep 2\n`);
    const first = startCli([job, '--results', results, '--output', 'plain']);
    await first.waitFor(/wait/);
    const before = readFileSync(results, 'utf8');
    const second = await runCli([job, '--results', results, '--output', 'plain']);
    assert.equal(second.code, 75);
    assert.match(second.stderr, new RegExp(`pid ${first.child.pid}`));
    assert.equal(readFileSync(results, 'utf8').startsWith(before), true);
    assert.equal(await first.exited, 0);
    assert.equal(readRecords(results).at(-1)?.status, 'ok');
  });
});

describe('a reader that goes away', () => {
  for (const mode of ['plain', 'json', 'live'] as const) {
    test(`--output ${mode} into a pipe closed early: the run finishes, its file is complete, exit 0`, async () => {
      const results = join(workDir, `closed-pipe-${mode}.jsonl`);
      // 3,000 items print far more than a pipe holds, so writes go on after the reader has gone.
      const job = writeJob(
        `closed-pipe-${mode}`,
        `executor: { kind: coroutine, maxWorkers: 4 }\ntasks:\n  many:\n    map: { range: 3000 }\n    function: MOD#describe\n  after:\n    needs: [many]\n    run: echo done\n`,
      );
      const child = spawn(
        process.execPath,
        [CLI_PATH, job, '--results', results, '--output', mode],
        {
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      let stderr = '';
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
      // Like `| head -1`: read a first chunk, then close the pipe.
      child.stdout.once('data', () => child.stdout.destroy());
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
      assert.equal(code, 0, stderr);
      assert.doesNotMatch(stderr, /EPIPE|Error/);
      const records = readRecords(results);
      assert.equal(byIndex(records, 'many').length, 3000);
      assert.equal(records.at(-1)?.type, 'summary');
      assert.equal(records.at(-1)?.status, 'ok');
    });
  }
});

describe('fail-fast', () => {
  test('the first failed item cancels the rest of the run', async () => {
    const results = join(workDir, 'failfast.jsonl');
    const job = writeJob(
      'failfast',
      `failFast: true\nexecutor: { kind: coroutine, maxWorkers: 2 }\ntasks:\n  items:\n    map: [{ value: 1 }, { value: 2, bad: true }, { value: 3 }, { value: 4 }, { value: 5 }]\n    function: MOD#failOn\n  after:\n    needs: [items]\n    run: echo never\n`,
    );
    const run = await runCli([job, '--results', results, '--output', 'plain']);
    assert.equal(run.code, 1);
    const records = readRecords(results);
    const items = itemRecords(records, 'items');
    const started = items.filter((record) => record.startedAt !== null);
    assert.ok(started.length < 5, `only ${started.length} of 5 items ran`);
    assert.equal(items.filter((record) => record.status === 'failed').length, 1);
    const summary = records.at(-1) as JsonRecord & { tasks: Record<string, TaskCounts> };
    assert.equal(summary.status, 'failed');
    assertAddsUp(summary.tasks.items, 5);
    assertAddsUp(summary.tasks.after, 1);
  });
});

describe('streaming map', () => {
  test('a slow consumer holds the producer back', async () => {
    const results = join(workDir, 'stream.jsonl');
    const job = writeJob(
      'stream',
      `tasks:\n  produce:\n    map: { range: 60 }\n    function: MOD#stamp\n    executor: { kind: coroutine, maxWorkers: 2 }\n  consume:\n    map: { from: produce }\n    function: MOD#slowStamp\n    executor: { kind: coroutine, maxWorkers: 2 }\n`,
    );
    const run = await runCli([job, '--results', results, '--output', 'plain']);
    assert.equal(run.code, 0, run.stderr);
    const records = readRecords(results);
    const produced = byIndex(records, 'produce').map(
      (record) => (record.result as { at: number }).at,
    );
    const consumed = byIndex(records, 'consume').map(
      (record) => (record.result as { at: number }).at,
    );
    assert.equal(consumed.length, 60);
    // Producer item k can only start once item k - 2 was handed over, which needs buffer room,
    // which needs consumer slots: so it cannot finish before consumer item k - SLACK did.
    const SLACK = 8;
    for (let k = SLACK; k < produced.length; k++) {
      assert.ok(
        (produced[k] as number) >= (consumed[k - SLACK] as number),
        `producer item ${k} ran ahead of the consumer`,
      );
    }
  });
});
