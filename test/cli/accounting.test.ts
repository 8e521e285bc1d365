import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runCli, startCli } from '../helpers/cli.ts';
import { tempDir, writeJobFile } from '../helpers/files.ts';
import { itemRecords, readRecords, type JsonRecord } from '../helpers/results.ts';

// Every item is accounted for: however a run stops, each task's counts hold `total` and
// ok + failed + skipped + cancelled = total, in the results file and in every output mode.

const MOD = fileURLToPath(new URL('../fixtures/engine/mod.js', import.meta.url));
const workDir = tempDir('accounting');
const KINDS = ['coroutine', 'thread', 'process'] as const;

type TaskCounts = Record<'ok' | 'failed' | 'skipped' | 'cancelled', number> & { total?: number };
type Summary = JsonRecord & { status: string; tasks: Record<string, TaskCounts> };

function writeJob(name: string, body: string): string {
  return writeJobFile(workDir, name, body.replaceAll('MOD', MOD));
}

function summaryOf(records: JsonRecord[]): Summary {
  const last = records.at(-1) as Summary;
  assert.equal(last.type, 'summary');
  return last;
}

function assertAddsUp(counts: TaskCounts | undefined, total: number): void {
  assert.ok(counts !== undefined, 'the task has counts');
  assert.equal(counts.total, total, JSON.stringify(counts));
  assert.equal(counts.ok + counts.failed + counts.skipped + counts.cancelled, total);
}

/** Every cancelled record says why, with the code `CANCELLED`. */
function assertCancelledRecords(records: JsonRecord[]): void {
  for (const record of itemRecords(records).filter((r) => r.status === 'cancelled')) {
    assert.equal((record.error as { code?: string } | null)?.code, 'CANCELLED');
  }
}

/** Ten slow items, the second of which fails at once, then a task of five that needs them. */
function failingJob(name: string, kind: string, hasFailFastKey: boolean): string {
  const items = Array.from({ length: 10 }, (_, value) =>
    value === 1 ? `{ value: 1, bad: true }` : `{ value: ${value}, ms: 400 }`,
  );
  return writeJob(
    name,
    [
      hasFailFastKey ? 'failFast: true' : '',
      `executor: { kind: ${kind}, maxWorkers: 2 }`,
      'tasks:',
      '  items:',
      `    map: [${items.join(', ')}]`,
      '    function: MOD#sleepThenFail',
      '  after:',
      '    needs: [items]',
      '    map: { range: 5 }',
      '    run: echo never',
      '',
    ].join('\n'),
  );
}

describe('fail-fast accounts for every item', () => {
  for (const kind of KINDS) {
    test(`failFast: true on ${kind}: the rest is cancelled and the counts add up to total`, async () => {
      const results = join(workDir, `failfast-${kind}.jsonl`);
      const job = failingJob(`failfast-${kind}`, kind, true);
      const run = await runCli([job, '--results', results, '--output', 'plain']);
      assert.equal(run.code, 1, run.stderr);
      const records = readRecords(results);
      const summary = summaryOf(records);
      assert.equal(summary.status, 'failed');
      assertAddsUp(summary.tasks.items, 10);
      assert.equal(summary.tasks.items?.failed, 1);
      // A pool may run an item or two before the failing one (pipelining), never all of them.
      assert.ok((summary.tasks.items?.cancelled ?? 0) >= 5, JSON.stringify(summary.tasks.items));
      assertAddsUp(summary.tasks.after, 5);
      assert.equal(summary.tasks.after?.cancelled, 5);
      assertCancelledRecords(records);
      // The plain output's task line says so too.
      assert.match(
        run.stdout,
        / items {2}→ failed {2}\S+ {2}\d ok, 1 failed, \d cancelled of 10\n/,
      );
      assert.match(run.stdout, / after {2}→ cancelled {2}0 ok, 0 failed, 5 cancelled of 5\n/);
      assert.match(run.stdout, /\nitems +failed +\d +1 +0 +\d +10 /);
    });
  }

  for (const kind of KINDS) {
    test(`--fail-fast on ${kind}: the same accounting, and the json summary holds it`, async () => {
      const results = join(workDir, `fail-fast-flag-${kind}.jsonl`);
      const job = failingJob(`fail-fast-flag-${kind}`, kind, false);
      const run = await runCli([job, '--results', results, '--output', 'json', '--fail-fast']);
      assert.equal(run.code, 1, run.stderr);
      const summary = summaryOf(readRecords(results));
      assertAddsUp(summary.tasks.items, 10);
      assert.equal(summary.tasks.items?.failed, 1);
      assertAddsUp(summary.tasks.after, 5);
      const events = run.stdout
        .trim()
        .split('\n')
        .map(
          (line) => JSON.parse(line) as { type: string; summary?: Summary; counts?: TaskCounts },
        );
      const finished = events.find((event) => event.type === 'run-finished');
      assert.deepEqual(finished?.summary?.tasks, summary.tasks);
      const finalStates = events.filter((event) => event.type === 'task-state' && event.counts);
      assert.deepEqual(
        finalStates.map((event) => event.counts),
        [summary.tasks.items, summary.tasks.after],
      );
    });
  }
});

describe('an interrupted run accounts for every item', () => {
  for (const kind of KINDS) {
    for (const [signal, code] of [
      ['SIGINT', 130],
      ['SIGTERM', 143],
    ] as const) {
      test(`${signal} on ${kind}: finished items ok, the rest cancelled, counts add up`, async () => {
        const results = join(workDir, `signal-${kind}-${signal}.jsonl`);
        const job = writeJob(
          `signal-${kind}-${signal.toLowerCase()}`,
          `executor: { kind: ${kind}, maxWorkers: 2 }\ntasks:\n  items:\n    map: { range: 20 }\n    function: MOD#sleepFor\n    with: 300\n  after:\n    needs: [items]\n    map: [a, b, c]\n    run: echo never\n`,
        );
        const cli = startCli([job, '--results', results, '--output', 'plain']);
        await cli.waitFor(/items\[\d+\] +ok/);
        cli.child.kill(signal);
        assert.equal(await cli.exited, code, cli.output());
        const records = readRecords(results);
        const summary = summaryOf(records);
        assert.equal(summary.status, 'cancelled');
        assertAddsUp(summary.tasks.items, 20);
        assert.ok((summary.tasks.items?.cancelled ?? 0) > 0);
        assertAddsUp(summary.tasks.after, 3);
        assert.equal(summary.tasks.after?.cancelled, 3);
        const items = itemRecords(records, 'items');
        assert.ok(items.filter((r) => r.startedAt !== null).every((r) => r.status === 'ok'));
        assert.equal(items.filter((r) => r.status === 'ok').length, summary.tasks.items?.ok);
        assertCancelledRecords(records);
        assert.match(
          cli.output(),
          / items {2}→ cancelled {2}\S+ {2}\d+ ok, 0 failed, \d+ cancelled of 20\n/,
        );
      });
    }
  }

  test('a lines file cut short is counted to its end', async () => {
    const data = join(workDir, 'lines-data');
    mkdirSync(data, { recursive: true });
    const lines = ['# header', ''];
    for (let i = 0; i < 30; i++) lines.push(`line ${i}`, i % 7 === 0 ? '' : '# note');
    writeFileSync(join(data, 'words.txt'), lines.join('\n') + '\n');
    const results = join(workDir, 'lines-cut.jsonl');
    const job = writeJob(
      'lines-cut',
      `executor: { kind: coroutine, maxWorkers: 2 }\ntasks:\n  read:\n    map: { lines: ${join(data, 'words.txt')} }\n    function: MOD#sleepFor\n    with: 300\n`,
    );
    const cli = startCli([job, '--results', results, '--output', 'json']);
    await cli.waitFor(/"status":"ok"/);
    cli.child.kill('SIGINT');
    assert.equal(await cli.exited, 130);
    const summary = summaryOf(readRecords(results));
    assertAddsUp(summary.tasks.read, 30);
    assert.ok((summary.tasks.read?.ok ?? 0) < 30);
    assert.match(cli.output(), /"type":"task-total","task":"read","total":30/);
  });
});

describe('totals of every source whose size is known', () => {
  test('list, range, lines, glob and expression all report their total', async () => {
    const data = join(workDir, 'sources');
    mkdirSync(join(data, 'csv'), { recursive: true });
    writeFileSync(join(data, 'words.txt'), 'a\n\n# c\nb\nc\n');
    for (const name of ['x', 'y', 'z', 'w']) writeFileSync(join(data, 'csv', `${name}.csv`), '');
    const file = join(data, 'sources.yaml');
    writeFileSync(
      file,
      `name: sources\nvars:\n  list: [1, 2, 3, 4, 5, 6]\ntasks:\n  list:\n    map: [a, b]\n    function: ${MOD}\n  range:\n    map: { range: [0, 10, 3] }\n    function: ${MOD}\n  lines:\n    map: { lines: words.txt }\n    function: ${MOD}\n  glob:\n    map: { glob: "csv/*.csv" }\n    function: ${MOD}\n  expression:\n    map: \${{ vars.list }}\n    function: ${MOD}\n  single:\n    run: echo one\n`,
    );
    const results = join(data, 'sources.jsonl');
    const run = await runCli([file, '--results', results, '--output', 'quiet']);
    assert.equal(run.code, 0, run.stderr);
    const { tasks } = summaryOf(readRecords(results));
    assertAddsUp(tasks.list, 2);
    assertAddsUp(tasks.range, 4);
    assertAddsUp(tasks.lines, 3);
    assertAddsUp(tasks.glob, 4);
    assertAddsUp(tasks.expression, 6);
    assertAddsUp(tasks.single, 1);
  });

  test('a task that never started counts all its items when their number is known', async () => {
    const results = join(workDir, 'unrun.jsonl');
    const job = writeJob(
      'unrun',
      `vars:\n  list: [1, 2, 3]\ntasks:\n  first:\n    run: exit 3\n  list:\n    needs: [first]\n    map: [a, b, c, d]\n    function: MOD\n  range:\n    needs: [first]\n    map: { range: 7 }\n    function: MOD\n  expression:\n    needs: [first]\n    map: \${{ vars.list }}\n    function: MOD\n  lines:\n    needs: [first]\n    map: { lines: ${join(workDir, 'unrun-words.txt')} }\n    function: MOD\n`,
    );
    writeFileSync(join(workDir, 'unrun-words.txt'), 'a\nb\n');
    const run = await runCli([job, '--results', results, '--output', 'plain']);
    assert.equal(run.code, 1, run.stderr);
    const records = readRecords(results);
    const { tasks } = summaryOf(records);
    assertAddsUp(tasks.list, 4);
    assert.equal(tasks.list?.skipped, 4);
    assertAddsUp(tasks.range, 7);
    assertAddsUp(tasks.expression, 3);
    // A lines file is not read for a task that does not run: the task counts as one.
    assert.deepEqual(tasks.lines, {
      status: 'skipped',
      ok: 0,
      failed: 0,
      skipped: 1,
      cancelled: 0,
      cached: 0,
    });
    // One record stands for each task that never started.
    assert.equal(itemRecords(records, 'list').length, 1);
    assert.match(run.stdout, / list {2}→ skipped {2}0 ok, 0 failed, 4 skipped of 4\n/);
  });
});
