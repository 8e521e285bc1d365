import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runCli } from '../helpers/cli.ts';
import { tempDir, writeJobFile } from '../helpers/files.ts';
import { itemRecords, readRecords } from '../helpers/results.ts';
import { assertSlidingRate, copyStampFixture, maxOverlap, readStamps } from './support.ts';

const KINDS = ['process', 'thread', 'coroutine'] as const;

/** Start times of `item-started` events of `--output json`: every attempt, as jobrun counted it. */
function attemptStarts(stdout: string, task: string): number[] {
  return stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as { type: string; task?: string; at?: string })
    .filter((event) => event.type === 'item-started' && event.task === task)
    .map((event) => Date.parse(event.at ?? ''));
}

for (const kind of KINDS) {
  describe(`flow control on ${kind}`, () => {
    it('never starts more than rate.limit attempts in any window of rate.per', async (t) => {
      const dir = tempDir(`flow-rate-${kind}`, t);
      copyStampFixture(dir);
      const file = writeJobFile(
        dir,
        'job',
        `executor: { kind: ${kind}, maxWorkers: 4 }
results: ./out.jsonl
tasks:
  quick:
    function: ./stamp.mjs
    map: { range: 10 }
    with: { ms: 5 }
    rate: { limit: 3, per: 250ms }
  flaky:
    function: ./stamp.mjs
    map: { range: 4 }
    with: { ms: 5, failUntil: 2 }
    retries: { limit: 1, delay: 0 }
    rate: { limit: 2, per: 250ms }
`,
      );
      const result = await runCli([file, '--output', 'json'], {
        env: { STAMPS: join(dir, 'stamps') },
      });
      assert.equal(result.code, 0, result.stderr);
      const records = readRecords(join(dir, 'out.jsonl'));
      const quick = itemRecords(records, 'quick');
      assert.equal(quick.length, 10);
      const starts = quick.map((record) => Date.parse(String(record.startedAt)));
      assertSlidingRate(starts, 3, 250);
      // Ten starts at three per window need at least three full windows.
      assert.ok(Math.max(...starts) - Math.min(...starts) >= 750);
      // Retries count: 8 attempts of `flaky`, at most 2 per window, as jobrun started them.
      const flaky = itemRecords(records, 'flaky');
      assert.deepEqual(
        flaky.map((record) => [record.status, record.attempts]),
        Array.from({ length: 4 }, () => ['ok', 2]),
      );
      const flakyStarts = attemptStarts(result.stdout, 'flaky');
      assert.equal(flakyStarts.length, 8);
      assertSlidingRate(flakyStarts, 2, 250);
      assert.match(result.stdout, /"type":"task-waiting","task":"quick","on":"rate 3 per 250ms"/);
    });

    it('never runs more attempts of a resource at once than its capacity, across tasks and kinds', async (t) => {
      const dir = tempDir(`flow-resource-${kind}`, t);
      copyStampFixture(dir);
      const other = kind === 'coroutine' ? 'thread' : 'coroutine';
      const file = writeJobFile(
        dir,
        'job',
        `executor: { kind: ${kind}, maxWorkers: 4 }
results: ./out.jsonl
resources: { db: 1, api: 2 }
tasks:
  writer:
    function: ./stamp.mjs
    map: { range: 6 }
    with: { ms: 20, failUntil: 2 }
    retries: { limit: 1, delay: 0 }
    uses: [db]
  both:
    function: ./stamp.mjs
    map: { range: 6 }
    with: { ms: 20 }
    uses: [db, api]
    executor: { kind: ${other} }
  reader:
    function: ./stamp.mjs
    map: { range: 8 }
    with: { ms: 20 }
    uses: [api]
`,
      );
      const result = await runCli([file, '--output', 'plain'], {
        env: { STAMPS: join(dir, 'stamps') },
      });
      assert.equal(result.code, 0, result.stderr);
      const stamps = readStamps(join(dir, 'stamps'));
      assert.equal(stamps.length, 6 * 2 + 6 + 8);
      const db = stamps.filter(({ task }) => task === 'writer' || task === 'both');
      const api = stamps.filter(({ task }) => task === 'reader' || task === 'both');
      assert.equal(maxOverlap(db), 1);
      assert.ok(maxOverlap(api) <= 2, `api ran ${maxOverlap(api)} at once`);
      assert.match(result.stdout, /(writer|both) {2}waiting: db/);
    });
  });
}
