import assert from 'node:assert/strict';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { parseRetryAfter } from '../../src/actions/http-action.ts';
import { validateJob } from '../../src/job/load.ts';
import type { RetryPolicy } from '../../src/job/types.ts';
import { ResourcePool } from '../../src/run/resource-pool.ts';
import { retryWaitMs } from '../../src/run/retry-policy.ts';
import { runCli } from '../helpers/cli.ts';
import { tempDir, writeJobFile } from '../helpers/files.ts';
import { closeAll, listenLocally } from '../helpers/local-site.ts';
import { itemRecords, readRecords } from '../helpers/results.ts';
import { copyStampFixture, readStamps } from './support.ts';

const POLICY: RetryPolicy = {
  limit: 5,
  delayMs: 100,
  backoff: 'exponential',
  jitter: false,
  on: ['EXIT_CODE'],
};

describe('retry waits', () => {
  it('doubles from delay, is capped by maxDelay, and jitter draws from 0 to the cap', () => {
    assert.deepEqual(
      [1, 2, 3, 4].map((n) => retryWaitMs(POLICY, n)),
      [100, 200, 400, 800],
    );
    assert.equal(retryWaitMs({ ...POLICY, backoff: 'fixed' }, 4), 100);
    assert.equal(retryWaitMs({ ...POLICY, maxDelayMs: 300 }, 4), 300);
    assert.equal(
      retryWaitMs({ ...POLICY, maxDelayMs: 300, jitter: true }, 4, undefined, () => 0.5),
      150,
    );
    assert.equal(retryWaitMs({ ...POLICY, maxDelayMs: 300 }, 1, 5000), 300);
    assert.equal(retryWaitMs(POLICY, 1, 5000), 5000);
  });

  it('reads Retry-After as seconds or an HTTP date', () => {
    const now = Date.parse('2030-01-01T00:00:00Z');
    assert.equal(parseRetryAfter('3', now), 3000);
    assert.equal(parseRetryAfter('Tue, 01 Jan 2030 00:00:02 GMT', now), 2000);
    assert.equal(parseRetryAfter('Mon, 31 Dec 2029 00:00:00 GMT', now), 0);
    assert.equal(parseRetryAfter('soon', now), undefined);
    assert.equal(parseRetryAfter(undefined, now), undefined);
  });
});

describe('resource pool', () => {
  it('grants all or nothing, in order per resource, so no request starves', async () => {
    const pool = new ResourcePool({ db: 1, api: 1 });
    const never = new AbortController().signal;
    const order: string[] = [];
    assert.equal(await pool.acquire(['db'], never), true);
    const both = pool.acquire(['db', 'api'], never).then(() => order.push('both'));
    // `api` is free, but `both` waits for it too and came first: this one waits behind it.
    const apiOnly = pool.acquire(['api'], never).then(() => order.push('api'));
    const dbOnly = pool.acquire(['db'], never).then(() => order.push('db'));
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(order, []);
    pool.release(['db']);
    await both;
    assert.deepEqual(order, ['both']);
    pool.release(['db', 'api']);
    await Promise.all([apiOnly, dbOnly]);
    assert.deepEqual(order.sort(), ['api', 'both', 'db']);
  });
});

describe('retry policy through the CLI', () => {
  it('retries only the codes under on:, with fixed or exponential waits between attempts', async (t) => {
    const dir = tempDir('flow-retry', t);
    copyStampFixture(dir);
    const file = writeJobFile(
      dir,
      'job',
      `results: ./out.jsonl
tasks:
  notListed:
    run: exit 3
    retries: { limit: 2, on: [TIMEOUT] }
  listed:
    run: exit 3
    retries: { limit: 2, delay: 10ms, on: [EXIT_CODE] }
  fixed:
    function: ./stamp.mjs
    with: { ms: 1, failUntil: 4 }
    retries: { limit: 3, delay: 150ms, backoff: fixed }
  exponential:
    function: ./stamp.mjs
    with: { ms: 1, failUntil: 4 }
    retries: { limit: 3, delay: 100ms }
  capped:
    function: ./stamp.mjs
    with: { ms: 1, failUntil: 2 }
    retries: { limit: 1, delay: 1h, maxDelay: 50ms, jitter: true }
  shortForm:
    function: ./stamp.mjs
    with: { ms: 1, failUntil: 3 }
    retries: 2
    retryDelay: 100ms
`,
    );
    const result = await runCli([file, '--output', 'plain'], {
      env: { STAMPS: join(dir, 'stamps') },
    });
    assert.equal(result.code, 1, result.stderr);
    const records = readRecords(join(dir, 'out.jsonl'));
    const attemptsOf = (task: string): unknown => itemRecords(records, task)[0]?.attempts;
    assert.equal(attemptsOf('notListed'), 1);
    assert.equal(attemptsOf('listed'), 3);
    assert.equal(attemptsOf('capped'), 2);
    const stamps = readStamps(join(dir, 'stamps'));
    /** Gaps between one attempt's end and the next one's start, as the function saw them. */
    const gaps = (task: string): number[] => {
      const own = stamps.filter((stamp) => stamp.task === task);
      own.sort((a, b) => a.attempt - b.attempt);
      return own.slice(1).map((stamp, i) => stamp.start - (own[i]?.end ?? 0));
    };
    const atLeast = (task: string, waits: number[]): void => {
      const seen = gaps(task);
      assert.equal(seen.length, waits.length, task);
      seen.forEach((gap, i) => assert.ok(gap >= (waits[i] ?? 0), `${task}: ${seen.join(', ')}`));
    };
    atLeast('fixed', [150, 150, 150]);
    atLeast('exponential', [100, 200, 400]);
    atLeast('shortForm', [100, 200]);
  });

  it('waits for an http Retry-After on 429 and 503, capped by maxDelay', async (t) => {
    const calls = new Map<string, number[]>();
    const [server, base] = await listenLocally(
      (request: IncomingMessage, response: ServerResponse) => {
        const path = request.url ?? '';
        const seen = calls.get(path) ?? [];
        seen.push(Date.now());
        calls.set(path, seen);
        if (seen.length > 1) {
          response.end('ok');
          return;
        }
        if (path === '/seconds') response.writeHead(503, { 'retry-after': '1' });
        else if (path === '/date') {
          response.writeHead(429, { 'retry-after': new Date(Date.now() + 2000).toUTCString() });
        } else response.writeHead(503, { 'retry-after': '3600' });
        response.end();
      },
    );
    after(() => closeAll([server]));
    const dir = tempDir('flow-retry-after', t);
    const file = writeJobFile(
      dir,
      'job',
      `results: ./out.jsonl
tasks:
  seconds:
    http: { url: "${base}/seconds" }
    retries: { limit: 1, delay: 0 }
  date:
    http: { url: "${base}/date" }
    retries: { limit: 1, delay: 0 }
  capped:
    http: { url: "${base}/capped" }
    retries: { limit: 1, delay: 0, maxDelay: 100ms }
`,
    );
    const result = await runCli([file, '--output', 'plain']);
    assert.equal(result.code, 0, result.stderr);
    const gap = (path: string): number => {
      const [first = 0, second = 0] = calls.get(path) ?? [];
      return second - first;
    };
    assert.ok(gap('/seconds') >= 1000, `Retry-After: 1 waited ${gap('/seconds')} ms`);
    // A date has whole seconds: 2 s ahead is at least 1 s ahead.
    assert.ok(gap('/date') >= 1000, `Retry-After: date waited ${gap('/date')} ms`);
    // Capped at 100 ms, not an hour: the run ended.
    assert.equal(calls.get('/capped')?.length, 2);
    const records = readRecords(join(dir, 'out.jsonl'));
    assert.deepEqual(
      ['seconds', 'date', 'capped'].map((task) => itemRecords(records, task)[0]?.attempts),
      [2, 2, 2],
    );
  });
});

describe('validation of uses:', () => {
  it('rejects an unknown resource name with its place and a did-you-mean', async (t) => {
    const dir = tempDir('flow-validate', t);
    const file = writeJobFile(
      dir,
      'job',
      `resources: { database: 1 }
tasks:
  a:
    run: echo hi
    uses: [databse]
`,
    );
    const problems = await validateJob(file);
    assert.deepEqual(
      problems.map(({ line, col, message }) => `${line}:${col} ${message}`),
      [
        '6:12 tasks.a.uses[0]: unknown resource "databse"; resources are database (did you mean "database"?)',
      ],
    );
    const result = await runCli([file]);
    assert.equal(result.code, 2);
    assert.match(
      result.stderr,
      /job\.yaml:6:12 {2}tasks\.a\.uses\[0\]: unknown resource "databse"/,
    );
  });
});
