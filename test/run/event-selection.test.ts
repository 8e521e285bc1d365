import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadJob, runJob, type RunEvent, type RunEventSelection } from '../../src/index.ts';

const MOD = fileURLToPath(new URL('../fixtures/engine/mod.js', import.meta.url));
const workDir = mkdtempSync(join(tmpdir(), 'jobrun-events-'));

// Synchronous functions on coroutines: items settle without a promise, a failed one retries.
const JOB = `name: selection
executor: { kind: coroutine, maxWorkers: 2 }
tasks:
  values:
    map: [{ value: 1 }, { value: 2, bad: true }, { value: 3 }]
    function: ${MOD}#failOn
    retries: 1
    retryDelay: 10ms
    continueOnError: true
`;

async function run(name: string, events?: RunEventSelection) {
  const file = join(workDir, `${name}.yaml`);
  writeFileSync(file, JOB);
  const seen: RunEvent[] = [];
  const resultsPath = join(workDir, `${name}.jsonl`);
  await runJob(await loadJob(file), {
    resultsPath,
    onEvent: (event) => seen.push(event),
    ...(events === undefined ? {} : { events }),
  });
  const records = readFileSync(resultsPath, 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((record) => record.type === 'item')
    .map(({ startedAt, durationMs, ...rest }) => {
      assert.equal(typeof startedAt, 'string');
      assert.equal(typeof durationMs, 'number');
      return rest;
    })
    .sort((a, b) => (a.index as number) - (b.index as number));
  return { seen, records };
}

describe('the events a listener asks for', { timeout: 30_000 }, () => {
  test('by default every attempt start and every finished item is an event', async () => {
    const { seen, records } = await run('all');
    assert.equal(seen.filter((event) => event.type === 'item-started').length, 4);
    assert.equal(seen.filter((event) => event.type === 'item-finished').length, 3);
    assert.deepEqual(
      records.map((record) => [record.status, record.result, record.attempts]),
      [
        ['ok', 1, 1],
        ['failed', null, 2],
        ['ok', 3, 1],
      ],
    );
  });

  test('without item starts and ok items, only failures come, and the file is the same', async () => {
    const all = await run('all-again');
    const { seen, records } = await run('failures', {
      itemStarted: false,
      itemOk: false,
      log: false,
    });
    assert.equal(seen.filter((event) => event.type === 'item-started').length, 0);
    const finished = seen.filter((event) => event.type === 'item-finished');
    assert.deepEqual(
      finished.map((event) => [event.record.index, event.record.status]),
      [[1, 'failed']],
    );
    assert.ok(seen.some((event) => event.type === 'run-finished'));
    assert.deepEqual(records, all.records);
  });
});

describe('what the live listing asks for', { timeout: 30_000 }, () => {
  test("'waiting' starts and progress: instant items cost no per-item event, items that run a while are announced", async () => {
    const file = join(workDir, 'waiting.yaml');
    // The waiting items run until the test has heard of all three: if they were never
    // announced, the run would never end.
    const release = join(workDir, 'waiting.release');
    writeFileSync(
      file,
      `name: waiting
executor: { kind: coroutine, maxWorkers: 4 }
tasks:
  instant:
    map: { range: 300 }
    function: ${MOD}
  waiting:
    map: [${release}, ${release}, ${release}]
    function: ${MOD}#waitForFile
`,
    );
    const seen: RunEvent[] = [];
    const announced = new Set<number | null>();
    await runJob(await loadJob(file), {
      resultsPath: join(workDir, 'waiting.jsonl'),
      onEvent: (event) => {
        seen.push(event);
        if (event.type !== 'item-started' || event.task !== 'waiting') return;
        announced.add(event.index);
        if (announced.size === 3) writeFileSync(release, '');
      },
      events: { itemStarted: 'waiting', itemOk: false, progress: true },
    });
    const of = (type: RunEvent['type'], task: string) =>
      seen.filter((event) => event.type === type && 'task' in event && event.task === task);
    const finishedOf = (task: string) =>
      seen.filter((event) => event.type === 'item-finished' && event.record.task === task);
    assert.equal(of('item-started', 'instant').length, 0);
    assert.equal(finishedOf('instant').length, 0);
    assert.equal(of('item-started', 'waiting').length, 3);
    assert.equal(finishedOf('waiting').length, 3, 'an announced item is always finished too');
    const last = of('task-progress', 'instant').at(-1);
    assert.deepEqual(last, {
      type: 'task-progress',
      task: 'instant',
      ok: 300,
      failed: 0,
      skipped: 0,
      cancelled: 0,
      cached: 0,
    });
    const lastState = seen.findLastIndex(
      (event) => event.type === 'task-state' && event.task === 'instant',
    );
    assert.ok(seen.indexOf(last) < lastState, 'the final counts come before the final state');
  });
});
