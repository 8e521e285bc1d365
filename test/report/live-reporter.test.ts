import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import { createReporter } from '../../src/report/create-reporter.ts';
import { stripAnsi } from '../../src/report/style.ts';
import { eventually } from '../helpers/processes.ts';
import { captureStream, fetchThenReport } from './synthetic-events.ts';

/** log-update erases the previous frame with ESC[2K (erase line) before drawing the next. */
const FRAME_START = /(?:\u001B\[2K\u001B\[1A)*\u001B\[2K\u001B\[G/g;

function lastFrame(text: string): string {
  const parts = text.split(FRAME_START);
  return stripAnsi(parts.at(-1) ?? '');
}

test('live shows a row per task, the items in flight, then the final rows, error line and summary', async () => {
  const stdout = captureStream({ columns: 80, rows: 30 });
  const reporter = await createReporter('live', { stdout, stderr: captureStream() });
  // Fresh timestamps, so that elapsed times are real.
  const now = new Date().toISOString();
  const events = fetchThenReport(6, new Set([4])).map((event) =>
    'at' in event ? { ...event, at: now } : event,
  );
  const cut = events.findIndex((e) => e.type === 'item-started' && e.index === 2) + 1;
  for (const event of events.slice(0, cut)) reporter.onEvent(event);
  // Until the listing's first frame (drawn on a timer) shows these rows.
  await eventually(() => /#2[^]*report/.test(stripAnsi(stdout.text())));
  const running = stripAnsi(stdout.text());
  assert.match(running, /fetch\s+2\/6\s+✔ 2\s+coroutine/);
  assert.match(running, /#2\s+item-2\s+\d/);
  assert.match(running, /report\s+waiting\s+process/);

  for (const event of events.slice(cut)) reporter.onEvent(event);
  await reporter.close();
  const final = lastFrame(stdout.text());
  assert.match(final, /✖ fetch\s+6\/6\s+✔ 5\s+✖ 1\s+failed\s+coroutine\s+\d+\.\dms\n/);
  assert.match(final, /\n\s+› TIMEOUT: attempt exceeded 1000ms \(fetch\[4\]\)\n/);
  assert.match(final, /↓ report\s+skipped\n/);
  assert.match(final, /\nrun crawl failed in 2\.3s\n/);
  assert.match(final, /errors in fetch \(1 failed\):\n\s+×1\s+TIMEOUT/);
  assert.doesNotMatch(final, /#2/, 'no in-flight lines once the task is over');
});

test('live redraws at most about ten times a second however many events arrive', async () => {
  const stdout = captureStream({ columns: 80, rows: 30 });
  const reporter = await createReporter('live', { stdout, stderr: captureStream() });
  const events = fetchThenReport(100_000);
  const startedMs = Date.now();
  const burst = 10_000;
  for (let i = 0; i < events.length; i += burst) {
    for (const event of events.slice(i, i + burst)) reporter.onEvent(event);
    await sleep(20);
  }
  await reporter.close();
  const elapsedMs = Date.now() - startedMs;
  const frames = stdout.text().match(FRAME_START)?.length ?? 0;
  assert.ok(frames <= elapsedMs / 100 + 5, `${frames} frames in ${elapsedMs}ms`);
  assert.match(lastFrame(stdout.text()), /✔ fetch\s+100000\/100000\s+✔ 100000\s+coroutine/);
});

test('live ends cleanly when the run never finishes (the engine threw)', async () => {
  const stdout = captureStream({ columns: 80, rows: 30 });
  const reporter = await createReporter('live', { stdout, stderr: captureStream() });
  const events = fetchThenReport(3).slice(0, 5);
  for (const event of events) reporter.onEvent(event);
  await reporter.close();
  const final = lastFrame(stdout.text());
  assert.match(final, /fetch\s+1\/3\s+✔ 1/);
  assert.doesNotMatch(final, /run crawl/, 'no summary without run-finished');
  assert.ok(
    stdout.text().endsWith('\u001B[?25h') || stdout.text().includes('\u001B[?25h'),
    'cursor shown again',
  );
});

test('live prints nothing when no run started', async () => {
  const stdout = captureStream({ columns: 80, rows: 30 });
  const reporter = await createReporter('live', { stdout, stderr: captureStream() });
  await reporter.close();
  assert.equal(stdout.text(), '');
});

test('live holds other output while it draws and writes it after the final frame, before the summary', async () => {
  const stdout = captureStream({ columns: 80, rows: 30 });
  const stderr = captureStream();
  const reporter = await createReporter('live', { stdout, stderr });
  const events = fetchThenReport(3);
  const cut = events.findIndex((e) => e.type === 'item-started') + 1;
  for (const event of events.slice(0, cut)) reporter.onEvent(event);
  stdout.write('a line a task printed\n');
  stderr.write('a warning a task printed\n');
  await sleep(300);
  assert.doesNotMatch(stdout.text(), /a line a task printed/, 'held while the listing draws');
  assert.equal(stderr.text(), '');

  for (const event of events.slice(cut)) reporter.onEvent(event);
  await reporter.close();
  const text = stripAnsi(stdout.text());
  const frame = text.lastIndexOf('✔ report');
  const printed = text.indexOf('a line a task printed\n');
  const summary = text.indexOf('run crawl');
  assert.ok(frame !== -1 && frame < printed && printed < summary, text);
  assert.equal(stderr.text(), 'a warning a task printed\n');
  stdout.write('after the listing\n');
  assert.match(stdout.text(), /after the listing\n$/, 'stdout writes directly again');
});
