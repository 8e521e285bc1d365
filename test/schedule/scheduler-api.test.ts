import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { JobValidationError } from '../../src/errors.ts';
import { formatScheduleList, startScheduler } from '../../src/schedule/index.ts';
import { tempDir } from '../helpers/files.ts';

function jobYaml(name: string, lines: string[]): string {
  return [`name: ${name}`, ...lines, 'tasks:', '  main:', '    run: "true"', ''].join('\n');
}

test('the list shows each job’s next run times in its timezone, from `now`', async (t) => {
  const dir = tempDir('schedule-api', t);
  await writeFile(
    join(dir, 'a-morning.yaml'),
    jobYaml('morning', ['schedule: "30 9 * * 1-5"', 'timezone: Asia/Kolkata']),
  );
  await writeFile(
    join(dir, 'b-nightly.yml'),
    jobYaml('nightly', ['schedule: "@daily"', 'timezone: America/New_York']),
  );
  await writeFile(join(dir, 'c-manual.yaml'), jobYaml('manual', []));

  // A Friday: the weekday schedule skips the weekend.
  const now = new Date('2026-01-02T00:00:00Z');
  const text = await formatScheduleList([dir], { count: 3, now });
  assert.equal(
    text,
    [
      `morning  ${join(dir, 'a-morning.yaml')}`,
      '  schedule  30 9 * * 1-5',
      '  timezone  Asia/Kolkata',
      '  next      2026-01-02T09:30:00+05:30',
      '            2026-01-05T09:30:00+05:30',
      '            2026-01-06T09:30:00+05:30',
      '',
      `nightly  ${join(dir, 'b-nightly.yml')}`,
      '  schedule  @daily',
      '  timezone  America/New_York',
      '  next      2026-01-02T00:00:00-05:00',
      '            2026-01-03T00:00:00-05:00',
      '            2026-01-04T00:00:00-05:00',
      '',
      `manual  ${join(dir, 'c-manual.yaml')}`,
      '  no schedule, ignored',
      '',
    ].join('\n'),
  );
  assert.equal((await formatScheduleList([dir], { now })).match(/T09:30:00\+05:30/g)?.length, 5);
});

test('one invalid file refuses the whole set, with the problems of every file', async (t) => {
  const dir = tempDir('schedule-api', t);
  const bad = join(dir, 'bad.yaml');
  await writeFile(join(dir, 'good.yaml'), jobYaml('good', ['schedule: "@hourly"']));
  await writeFile(bad, jobYaml('bad', ['schedule: "61 * * * *"']));
  const missing = join(dir, 'missing.yaml');
  const log: string[] = [];
  for (const attempt of [
    () => formatScheduleList([dir, missing]),
    () => startScheduler([dir, missing], { log: (line) => log.push(line), cliPath: 'unused' }),
  ]) {
    await assert.rejects(attempt, (error: unknown) => {
      assert.ok(error instanceof JobValidationError);
      const files = error.problems.map((problem) => problem.file);
      assert.ok(files.includes(bad), JSON.stringify(error.problems));
      assert.ok(files.includes(missing), JSON.stringify(error.problems));
      return true;
    });
  }
  assert.deepEqual(log, [], 'nothing was scheduled');
});

test('reload swaps valid schedules and keeps the old set when the files turn invalid', async (t) => {
  const dir = tempDir('schedule-api', t);
  const file = join(dir, 'yearly.yaml');
  await writeFile(file, jobYaml('yearly', ['schedule: "0 0 1 1 *"', 'timezone: UTC']));
  await writeFile(join(dir, 'manual.yaml'), jobYaml('manual', []));
  const log: string[] = [];
  const scheduler = await startScheduler([dir], {
    log: (line) => log.push(line),
    cliPath: 'unused',
  });
  t.after(() => scheduler.stop());
  assert.match(log.join('\n'), / ignored job=manual reason="no schedule"/);
  assert.match(
    log.join('\n'),
    / scheduled job=yearly schedule="0 0 1 1 \*" timezone=UTC next=\S+-01-01T00:00:00.000Z/,
  );

  await writeFile(file, jobYaml('yearly', ['schedule: "15 12 * * *"', 'timezone: UTC']));
  await scheduler.reload();
  assert.match(
    log.at(-2) ?? '',
    / scheduled job=yearly schedule="15 12 \* \* \*" .*next=\S+T12:15:00.000Z/,
  );

  const before = log.length;
  await writeFile(file, jobYaml('yearly', ['schedule: "99 * * * *"']));
  await scheduler.reload();
  const after = log.slice(before);
  assert.match(after.join('\n'), / reload-failed problems=\d+ kept="previous schedules"/);
  assert.ok(
    after.some((line) => line.startsWith(`  ${file}`)),
    after.join('\n'),
  );
  assert.ok(!after.some((line) => / scheduled /.test(line)));

  await scheduler.stop('SIGTERM');
  await scheduler.finished;
  assert.match(log.at(-1) ?? '', / stopped$/);
});
