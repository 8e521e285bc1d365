import assert from 'node:assert/strict';
import { appendFileSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { runCli, startCli } from '../helpers/cli.ts';
import { tempDir, writeJobFile } from '../helpers/files.ts';
import { eventually } from '../helpers/processes.ts';
import { byIndex, readRecords, type JsonRecord } from '../helpers/results.ts';
import { startSchedule } from '../schedule/schedule-process.ts';

// `--resume` re-runs only what did not succeed: items whose key has an `ok` record in the
// previous results file are written again with `cached: true` and never run (each execution of
// the function appends a line to runs.log, so a re-run would show).

const KINDS = ['coroutine', 'thread', 'process'] as const;

/**
 * The task function: logs each call, fails for an input with a `fail-<input>` file beside it,
 * and hangs (after writing `started-<input>`) for one with a `hang-<input>` file.
 */
const WORK_MODULE = `import { appendFileSync, existsSync, writeFileSync } from 'node:fs';
const here = new URL('.', import.meta.url);
export default async function work(input) {
  appendFileSync(new URL('runs.log', here), input + '\\n');
  if (existsSync(new URL('fail-' + input, here))) throw new Error('told to fail ' + input);
  if (existsSync(new URL('hang-' + input, here))) {
    writeFileSync(new URL('started-' + input, here), '');
    await new Promise((resolve) => setTimeout(resolve, 60_000));
  }
  return { input, twice: input + input };
}
`;

interface Summary {
  status: string;
  tasks: Record<string, Record<'ok' | 'failed' | 'skipped' | 'cancelled' | 'cached', number>>;
}

/** A folder with the module, a lines file of `items` and a job mapping it, then `sum` over it. */
function setUp(name: string, kind: string, items: string[]): { dir: string; job: string } {
  const dir = tempDir(`resume-${name}`);
  writeFileSync(join(dir, 'work.mjs'), WORK_MODULE);
  writeFileSync(join(dir, 'items.txt'), items.join('\n') + '\n');
  const job = writeJobFile(
    dir,
    name,
    [
      `executor: { kind: ${kind}, maxWorkers: 2 }`,
      'tasks:',
      '  work:',
      '    map: { lines: items.txt }',
      '    function: ./work.mjs',
      '  sum:',
      '    needs: [work]',
      `    run: echo '\${{ tasks.work.result }}'`,
      '',
    ].join('\n'),
  );
  return { dir, job };
}

function runs(dir: string): string[] {
  const path = join(dir, 'runs.log');
  return existsSync(path) ? readFileSync(path, 'utf8').split('\n').filter(Boolean).sort() : [];
}

function resultsOf(dir: string, name: string): JsonRecord[] {
  return readRecords(join(dir, 'results', `${name}.jsonl`));
}

function summaryOf(records: JsonRecord[]): Summary {
  const last = records.at(-1) as JsonRecord & Summary;
  assert.equal(last.type, 'summary');
  return last;
}

function previousPath(dir: string, name: string): string {
  return join(dir, 'results', `.${name}.jsonl.previous`);
}

describe('--resume', () => {
  for (const kind of KINDS) {
    test(`${kind}: ok items are reused, not run; failed ones run; downstream sees every result`, async () => {
      const { dir, job } = setUp(`main-${kind}`, kind, ['a', 'b', 'c', 'd']);
      writeFileSync(join(dir, 'fail-b'), '');
      const first = await runCli([job, '--output', 'plain']);
      assert.equal(first.code, 1, first.stderr);
      const before = byIndex(resultsOf(dir, `main-${kind}`), 'work');
      assert.deepEqual(runs(dir), ['a', 'b', 'c', 'd']);

      rmSync(join(dir, 'fail-b'));
      rmSync(join(dir, 'runs.log'));
      const second = await runCli([job, '--output', 'plain', '--resume']);
      assert.equal(second.code, 0, second.stdout + second.stderr);
      // Only the item that failed ran again.
      assert.deepEqual(runs(dir), ['b']);
      const records = resultsOf(dir, `main-${kind}`);
      const work = byIndex(records, 'work');
      assert.deepEqual(
        work.map((record) => [record.item, record.status, record.cached ?? false]),
        [
          ['a', 'ok', true],
          ['b', 'ok', false],
          ['c', 'ok', true],
          ['d', 'ok', true],
        ],
      );
      for (const index of [0, 2, 3]) {
        const [now, then] = [work[index], before[index]] as [JsonRecord, JsonRecord];
        assert.equal(now.key, then.key);
        assert.match(String(now.key), /^[0-9a-f]{32}$/);
        assert.deepEqual(now.result, then.result);
        assert.equal(now.startedAt, then.startedAt, 'the recorded times are the earlier run’s');
      }
      // Downstream sees the cached results in item order, with the one that ran now.
      const [sum] = byIndex(records, 'sum');
      const stdout = (sum?.result as { stdout: string }).stdout;
      assert.deepEqual(
        (JSON.parse(stdout) as Array<{ twice: string }>).map((value) => value.twice),
        ['aa', 'bb', 'cc', 'dd'],
      );
      const summary = summaryOf(records);
      const counts = summary.tasks.work;
      assert.equal(counts?.cached, 3);
      assert.equal(counts?.ok, 4);
      assert.equal(counts.ok + counts.failed + counts.skipped + counts.cancelled, 4);
      assert.match(second.stdout, /work\[0\] {2}ok {2}cached/);
      assert.match(second.stdout, /4 ok \(3 cached\), 0 failed of 4/);
      // Every item was reached: the previous file is gone.
      assert.equal(existsSync(previousPath(dir, `main-${kind}`)), false);
    });
  }

  test('keys do not depend on the index or the executor: an inserted line alone runs', async () => {
    const { dir, job } = setUp('insert', 'coroutine', ['a', 'b', 'c']);
    assert.equal((await runCli([job, '--output', 'quiet'])).code, 0);
    const before = byIndex(resultsOf(dir, 'insert'), 'work');
    writeFileSync(join(dir, 'items.txt'), 'a\nnew\nb\nc\n');
    rmSync(join(dir, 'runs.log'));
    const resumed = await runCli([job, '--output', 'quiet', '--resume', '--executor', 'process']);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.deepEqual(runs(dir), ['new']);
    const work = byIndex(resultsOf(dir, 'insert'), 'work');
    assert.deepEqual(
      work.map((record) => [record.index, record.item, record.cached ?? false]),
      [
        [0, 'a', true],
        [1, 'new', false],
        [2, 'b', true],
        [3, 'c', true],
      ],
    );
    assert.equal(work[2]?.key, before[1]?.key);
  });

  test('an edited module re-runs its task', async () => {
    const { dir, job } = setUp('module-edit', 'thread', ['a', 'b']);
    assert.equal((await runCli([job, '--output', 'quiet'])).code, 0);
    appendFileSync(join(dir, 'work.mjs'), '// edited\n');
    rmSync(join(dir, 'runs.log'));
    assert.equal((await runCli([job, '--output', 'quiet', '--resume'])).code, 0);
    assert.deepEqual(runs(dir), ['a', 'b']);
    const work = byIndex(resultsOf(dir, 'module-edit'), 'work');
    assert.ok(work.every((record) => record.cached === undefined));
  });

  test('a changed command text re-runs; an unchanged one is reused', async () => {
    const dir = tempDir('resume-run');
    const write = (command: string): string =>
      writeJobFile(
        dir,
        'commands',
        ['tasks:', '  say:', '    map: [x, y]', `    run: ${command}`, ''].join('\n'),
      );
    const ran = (): string[] =>
      existsSync(join(dir, 'ran.log'))
        ? readFileSync(join(dir, 'ran.log'), 'utf8').split('\n').filter(Boolean).sort()
        : [];
    let job = write('echo ${{ item }} >> ran.log');
    assert.equal((await runCli([job, '--output', 'quiet'])).code, 0);
    assert.deepEqual(ran(), ['x', 'y']);
    assert.equal((await runCli([job, '--output', 'quiet', '--resume'])).code, 0);
    assert.deepEqual(ran(), ['x', 'y'], 'nothing ran again');
    job = write('echo ${{ item }} again >> ran.log');
    assert.equal((await runCli([job, '--output', 'quiet', '--resume'])).code, 0);
    assert.deepEqual(ran(), ['x', 'x again', 'y', 'y again']);
  });

  test('without a previous results file, every item runs and one line says so', async () => {
    const { dir, job } = setUp('no-previous', 'coroutine', ['a', 'b']);
    const result = await runCli([job, '--output', 'quiet', '--resume']);
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(runs(dir), ['a', 'b']);
    const lines = result.stderr.split('\n').filter(Boolean);
    assert.equal(lines.length, 1, result.stderr);
    assert.match(
      lines[0] ?? '',
      /^jobrun: --resume: no previous results file .*no-previous\.jsonl/,
    );
  });

  test('ok records without keys (an older jobrun) run again, and one line says why', async () => {
    const { dir, job } = setUp('keyless', 'coroutine', ['a', 'b']);
    assert.equal((await runCli([job, '--output', 'quiet'])).code, 0);
    // The same file as a jobrun before item keys wrote it.
    const results = join(dir, 'results', 'keyless.jsonl');
    const lines = readFileSync(results, 'utf8').split('\n').filter(Boolean);
    const keyless = lines.map((line) => {
      const record = JSON.parse(line) as JsonRecord;
      delete record.key;
      return JSON.stringify(record);
    });
    writeFileSync(results, keyless.join('\n') + '\n');
    const plan = await runCli([job, '--resume', '--dry-run']);
    assert.match(
      plan.stdout,
      /^ {2}\S*keyless\.jsonl has ok records without item keys .*run again$/m,
    );
    assert.match(plan.stdout, /^ {2}work +0 reused, 2 to run$/m);
    const result = await runCli([job, '--output', 'quiet', '--resume']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(
      result.stderr,
      /^jobrun: --resume: \S*keyless\.jsonl has ok records without item keys \(written by an older jobrun\): their items run again$/m,
    );
    assert.deepEqual(runs(dir), ['a', 'a', 'b', 'b']);
    // The file written now has keys: the next --resume reuses everything, without the line.
    const again = await runCli([job, '--output', 'quiet', '--resume']);
    assert.equal(again.stderr, '');
    assert.deepEqual(runs(dir), ['a', 'a', 'b', 'b']);
  });

  test('--resume --dry-run counts what would be reused and run, and changes nothing', async () => {
    const { dir, job } = setUp('dry-run', 'coroutine', ['a', 'b', 'c', 'd']);
    writeFileSync(join(dir, 'fail-c'), '');
    assert.equal((await runCli([job, '--output', 'quiet'])).code, 1);
    const results = join(dir, 'results', 'dry-run.jsonl');
    const text = readFileSync(results, 'utf8');
    writeFileSync(join(dir, 'items.txt'), 'a\nb\nc\nd\ne\n');
    const plan = await runCli([job, '--resume', '--dry-run']);
    assert.equal(plan.code, 0, plan.stderr);
    assert.match(plan.stdout, /^ {2}work +3 reused, 2 to run$/m);
    assert.match(plan.stdout, /^ {2}sum +not known before running: .*upstream results$/m);
    assert.equal(readFileSync(results, 'utf8'), text);
    assert.equal(existsSync(previousPath(dir, 'dry-run')), false);
    assert.deepEqual(runs(dir), ['a', 'b', 'c', 'd']);
  });

  test('a streaming stage resumes per item: cached results feed the consumer', async () => {
    const dir = tempDir('resume-stream');
    writeFileSync(join(dir, 'work.mjs'), WORK_MODULE);
    const job = writeJobFile(
      dir,
      'stream',
      [
        'tasks:',
        '  produce:',
        '    map: [p, q, r]',
        '    function: ./work.mjs',
        '  consume:',
        '    map: { from: produce }',
        '    with: "${{ item.twice }}"',
        '    function: ./work.mjs',
        '',
      ].join('\n'),
    );
    writeFileSync(join(dir, 'fail-qq'), '');
    assert.equal((await runCli([job, '--output', 'quiet'])).code, 1);
    rmSync(join(dir, 'fail-qq'));
    rmSync(join(dir, 'runs.log'));
    const resumed = await runCli([job, '--output', 'quiet', '--resume']);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.deepEqual(runs(dir), ['qq']);
    const summary = summaryOf(resultsOf(dir, 'stream'));
    assert.equal(summary.tasks.produce?.cached, 3);
    assert.equal(summary.tasks.consume?.cached, 2);
    assert.equal(summary.tasks.consume?.ok, 3);
  });

  test('a resumed run stopped by Ctrl-C keeps every ok record for the next --resume', async () => {
    const { dir, job } = setUp('interrupted', 'coroutine', ['a', 'b', 'c', 'd', 'e']);
    writeFileSync(join(dir, 'fail-d'), '');
    writeFileSync(join(dir, 'fail-e'), '');
    assert.equal((await runCli([job, '--output', 'quiet'])).code, 1);

    // The resumed run: d now succeeds (its ok record is only in this run's file), e hangs.
    rmSync(join(dir, 'fail-d'));
    rmSync(join(dir, 'fail-e'));
    writeFileSync(join(dir, 'hang-e'), '');
    rmSync(join(dir, 'runs.log'));
    const cli = startCli([job, '--output', 'plain', '--resume']);
    await cli.waitFor(/work\[3\] {2}ok {2}\d/);
    assert.ok(await eventually(() => existsSync(join(dir, 'started-e'))));
    cli.child.kill('SIGINT');
    await cli.waitFor(/interrupted \(SIGINT\)/);
    cli.child.kill('SIGINT');
    assert.equal(await cli.exited, 130, cli.output());
    assert.ok(existsSync(previousPath(dir, 'interrupted')), 'the previous file is kept');
    const stopped = summaryOf(resultsOf(dir, 'interrupted'));
    assert.equal(stopped.tasks.work?.cached, 3);

    rmSync(join(dir, 'hang-e'));
    rmSync(join(dir, 'runs.log'));
    const last = await runCli([job, '--output', 'quiet', '--resume']);
    assert.equal(last.code, 0, last.stderr);
    assert.deepEqual(runs(dir), ['e'], 'a, b, c from the first run and d from the stopped one');
    const work = byIndex(resultsOf(dir, 'interrupted'), 'work');
    assert.deepEqual(
      work.map((record) => record.cached ?? false),
      [true, true, true, true, false],
    );
    assert.equal(existsSync(previousPath(dir, 'interrupted')), false);
  });

  test('a resumed run stopped by --fail-fast keeps the previous file too', async () => {
    const { dir, job } = setUp('fail-fast', 'coroutine', ['a', 'b', 'c', 'd']);
    writeFileSync(join(dir, 'fail-c'), '');
    assert.equal((await runCli([job, '--output', 'quiet'])).code, 1);
    // c still fails, d's first run was a success: --fail-fast stops at c, whatever d does.
    const stopped = await runCli([job, '--output', 'quiet', '--resume', '--fail-fast']);
    assert.equal(stopped.code, 1, stopped.stderr);
    assert.ok(existsSync(previousPath(dir, 'fail-fast')), 'the previous file is kept');

    rmSync(join(dir, 'fail-c'));
    rmSync(join(dir, 'runs.log'));
    const last = await runCli([job, '--output', 'quiet', '--resume']);
    assert.equal(last.code, 0, last.stderr);
    assert.deepEqual(runs(dir), ['c']);
    assert.equal(summaryOf(resultsOf(dir, 'fail-fast')).tasks.work?.cached, 3);
    assert.equal(existsSync(previousPath(dir, 'fail-fast')), false);
  });

  test('a run without --resume deletes a kept previous file and runs everything', async () => {
    const { dir, job } = setUp('fresh', 'coroutine', ['a']);
    assert.equal((await runCli([job, '--output', 'quiet'])).code, 0);
    writeFileSync(previousPath(dir, 'fresh'), 'stale\n');
    rmSync(join(dir, 'runs.log'));
    assert.equal((await runCli([job, '--output', 'quiet'])).code, 0);
    assert.deepEqual(runs(dir), ['a']);
    assert.equal(existsSync(previousPath(dir, 'fresh')), false);
  });

  test('jobrun schedule --resume passes --resume to every run it starts', async () => {
    const dir = tempDir('resume-schedule');
    const job = writeJobFile(
      dir,
      'scheduled',
      [
        'schedule: "* * * * * *"',
        'tasks:',
        '  say:',
        '    map: [x, y]',
        '    run: echo ${{ item }} >> ran.log',
        '',
      ].join('\n'),
    );
    assert.equal((await runCli([job, '--output', 'quiet'])).code, 0);
    const scheduler = startSchedule(['--resume', job]);
    await scheduler.waitForCount(/ run-finished job=scheduled .*status=ok/, 1);
    scheduler.signal('SIGTERM');
    assert.equal((await scheduler.exited).code, 0, scheduler.stderr());
    assert.equal(readFileSync(join(dir, 'ran.log'), 'utf8'), 'x\ny\n', 'nothing ran again');
    // A later run the stop interrupted may have fewer records, but none that ran.
    const said = byIndex(resultsOf(dir, 'scheduled'), 'say').filter((r) => r.status === 'ok');
    assert.ok(said.every((record) => record.cached === true));
  });
});
