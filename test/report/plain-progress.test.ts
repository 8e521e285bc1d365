import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runCli } from '../helpers/cli.ts';

// `--output plain` on a long run, through the real CLI. The progress interval is 10 s; the
// environment shortens it here so that a run of two seconds shows several lines.

const SLEEP = fileURLToPath(new URL('../fixtures/report/sleep-then-echo.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'jobrun-plain-progress-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const INTERVAL_MS = 200;
const CLOCK = String.raw`(\d\d):(\d\d):(\d\d)\.(\d{3})`;
const PROGRESS = new RegExp(
  `^${CLOCK}  slow  progress  [\\d.]+m?s  (\\d+) ok, 0 failed of 16(?:  ([\\d.]+) items/s  ETA (\\d+)s)?$`,
);

/** 16 items of 250 ms, two at a time: two seconds at least, however loaded the machine. */
function writeJob(): string {
  const file = join(dir, 'slow.yaml');
  writeFileSync(
    file,
    `name: slow\nexecutor: { kind: coroutine, maxWorkers: 2 }\ntasks:\n  slow:\n    map: { range: 16 }\n    function: ${SLEEP}\n`,
  );
  return file;
}

test('plain prints a progress line per running task at most once per interval', async () => {
  const run = await runCli([writeJob(), '--output', 'plain', '--results', join(dir, 'a.jsonl')], {
    env: { JOBRUN_PROGRESS_INTERVAL_MS: String(INTERVAL_MS) },
  });
  assert.equal(run.code, 0, run.stderr);
  const lines = run.stdout.split('\n').filter((line) => line.includes('  progress  '));
  assert.ok(lines.length >= 2, `expected progress lines:\n${run.stdout}`);
  const matches = lines.map((line) => {
    const match = PROGRESS.exec(line);
    assert.ok(match !== null, `not a progress line: ${line}`);
    return match;
  });
  const msOfDay = (m: RegExpExecArray): number =>
    ((Number(m[1]) * 60 + Number(m[2])) * 60 + Number(m[3])) * 1000 + Number(m[4]);
  for (let i = 1; i < matches.length; i += 1) {
    const gap = msOfDay(matches[i]!) - msOfDay(matches[i - 1]!);
    // Timers never fire early; a millisecond of slack for the clock's rounding.
    assert.ok(gap >= INTERVAL_MS - 1, `two progress lines ${gap} ms apart:\n${lines.join('\n')}`);
    assert.ok(Number(matches[i]![5]) >= Number(matches[i - 1]![5]), 'counts only grow');
  }
  const withRate = matches.filter((m) => m[6] !== undefined);
  assert.ok(
    withRate.length > 0,
    `no line with a rate once a second had passed:\n${lines.join('\n')}`,
  );
  for (const m of withRate) assert.ok(Number(m[6]) > 0 && Number(m[7]) >= 0);
  // Between the task's running and final lines.
  const text = run.stdout;
  assert.ok(text.indexOf('slow  → running') < text.indexOf('  progress  '));
  assert.ok(text.lastIndexOf('  progress  ') < text.indexOf('slow  → ok'));
});

test('a run shorter than the interval (10 s unless set) prints no progress line', async () => {
  const run = await runCli([writeJob(), '--output', 'plain', '--results', join(dir, 'b.jsonl')], {
    env: { JOBRUN_PROGRESS_INTERVAL_MS: '' },
  });
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /slow {2}→ ok {2}/);
  assert.doesNotMatch(run.stdout, / progress /);
});
