import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runCli } from '../helpers/cli.ts';
import { tempDir } from '../helpers/files.ts';
import { closedPorts } from '../helpers/local-site.ts';
import { byIndex, readRecords, type JsonRecord } from '../helpers/results.ts';

const JOBS = fileURLToPath(new URL('../../jobs/', import.meta.url));
const workDir = tempDir('examples');
let site: ChildProcess;
let siteUrl = '';

before(async () => {
  // A second demo site on a free port of 127.0.0.1, for the jobs pointed elsewhere with --var.
  site = spawn(process.execPath, [join(JOBS, 'demo-site.js')], {
    env: { ...process.env, PORT: '0' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  siteUrl = await new Promise<string>((resolve, reject) => {
    site.stdout?.setEncoding('utf8').on('data', (text: string) => {
      const match = /http:\/\/127\.0\.0\.1:\d+/.exec(text);
      if (match) resolve(match[0]);
    });
    site.on('exit', () => reject(new Error('the demo site exited')));
  });
});

after(() => site.kill());

async function runExample(name: string, extra: string[] = []): Promise<JsonRecord[]> {
  const results = join(workDir, `${name}.jsonl`);
  const run = await runCli([
    join(JOBS, `${name}.yaml`),
    '--results',
    results,
    '--output',
    'plain',
    ...extra,
  ]);
  assert.equal(run.code, 0, run.stdout + run.stderr);
  const records = readRecords(results);
  assert.equal(records.at(-1)?.status, 'ok');
  return records;
}

describe('the example jobs', () => {
  test('every job file in jobs/ validates', async () => {
    const files = readdirSync(JOBS).filter((file) => file.endsWith('.yaml'));
    assert.ok(files.length >= 5);
    const run = await runCli(['validate', ...files.map((file) => join(JOBS, file))]);
    assert.equal(run.code, 0, run.stderr);
  });

  test('squares: n² in item order, and their sum', async () => {
    const records = await runExample('squares');
    assert.deepEqual(
      byIndex(records, 'square').map((record) => record.result),
      Array.from({ length: 20 }, (_, n) => n * n),
    );
    assert.equal(byIndex(records, 'total')[0]?.result, 2470);
  });

  test('crawl: its demo site started as a service; the callback writes one line per page', async () => {
    // As a user runs it from a fresh clone: nothing else started, the job's own service serves.
    // A free port instead of the example's 8787, which another program on the machine may hold.
    const [port] = await closedPorts(1);
    const site = `http://127.0.0.1:${port}`;
    const records = await runExample('crawl', ['--var', `port=${port}`, '--var', `site=${site}`]);
    const service = records.find((record) => record.type === 'service');
    assert.equal(service?.name, 'site');
    assert.equal(service?.status, 'stopped');
    assert.equal(typeof service?.readyMs, 'number');
    const pages = byIndex(records, 'fetch').map(
      (record) => record.result as { url: string; size: number },
    );
    assert.equal(pages.length, 10);
    assert.deepEqual(pages[1], { url: `${site}/pages/1`, size: 1007 });
    const lines = readFileSync(join(JOBS, 'results', 'crawl-pages.txt'), 'utf8')
      .trim()
      .split('\n');
    assert.equal(lines.length, 10);
    assert.ok(lines.includes(`url: ${site}/pages/1 size: 1007`));
    assert.equal((byIndex(records, 'report')[0]?.result as { stdout: string }).stdout.trim(), '10');
  });

  test('crawl --var site=… --no-services: another site, no service started', async () => {
    const records = await runExample('crawl', ['--var', `site=${siteUrl}`, '--no-services']);
    assert.deepEqual(
      records.filter((record) => record.type === 'service').map((record) => record.status),
      ['skipped'],
    );
    assert.ok(
      byIndex(records, 'fetch').every((record) =>
        String((record.result as { url: string }).url).startsWith(siteUrl),
      ),
    );
  });

  test('echo: 100 clients of the echo service, min ≤ median ≤ max round trip', async () => {
    const [port] = await closedPorts(1);
    const records = await runExample('echo', ['--var', `port=${port}`]);
    assert.equal(byIndex(records, 'ping').filter((record) => record.status === 'ok').length, 100);
    const stats = byIndex(records, 'stats')[0]?.result as Record<string, number>;
    assert.equal(stats.clients, 100);
    assert.ok(
      stats.minMs! <= stats.medianMs! && stats.medianMs! <= stats.maxMs!,
      JSON.stringify(stats),
    );
    assert.equal(records.find((record) => record.type === 'service')?.status, 'stopped');
  });

  test('pipeline: every produced record is consumed', async () => {
    const records = await runExample('pipeline');
    assert.equal(byIndex(records, 'consume').length, 40);
    const expected = Array.from({ length: 40 }, (_, id) => 3 + (id % 5)).reduce((a, b) => a + b, 0);
    assert.equal(byIndex(records, 'tally')[0]?.result, expected);
  });

  test('shell: each item stays one argument', async () => {
    const records = await runExample('shell');
    const outputs = byIndex(records, 'greet').map(
      (record) => (record.result as { stdout: string }).stdout,
    );
    assert.deepEqual(outputs, ['world|0|', "it's me|1|", 'a; echo injected|2|', '$(whoami)|3|']);
  });

  test('mixed: CPU work on processes, fetching on coroutines', async () => {
    const records = await runExample('mixed', ['--var', `site=${siteUrl}`]);
    assert.ok(
      byIndex(records, 'fib').every((record) => String(record.worker).startsWith('process-')),
    );
    assert.ok(byIndex(records, 'fetch').every((record) => record.worker === 'coroutine'));
    assert.deepEqual(byIndex(records, 'report')[0]?.result, {
      fibTotal: 46368 + 75025 + 121393 + 196418,
      bytes: 36000 + 8 * 7,
    });
  });

  test('health: samples the machine', async () => {
    const records = await runExample('health');
    assert.equal(byIndex(records, 'sample')[0]?.status, 'ok');
  });
});
