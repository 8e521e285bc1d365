import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { shellQuote } from '../../src/expr/shell-quote.ts';
import { CLI_PATH } from '../helpers/cli.ts';
import { tempDir } from '../helpers/files.ts';
import { eventually, isRunning, pidsIn } from '../helpers/processes.ts';
import { byIndex, readRecords } from '../helpers/results.ts';
import { testsNeeding } from '../helpers/tools.ts';

// The built CLI in a real pseudo-terminal (tmux, on a private server socket), asserting what a
// person sees on the screen.

const test = testsNeeding('tmux', 'these tests run jobrun in a tmux terminal');
const FIXTURES = fileURLToPath(new URL('../fixtures/report/', import.meta.url));
const SOCKET = `jobrun-report-test-${process.pid}`;
const dir = tempDir('report');

function tmux(...args: string[]): string {
  return execFileSync('tmux', ['-L', SOCKET, ...args], { encoding: 'utf8' });
}

interface Screen {
  /** Every distinct screen seen while the command ran. */
  snapshots: string[];
  /** The screen once the command exited, and its exit code. */
  final: string;
  exitCode: number;
}

/**
 * Runs `jobrun ARGS` in a new tmux window of the given size and watches the screen until it exits.
 * With `narrow`, `above` lines are printed first, and the window is narrowed to `to` columns once
 * `when` is on the screen.
 */
async function runInTerminal(
  name: string,
  args: string[],
  size: { x: number; y: number },
  narrow?: { to: number; when: RegExp; above: number },
): Promise<Screen> {
  const command = [
    narrow === undefined ? '' : `for i in $(seq ${narrow.above}); do echo "above $i"; done;`,
    'env -u CI NO_COLOR=1',
    shellQuote(process.execPath),
    shellQuote(CLI_PATH),
    ...args.map(shellQuote),
    '; echo "EXIT=$?"; sleep 600',
  ].join(' ');
  tmux('new-session', '-d', '-s', name, '-x', String(size.x), '-y', String(size.y), command);
  const snapshots: string[] = [];
  const deadline = Date.now() + 60_000;
  try {
    while (Date.now() < deadline) {
      const screen = tmux('capture-pane', '-p', '-t', name);
      if (snapshots.at(-1) !== screen) snapshots.push(screen);
      if (narrow !== undefined && narrow.when.test(screen)) {
        tmux('resize-window', '-t', name, '-x', String(narrow.to));
        narrow = undefined;
      }
      const exit = /EXIT=(\d+)/.exec(screen);
      if (exit !== null) return { snapshots, final: screen, exitCode: Number(exit[1]) };
      await sleep(50);
    }
    throw new Error(`jobrun did not exit in time; last screen:\n${snapshots.at(-1) ?? ''}`);
  } finally {
    tmux('kill-session', '-t', name);
  }
}

after(() => {
  try {
    tmux('kill-server');
  } catch {
    // No session left: the server has already gone.
  }
});

test('a 100x40 terminal shows rows, items in flight, counts reaching totals, the error and the summary', async () => {
  const results = join(dir, 'slow.jsonl');
  const job = join(FIXTURES, 'slow-then-failing.yaml');
  const screen = await runInTerminal('slow', [job, '--results', results], { x: 100, y: 40 });

  const running = screen.snapshots.find((s) => /#\d+ {2}\d+ {2}\d/.test(s));
  assert.ok(
    running !== undefined,
    `no item in flight was ever shown:\n${screen.snapshots.join('\n---\n')}`,
  );
  assert.match(running, /slow {3}\d+\/12 {2}✔ \d+ {2}coroutine/);
  assert.match(running, /check {2}waiting {2}coroutine/);
  assert.match(running, /after {2}waiting {2}coroutine/);

  const lines = screen.final.split('\n');
  assert.match(lines[0]!, /^✔ slow {3}12\/12 {2}✔ 12 {2}coroutine {2}\d/);
  assert.match(lines[1]!, /^✖ check {2}5\/5 {2}✔ 2 {2}✖ 3 {2}failed {2}coroutine {2}\d/);
  assert.match(
    lines[2]!,
    /^ {2}› ×3 {2}TASK_ERROR: odd items are not allowed \(first: check\[0\]\)$/,
  );
  assert.match(lines[3]!, /^↓ after {2}skipped$/);
  assert.ok(lines.includes('run slow-then-failing failed in ' + /in (\S+)/.exec(screen.final)![1]));
  assert.match(screen.final, /\ncheck +failed +2 +3 +0 +0 /);
  assert.match(screen.final, /\nafter +skipped +0 +0 +1 +0 /);
  assert.ok(screen.final.includes(`results: ${results}`));
  assert.match(
    screen.final,
    /errors in check \(3 failed\):\n {2}×3 {2}TASK_ERROR: odd items are not allowed/,
  );
  assert.equal(screen.exitCode, 1);
});

test('a 40-column terminal stays readable: rows and errors are cut, not wrapped', async () => {
  const results = join(dir, 'narrow.jsonl');
  const job = join(FIXTURES, 'slow-then-failing.yaml');
  const screen = await runInTerminal('narrow', [job, '--results', results], { x: 40, y: 20 });
  const lines = screen.final.split('\n');
  assert.match(lines[0]!, /^✔ slow {3}12\/12 {2}✔ 12 {2}coroutine/);
  assert.match(lines[1]!, /^✖ check {2}5\/5 {2}✔ 2 {2}✖ 3 {2}failed/);
  assert.match(lines[2]!, /^ {2}› ×3 {2}TASK_ERROR: odd items are \S*…$/);
  assert.match(lines[3]!, /^↓ after {2}skipped$/);
  assert.match(screen.final, /\ntask +status +ok +failed( +\S+)*\n/);
  for (const line of lines) assert.ok(line.length <= 40, `wider than the terminal: ${line}`);
  assert.match(screen.final, /\ncheck +failed +2 +3\b/);
  assert.equal(screen.exitCode, 1);
});

test('a terminal narrowed while the listing draws: no frame is left behind, rows fit the new width', async () => {
  const results = join(dir, 'narrowed.jsonl');
  const job = join(FIXTURES, 'slow-then-failing.yaml');
  const screen = await runInTerminal(
    'narrowed',
    [job, '--results', results],
    { x: 100, y: 45 },
    // Narrower than the rows drawn so far, which the terminal now wraps; lines above the listing
    // leave it room to wrap downwards.
    { to: 30, when: /#\d+ {2}\d+ {2}\d/, above: 8 },
  );
  // tmux keeps the cursor's row as it wraps, so the first lines may go up into its history.
  const all = screen.final.split('\n');
  const start = all.indexOf('above 8') + 1;
  assert.ok(start > 0, `what was above the listing was erased:\n${screen.final}`);
  assert.ok(
    all.slice(0, start).every((line) => /^above \d$/.test(line)),
    `the listing left lines above itself:\n${screen.final}`,
  );
  // A frame being written at the very moment the terminal reflows can be erased by the old
  // width's count and leave one line of itself behind (log-update has the same race): such a
  // line may stand above the final frame, never inside it.
  const finalAt = all.findLastIndex((line) => /^✔ slow /.test(line));
  assert.ok(finalAt >= start, `no final frame:\n${screen.final}`);
  const left = all.slice(start, finalAt);
  assert.ok(left.length <= 1, `more than one line of an earlier frame is left:\n${screen.final}`);
  const lines = all.slice(finalAt);
  assert.match(lines[0]!, /^✔ slow {3}12\/12 {2}✔ 12 {2}\S/);
  assert.match(lines[1]!, /^✖ check {2}5\/5 {2}✔ 2 {2}✖ 3/);
  assert.match(lines[2]!, /^ {2}› ×3 {2}TASK_ERROR: \S.*…$/);
  assert.match(lines[3]!, /^↓ after {2}skipped$/);
  assert.doesNotMatch(
    lines.join('\n'),
    /#\d+ {2}\d/,
    'no line of an earlier frame in the final one',
  );
  for (const line of all.slice(start))
    assert.ok(line.length <= 30, `wider than the terminal: ${line}`);
  assert.equal(screen.exitCode, 1);
});

test('without --output a terminal gets the live listing, and a successful run ends with exit 0', async () => {
  const results = join(dir, 'ok.jsonl');
  const job = join(FIXTURES, 'all-ok.yaml');
  const screen = await runInTerminal('ok', [job, '--results', results], { x: 100, y: 40 });
  const lines = screen.final.split('\n');
  assert.match(lines[0]!, /^✔ numbers {2}5\/5 {2}✔ 5 {2}coroutine/);
  assert.match(lines[1]!, /^✔ done {5}done {2}coroutine/);
  assert.match(screen.final, /\nrun all-ok ok in /);
  assert.equal(screen.exitCode, 0);
});

test('closing the terminal drains the run: a complete file, the commands in flight finished, none left', async () => {
  const results = join(dir, 'hangup.jsonl');
  const pids = join(dir, 'hangup-pids.txt');
  const job = join(dir, 'hangup.yaml');
  writeFileSync(
    job,
    `name: hangup\nexecutor: { kind: coroutine, maxWorkers: 2 }\ntasks:\n  slow:\n    map: { range: 6 }\n    run: echo $$ >> ${pids}; sleep 1\n`,
  );
  // Killing the session hangs up the terminal: its shell dies of SIGHUP, and the kernel sends
  // SIGHUP to jobrun. (Node 20 then aborts while restoring the vanished terminal's settings on
  // exit, nodejs/node#51519, so the exit code is not jobrun's to assert here; the pipe tests in
  // test/cli/run-control.test.ts check 129.)
  const command = [process.execPath, CLI_PATH, job, '--results', results].map(shellQuote).join(' ');
  tmux('new-session', '-d', '-s', 'hangup', '-x', '80', '-y', '20', 'sh', '-c', command);
  await eventually(() => pidsIn(pids).length >= 2);
  tmux('kill-session', '-t', 'hangup');
  await eventually(() => existsSync(results) && readRecords(results).at(-1)?.type === 'summary');

  const records = readRecords(results);
  const items = byIndex(records, 'slow');
  const started = items.filter((record) => record.startedAt !== null);
  assert.ok(started.length >= 2 && started.length < 6, `drained ${started.length} items`);
  assert.ok(
    started.every((record) => record.status === 'ok'),
    'the commands in flight finished',
  );
  assert.ok(
    items.every((record) => record.startedAt !== null || record.status === 'cancelled'),
    'an item taken but not started is cancelled',
  );
  assert.equal(records.at(-1)?.type, 'summary');
  assert.equal(records.at(-1)?.status, 'cancelled');
  await sleep(200);
  assert.deepEqual(pidsIn(pids).filter(isRunning), [], 'no command outlives jobrun');
});
