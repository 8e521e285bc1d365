import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { acquireRunLock, lockPathFor } from '../../src/run/lock.ts';
import { runCli } from '../helpers/cli.ts';
import { tempDir } from '../helpers/files.ts';
import { eventually } from '../helpers/processes.ts';
import { fieldsOf, isAlive, startSchedule } from './schedule-process.ts';

function jobYaml(name: string, schedule: string, command: string, extra = ''): string {
  return [
    `name: ${name}`,
    `schedule: "${schedule}"`,
    extra,
    'tasks:',
    '  main:',
    `    run: ${command}`,
    '',
  ].join('\n');
}

test(
  'an every-second job runs repeatedly, never overlapping, and SIGTERM stops it cleanly',
  { timeout: 60_000 },
  async (t) => {
    const dir = tempDir('schedule', t);
    const file = join(dir, 'tick.yaml');
    await writeFile(
      file,
      jobYaml('tick', '* * * * * *', 'echo tick-output', 'results: results/${{ run.id }}.jsonl'),
    );
    await writeFile(join(dir, 'plain.yaml'), 'name: plain\ntasks:\n  a:\n    run: "true"\n');

    const scheduler = startSchedule([dir]);
    await scheduler.waitForLine(/ ignored job=plain /);
    await scheduler.waitForCount(/ run-finished job=tick /, 2);
    scheduler.signal('SIGTERM');
    const { code } = await scheduler.exited;
    assert.equal(code, 0, scheduler.stderr());

    const events = scheduler.lines.filter((line) => / run-(started|finished) job=tick /.test(line));
    // No overlap: starts and finishes alternate, each finish closing the run just started.
    let open: string | undefined;
    for (const line of events) {
      const fields = fieldsOf(line);
      if (line.includes(' run-started ')) {
        assert.equal(open, undefined, `run started while ${open} was running`);
        open = fields.run;
      } else {
        assert.equal(fields.run, open);
        open = undefined;
      }
    }
    assert.equal(open, undefined, 'a run was left without its finish line');
    assert.match(scheduler.lines.at(-1) ?? '', / stopped$/);

    const finishes = events.filter((line) => line.includes(' run-finished ')).map(fieldsOf);
    assert.ok(finishes.length >= 2);
    const ok = finishes.filter((fields) => fields.status === 'ok');
    assert.ok(ok.length >= 1, events.join('\n'));
    for (const fields of ok) {
      // The logged results path is the one the run wrote, under the logged run id.
      const first = (await readFile(fields.results ?? '', 'utf8')).split('\n')[0] ?? '';
      assert.equal((JSON.parse(first) as { runId: string }).runId, fields.run);
      assert.equal(fields.results, join(dir, 'results', `${fields.run}.jsonl`));
    }
    assert.ok(
      !scheduler.lines.some((line) => / (stdout|stderr) job=/.test(line)),
      'without --verbose, the runs’ own output is not echoed',
    );
    for (const line of events.filter((l) => l.includes(' run-started '))) {
      const pid = Number(fieldsOf(line).pid);
      assert.ok(pid > 0);
      assert.equal(isAlive(pid), false, `run child ${pid} outlived the scheduler`);
    }
  },
);

test(
  'a due run while the last one is still going is skipped and logged',
  { timeout: 60_000 },
  async (t) => {
    const dir = tempDir('schedule', t);
    const file = join(dir, 'slow.yaml');
    await writeFile(file, jobYaml('slow', '* * * * * *', 'sleep 2.5'));

    const scheduler = startSchedule([file]);
    const started = fieldsOf(await scheduler.waitForLine(/ run-started job=slow /));
    const skipped = fieldsOf(await scheduler.waitForLine(/ run-skipped job=slow /));
    assert.equal(skipped.previous, started.run);
    assert.equal(skipped.reason, 'previous run still running');
    await scheduler.waitForLine(/ run-finished job=slow /, 20_000);
    scheduler.signal('SIGTERM');
    const { code } = await scheduler.exited;
    assert.equal(code, 0, scheduler.stderr());
    const starts = scheduler.lines.filter((line) => / run-started job=slow /.test(line));
    const finishes = scheduler.lines.filter((line) => / run-finished job=slow /.test(line));
    assert.equal(starts.length, finishes.length, 'every started run was waited for');
  },
);

test(
  '--verbose echoes each run’s own lines, prefixed with job and run',
  { timeout: 60_000 },
  async (t) => {
    const dir = tempDir('schedule', t);
    await writeFile(join(dir, 'tick.yaml'), jobYaml('tick', '* * * * * *', 'echo tick-output'));
    const scheduler = startSchedule(['--verbose', dir]);
    const finished = fieldsOf(await scheduler.waitForLine(/ run-finished job=tick /));
    scheduler.signal('SIGTERM');
    assert.equal((await scheduler.exited).code, 0, scheduler.stderr());
    const echoed = scheduler.lines.filter((line) =>
      line.includes(` stdout job=tick run=${finished.run} | `),
    );
    assert.ok(
      echoed.some((line) => / main {2}ok /.test(line)),
      scheduler.lines.join('\n'),
    );
  },
);

test(
  'SIGTERM waits for a running job before the scheduler exits; a run that finished all its items is ok',
  { timeout: 60_000 },
  async (t) => {
    const dir = tempDir('schedule', t);
    const marker = join(dir, 'started');
    await writeFile(
      join(dir, 'slow.yaml'),
      jobYaml('slow', '* * * * * *', `touch ${marker}; sleep 1.5`),
    );

    const scheduler = startSchedule([dir]);
    const started = fieldsOf(await scheduler.waitForLine(/ run-started job=slow /));
    // Once the run's only item is in flight, the scheduler stops: the run finishes all its items.
    assert.ok(await eventually(() => existsSync(marker)), 'the item started');
    scheduler.signal('SIGTERM');
    const { code } = await scheduler.exited;
    assert.equal(code, 0, scheduler.stderr());
    const finishedAt = scheduler.lines.findIndex((line) =>
      line.includes(` run-finished job=slow run=${started.run} `),
    );
    const stoppedAt = scheduler.lines.findIndex((line) => / stopped$/.test(line));
    assert.ok(finishedAt >= 0 && finishedAt < stoppedAt, scheduler.lines.join('\n'));
    const finished = fieldsOf(scheduler.lines[finishedAt] ?? '');
    assert.equal(finished.status, 'ok', scheduler.lines.join('\n'));
    assert.equal(finished.exit, '0');
    const summary = JSON.parse(
      (await readFile(finished.results ?? '', 'utf8')).trim().split('\n').at(-1) ?? '{}',
    ) as {
      type: string;
      status: string;
    };
    assert.equal(summary.type, 'summary');
    assert.equal(summary.status, 'ok');
    assert.equal(isAlive(Number(started.pid)), false);
  },
);

test(
  'a failed run and a run that finds its job locked are logged as such',
  { timeout: 60_000 },
  async (t) => {
    const dir = tempDir('schedule', t);
    await writeFile(join(dir, 'fails.yaml'), jobYaml('fails', '* * * * * *', '"exit 3"'));
    await writeFile(join(dir, 'locky.yaml'), jobYaml('locky', '* * * * * *', '"true"'));
    // This test process holds locky's lock, as a run started by cron or a shell would.
    const lock = acquireRunLock(lockPathFor(join(dir, 'results', 'locky.jsonl'), 'locky'));
    t.after(() => lock.release());

    const scheduler = startSchedule([dir]);
    const failed = fieldsOf(await scheduler.waitForLine(/ run-finished job=fails /));
    const locked = fieldsOf(await scheduler.waitForLine(/ run-finished job=locky /));
    scheduler.signal('SIGTERM');
    const { code } = await scheduler.exited;
    assert.equal(code, 0, scheduler.stderr());
    assert.equal(failed.status, 'failed');
    assert.equal(failed.exit, '1');
    assert.equal(locked.status, 'locked');
    assert.equal(locked.exit, '75');
    assert.match(
      locked.reason ?? '',
      new RegExp(`pid ${process.pid}\\b`),
      'the child’s message naming the lock holder is kept in the log',
    );
    assert.equal(failed.reason, undefined, 'a failed run’s story is in its results file');
    assert.equal(
      scheduler.lines.filter((line) => line.includes(`run=${locked.run}`)).length,
      2,
      'one line for the run’s start, one for its end',
    );
  },
);

test('with no scheduled job it stays up, idle, until stopped', { timeout: 30_000 }, async (t) => {
  const dir = tempDir('schedule', t);
  await writeFile(join(dir, 'manual.yaml'), 'name: manual\ntasks:\n  a:\n    run: "true"\n');
  const scheduler = startSchedule([dir]);
  await scheduler.waitForLine(/ idle reason="no job has a schedule"/);
  const early = await Promise.race([
    scheduler.exited,
    new Promise((resolve) => setTimeout(resolve, 1500, 'still running')),
  ]);
  assert.equal(early, 'still running', scheduler.lines.join('\n') + scheduler.stderr());
  scheduler.signal('SIGTERM');
  assert.equal((await scheduler.exited).code, 0);
});

test('--list prints the next 5 run times in the job’s timezone', { timeout: 30_000 }, async (t) => {
  const dir = tempDir('schedule', t);
  await writeFile(
    join(dir, 'morning.yaml'),
    jobYaml('morning', '0 9 * * *', '"true"', 'timezone: Asia/Kolkata'),
  );
  const result = await runCli(['schedule', '--list', dir]);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /^morning {2}/m);
  assert.match(result.stdout, /schedule {2}0 9 \* \* \*/);
  assert.match(result.stdout, /timezone {2}Asia\/Kolkata/);
  const times = result.stdout.match(/\d{4}-\d\d-\d\dT09:00:00\+05:30/g) ?? [];
  assert.equal(times.length, 5, result.stdout);
  assert.equal(new Set(times).size, 5);
});

test('an invalid job file refuses the start with exit 2 and its problem', async (t) => {
  const dir = tempDir('schedule', t);
  await writeFile(join(dir, 'good.yaml'), jobYaml('good', '* * * * * *', '"true"'));
  const bad = join(dir, 'bad.yaml');
  await writeFile(bad, jobYaml('bad', 'every day at noon', '"true"'));
  const result = await runCli(['schedule', dir], { timeoutMs: 30_000 });
  assert.equal(result.code, 2);
  assert.match(result.stdout + result.stderr, new RegExp(`${bad}.*schedule`, 's'));
  assert.doesNotMatch(result.stdout, / run-started /);
});

test(
  'SIGHUP reloads a changed schedule, and keeps the old one when the change is invalid',
  { timeout: 60_000 },
  async (t) => {
    const dir = tempDir('schedule', t);
    const file = join(dir, 'yearly.yaml');
    await writeFile(file, jobYaml('yearly', '0 0 1 1 *', '"true"', 'timezone: UTC'));

    const scheduler = startSchedule([file]);
    await scheduler.waitForLine(/ scheduled job=yearly schedule="0 0 1 1 \*"/);

    await writeFile(file, jobYaml('yearly', '0 12 * * *', '"true"', 'timezone: UTC'));
    scheduler.signal('SIGHUP');
    const line = await scheduler.waitForLine(/ scheduled job=yearly schedule="0 12 \* \* \*"/);
    assert.match(fieldsOf(line).next ?? '', /T12:00:00\.000Z$/);

    await writeFile(file, jobYaml('yearly', 'not a schedule', '"true"', 'timezone: UTC'));
    scheduler.signal('SIGHUP');
    await scheduler.waitForLine(/ reload-failed /);
    await scheduler.waitForLine(new RegExp(`^ {2}${file}`));
    const scheduledLines = scheduler.lines.filter((l) => / scheduled job=yearly /.test(l));
    assert.equal(scheduledLines.length, 2, 'the invalid rewrite installed nothing');

    scheduler.signal('SIGTERM');
    const { code } = await scheduler.exited;
    assert.equal(code, 0, scheduler.stderr());
  },
);
