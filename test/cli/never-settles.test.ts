import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runCli } from '../helpers/cli.ts';
import { tempDir, writeJobFile } from '../helpers/files.ts';
import { byIndex, errorOf, type JsonRecord, readRecords } from '../helpers/results.ts';

// A coroutine function returns a promise that nothing can settle (no timer, no socket, no
// worker left): Node would exit 13 in the middle of the run. jobrun fails that item instead
// and writes every record and the summary.

const MOD = fileURLToPath(new URL('../fixtures/engine/mod.js', import.meta.url));
const workDir = tempDir('never-settles');

describe('a coroutine function that never settles, without a timeout', () => {
  for (const mode of ['plain', 'quiet', 'live'] as const) {
    test(`fails its item; the others, the records and the summary are there (--output ${mode})`, async () => {
      const results = join(workDir, `hang-${mode}.jsonl`);
      const file = writeJobFile(
        workDir,
        `hang-${mode}`,
        `executor: { kind: coroutine, maxWorkers: 2 }\ntasks:\n  items:\n    map: [first, hang, last]\n    function: ${MOD}#behave\n  after:\n    needs: [items]\n    run: echo after\n`,
      );
      const run = await runCli([file, '--results', results, '--output', mode], {
        timeoutMs: 30_000,
      });
      assert.equal(run.code, 1, run.stderr);
      assert.doesNotMatch(run.stderr, /internal error|at .*mod\.js/);
      const records = readRecords(results);
      const items = byIndex(records, 'items');
      assert.deepEqual(
        items.map((record) => record.status),
        ['ok', 'failed', 'ok'],
      );
      assert.equal(errorOf(items[1]).code, 'TASK_ERROR');
      assert.match(errorOf(items[1]).message ?? '', /never settled/);
      assert.equal(byIndex(records, 'after')[0]?.status, 'skipped');
      const summary = records.at(-1) as JsonRecord & { tasks: Record<string, object> };
      assert.equal(summary.type, 'summary');
      assert.deepEqual(summary.tasks.items, {
        status: 'failed',
        ok: 2,
        failed: 1,
        skipped: 0,
        cancelled: 0,
        cached: 0,
        total: 3,
      });
    });
  }
});
