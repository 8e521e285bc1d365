import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { CLI_PATH, runCli } from '../helpers/cli.ts';
import { tempDir, writeJobFile } from '../helpers/files.ts';
import { eventually } from '../helpers/processes.ts';
import { byIndex, errorOf, type JsonRecord, readRecords } from '../helpers/results.ts';

// A callback runs in jobrun's own process, guarded like a coroutine function: whatever its code
// does, only its item fails, and the run ends with every record and the summary written.

const MOD = fileURLToPath(new URL('../fixtures/engine/mod.js', import.meta.url));
const CALLBACKS = fileURLToPath(new URL('../fixtures/engine/unruly-callbacks.js', import.meta.url));
const workDir = tempDir('callbacks');

function job(name: string, kind: string, items: string[], callback: string, extra = ''): string {
  return writeJobFile(
    workDir,
    name,
    `executor: { kind: ${kind}, maxWorkers: 2 }\ntasks:\n  items:\n    map: [${items.join(', ')}]\n    function: ${MOD}\n    callback: ${CALLBACKS}#${callback}\n${extra}  after:\n    needs: [items]\n    run: echo after\n`,
  );
}

describe('a callback that crashes fails only its own item', () => {
  for (const kind of ['coroutine', 'thread', 'process'] as const) {
    test(`on ${kind}: a throw in its timer, an unhandled rejection, process.exit`, async () => {
      const results = join(workDir, `crashes-${kind}.jsonl`);
      const file = job(
        `crashes-${kind}`,
        kind,
        ['first', 'throw-in-timer', 'reject-unhandled', 'exit', 'last'],
        'behave',
      );
      const run = await runCli([file, '--results', results, '--output', 'plain']);
      assert.equal(run.code, 1, run.stderr);
      assert.doesNotMatch(run.stderr, /internal error|at .*unruly-callbacks/);
      const records = readRecords(results);
      const items = byIndex(records, 'items');
      assert.deepEqual(
        items.map((record) => record.status),
        ['ok', 'failed', 'failed', 'failed', 'ok'],
      );
      assert.equal(items[0]?.result, 'first done');
      assert.equal(items[4]?.result, 'last done');
      for (const record of items.slice(1, 4)) assert.equal(errorOf(record).code, 'CALLBACK_FAILED');
      assert.match(errorOf(items[1]).message ?? '', /thrown in a timer for throw-in-timer/);
      assert.match(errorOf(items[2]).message ?? '', /rejected, unhandled/);
      assert.match(errorOf(items[3]).message ?? '', /process\.exit\(4\)/);
      const summary = records.at(-1) as JsonRecord & { tasks: Record<string, object> };
      assert.equal(summary.type, 'summary');
      assert.deepEqual(summary.tasks.items, {
        status: 'failed',
        ok: 2,
        failed: 3,
        skipped: 0,
        cancelled: 0,
        cached: 0,
        total: 5,
      });
    });
  }

  test('a throw after the callback returned only warns: the item stays ok', async () => {
    const results = join(workDir, 'late-throw.jsonl');
    const file = job('late-throw', 'coroutine', ['throw-after-return', 'other'], 'behave');
    const run = await runCli([file, '--results', results, '--output', 'plain']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /the callback threw after its item had finished: thrown after/);
    const records = readRecords(results);
    assert.deepEqual(
      byIndex(records, 'items').map((record) => record.result),
      ['throw-after-return done', 'other done'],
    );
    assert.equal(records.at(-1)?.status, 'ok');
  });
});

describe('a callback that never settles', () => {
  test("the task's timeout bounds it, and the next callbacks still run", async () => {
    const results = join(workDir, 'timeout.jsonl');
    const file = job(
      'timeout',
      'coroutine',
      ['first', 'hang', 'last'],
      'behave',
      '    timeout: 300ms\n',
    );
    const run = await runCli([file, '--results', results, '--output', 'plain']);
    assert.equal(run.code, 1, run.stderr);
    const items = byIndex(readRecords(results), 'items');
    assert.deepEqual(
      items.map((record) => record.status),
      ['ok', 'failed', 'ok'],
    );
    assert.equal(errorOf(items[1]).code, 'CALLBACK_FAILED');
    assert.match(
      errorOf(items[1]).message ?? '',
      /did not settle within the task's timeout \(300 ms\)/,
    );
  });

  for (const mode of ['plain', 'json', 'quiet', 'live'] as const) {
    test(`without a timeout, with nothing left to wait for, it fails (--output ${mode})`, async () => {
      const results = join(workDir, `stranded-${mode}.jsonl`);
      const file = job(`stranded-${mode}`, 'coroutine', ['first', 'hang', 'last'], 'behave');
      const run = await runCli([file, '--results', results, '--output', mode], {
        timeoutMs: 30_000,
      });
      assert.equal(run.code, 1, run.stderr);
      const records = readRecords(results);
      const items = byIndex(records, 'items');
      assert.deepEqual(
        items.map((record) => record.status),
        ['ok', 'failed', 'ok'],
      );
      assert.equal(errorOf(items[1]).code, 'CALLBACK_FAILED');
      assert.match(errorOf(items[1]).message ?? '', /never settled/);
      assert.equal(records.at(-1)?.type, 'summary');
      assert.equal(byIndex(records, 'after')[0]?.status, 'skipped');
    });
  }

  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const) {
    test(`${signal} twice ends a run whose callback hangs while its timers run`, async () => {
      const results = join(workDir, `hung-${signal}.jsonl`);
      const marker = join(workDir, `hung-${signal}.marker`);
      const file = job(`hung-${signal.toLowerCase()}`, 'process', ['a', 'b', 'c'], 'hangBusy');
      const child = spawn(
        process.execPath,
        [CLI_PATH, file, '--results', results, '--output', 'plain'],
        {
          env: { ...process.env, JOBRUN_TEST_MARKER: marker },
          stdio: 'ignore',
        },
      );
      const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
      const safety = setTimeout(() => child.kill('SIGKILL'), 30_000);
      assert.ok(await eventually(() => existsSync(marker)), 'the callback started');
      child.kill(signal);
      // The first signal waits for the item in flight: its callback; the second gives up on it.
      await new Promise((resolve) => setTimeout(resolve, 200));
      child.kill(signal);
      assert.equal(await exited, code);
      clearTimeout(safety);
      const records = readRecords(results);
      const summary = records.at(-1) as JsonRecord & {
        tasks: Record<string, Record<string, number>>;
      };
      assert.equal(summary.type, 'summary');
      assert.equal(summary.status, 'cancelled');
      const counts = summary.tasks.items ?? {};
      assert.equal(counts.total, 3);
      assert.equal(counts.cancelled, 3);
      for (const record of byIndex(records, 'items')) {
        assert.equal(record.status, 'cancelled');
        assert.equal(errorOf(record).code, 'CANCELLED');
      }
      assert.equal(byIndex(records, 'after')[0]?.status, 'cancelled');
    });
  }
});
