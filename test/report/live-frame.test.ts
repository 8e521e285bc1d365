import assert from 'node:assert/strict';
import { test } from 'node:test';
import { displayWidth, fitWidth } from '../../src/report/format.ts';
import { listingLines } from '../../src/report/live-rows.ts';
import { RunTally } from '../../src/report/run-tally.ts';
import { createStyle, stripAnsi } from '../../src/report/style.ts';
import { createFrameWriter } from '../../src/report/terminal-frame.ts';
import { fetchThenReport } from './synthetic-events.ts';

/** What log-update writes to erase `count` lines up from the cursor. */
const erase = (count: number): string =>
  '\u001B[2K\u001B[1A'.repeat(count - 1) + '\u001B[2K\u001B[G';

function recorder(size: { columns: number; rows: number }) {
  const writes: string[] = [];
  const screen = { ...size };
  const frames = createFrameWriter((text) => writes.push(text));
  const writer = {
    draw: (lines: string[], isFinal = false) => frames.draw(lines, screen, isFinal),
  };
  return { writes, screen, writer };
}

test('a frame replaces the previous one, erasing its lines from the cursor up', () => {
  const { writes, writer } = recorder({ columns: 80, rows: 24 });
  writer.draw(['first', 'second']);
  writer.draw(['third']);
  writer.draw(['third']);
  writer.draw(['fourth', 'fifth']);
  assert.deepEqual(writes, [
    'first\nsecond\n',
    `${erase(3)}third\n`,
    // An unchanged frame is not written again.
    `${erase(2)}fourth\nfifth\n`,
  ]);
});

test('a frame taller than the terminal keeps its last lines, except the final frame', () => {
  const { writes, writer } = recorder({ columns: 80, rows: 3 });
  writer.draw(['a', 'b', 'c', 'd']);
  writer.draw(['a', 'b', 'c', 'd', 'e'], true);
  assert.deepEqual(writes, ['c\nd\n', `${erase(3)}a\nb\nc\nd\ne\n`]);
});

test('when the terminal gets narrower, the previous frame is erased as the terminal wraps it now', () => {
  const { writes, screen, writer } = recorder({ columns: 80, rows: 24 });
  writer.draw(['x'.repeat(60), 'short']);
  screen.columns = 40;
  writer.draw(['x'.repeat(30), 'short']);
  // The cursor's line, the 60-column line now on two rows, the short one.
  assert.equal(writes[1], `${erase(4)}${'x'.repeat(30)}\nshort\n`);
});

test('lines are cut by the columns a terminal draws: wide characters count two', () => {
  assert.equal(fitWidth('plain text', 20), 'plain text');
  assert.equal(fitWidth('plain text', 6), 'plain…');
  assert.equal(fitWidth('漢字漢字', 8), '漢字漢字');
  assert.equal(fitWidth('漢字漢字', 5), '漢字…');
  assert.equal(fitWidth('漢字漢字', 6), '漢字…');
  assert.equal(displayWidth('漢字 ok 🚀'), 9);
  assert.equal(
    fitWidth('a\u001B[2Jb\nc', 20),
    'a?[2Jb?c',
    'control characters cannot move the cursor',
  );
  assert.equal(fitWidth('anything', 0), '');
});

test('no line of the listing is wider than the terminal less two columns, whatever the items', () => {
  const events = fetchThenReport(4).map((event) =>
    event.type === 'item-started' ? { ...event, item: `漢字のURL/${'長'.repeat(60)}` } : event,
  );
  const tally = new RunTally({ trackInFlight: true });
  const cut = events.findIndex((e) => e.type === 'item-started' && e.index === 2) + 1;
  for (const event of events.slice(0, cut)) tally.apply(event);
  for (const columns of [40, 80]) {
    const lines = listingLines(tally, {
      columns,
      rows: 24,
      nowMs: Date.now(),
      style: createStyle(true),
      spinner: '⠋',
      isFinal: false,
    });
    assert.match(stripAnsi(lines[1]!), /^ {2}› #2 {2}"?漢字/);
    for (const line of lines) {
      assert.ok(displayWidth(stripAnsi(line)) <= columns - 2, `too wide at ${columns}: ${line}`);
    }
  }
});

test('services show as rows above the tasks: starting, ready, exited with what happened', () => {
  const tally = new RunTally({ trackInFlight: true });
  const at = new Date().toISOString();
  for (const event of fetchThenReport(3)) {
    tally.apply(event);
    if (event.type === 'run-started') break;
  }
  const service = { at, logPath: '/tmp/x.jsonl.site.log' };
  tally.apply({ type: 'service-state', service: 'site', state: 'starting', ...service });
  tally.apply({ type: 'service-state', service: 'db', state: 'starting', ...service });
  tally.apply({
    type: 'service-state',
    service: 'site',
    state: 'ready',
    readyMs: 61.2,
    ...service,
  });
  tally.apply({
    type: 'service-state',
    service: 'db',
    state: 'exited',
    message: 'exited with code 4 while tasks ran',
    lines: ['lost my database'],
    ...service,
  });
  const lines = listingLines(tally, {
    columns: 80,
    rows: 24,
    nowMs: Date.now(),
    style: createStyle(false),
    spinner: '⠋',
    isFinal: false,
  });
  assert.match(lines[0] ?? '', /^● site +service {2}ready in 61\.2ms$/);
  assert.match(lines[1] ?? '', /^✖ db +service {2}exited$/);
  assert.equal(lines[2], '  › exited with code 4 while tasks ran');
  assert.match(lines[3] ?? '', /fetch/);
});
