import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { runCli, type CliResult } from '../helpers/cli.ts';
import { tempDir, writeJobFile } from '../helpers/files.ts';
import { closeAll, listenLocally, sendForever } from '../helpers/local-site.ts';
import { eventually, isRunning, pidsIn } from '../helpers/processes.ts';
import { itemRecords, readRecords, type JsonRecord } from '../helpers/results.ts';

/**
 * Hostile output and hostile job files through the real CLI, in folders outside the repository:
 * jobrun's memory stays bounded whatever a command prints or a server sends, a command's
 * background children end with it, redirects keep the job's headers at home, and a job file that
 * would exhaust the parser is a problem with a place, never a stack trace.
 */

const KINDS = ['coroutine', 'process', 'thread'] as const;
/** A generous bound on any jobrun process's peak memory, against 100 MB of output. */
const MAX_RSS_KB = 300 * 1024;

const workDir = tempDir('faults');
const rssProbe = join(workDir, 'rss-probe.mjs');
// Loaded into every node process jobrun starts (its own, its process workers): each writes its
// peak resident memory when it exits.
writeFileSync(
  rssProbe,
  [
    "import { appendFileSync } from 'node:fs';",
    "import { isMainThread } from 'node:worker_threads';",
    "if (isMainThread) process.on('exit', () => appendFileSync(process.env.RSS_FILE, `${process.pid} ${process.resourceUsage().maxRSS}\\n`));",
  ].join('\n'),
);

let siteA: Server;
let siteB: Server;
let baseA = '';
let baseB = '';

/** `/endless` sends a body until the client goes; `/to?URL` redirects; `/echo` echoes headers. */
function site(request: IncomingMessage, response: ServerResponse): void {
  const url = request.url ?? '/';
  if (url === '/endless') {
    sendForever(response);
  } else if (url.startsWith('/to?')) {
    response.writeHead(302, { location: url.slice('/to?'.length) }).end();
  } else {
    response.setHeader('content-type', 'application/json');
    response.end(JSON.stringify(request.headers));
  }
}

before(async () => {
  [siteA, baseA] = await listenLocally(site);
  [siteB, baseB] = await listenLocally(site);
});

const leftPids: number[] = [];
after(() => {
  closeAll([siteA, siteB]);
  // A failing test must not leave its sleepers behind.
  for (const pid of leftPids) if (isRunning(pid)) process.kill(pid, 'SIGKILL');
});

/** A job file in a folder of its own, so that its `results/` holds its results alone. */
function writeJob(name: string, body: string | Buffer): string {
  return writeJobFile(mkdtempSync(join(workDir, `${name}-`)), name, body);
}

function resultsOf(file: string, name: string): JsonRecord[] {
  return readRecords(join(file, '..', 'results', `${name}.jsonl`));
}

function assertNoStack(result: CliResult): void {
  const output = result.stdout + result.stderr;
  assert.doesNotMatch(output, /internal error/);
  assert.doesNotMatch(output, /^\s+at .+:\d+:\d+\)?$/m, 'no stack trace');
}

describe('output is bounded on every executor kind', { timeout: 120_000 }, () => {
  for (const kind of KINDS) {
    test(`${kind}: 100 MB of stdout and an endless HTTP body fail OUTPUT_TOO_LARGE in bounded memory`, async () => {
      const name = `big-${kind}`;
      const file = writeJob(
        name,
        [
          `executor: { kind: ${kind}, maxWorkers: 2 }`,
          'tasks:',
          '  print:',
          "    run: head -c 104857600 /dev/zero | tr '\\0' x",
          '    maxOutput: 1MB',
          '  fetch:',
          `    http: { url: "${baseA}/endless" }`,
          '    maxOutput: 1MB',
          '',
        ].join('\n'),
      );
      const rssFile = join(file, '..', 'rss.txt');
      const result = await runCli([file, '--output', 'plain'], {
        env: { NODE_OPTIONS: `--import ${pathToFileURL(rssProbe).href}`, RSS_FILE: rssFile },
        timeoutMs: 100_000,
      });
      assertNoStack(result);
      assert.equal(result.code, 1, result.stderr);
      const items = itemRecords(resultsOf(file, name));
      assert.deepEqual(
        items.map((item) => [item.task, (item.error as { code: string } | null)?.code]).sort(),
        [
          ['fetch', 'OUTPUT_TOO_LARGE'],
          ['print', 'OUTPUT_TOO_LARGE'],
        ],
      );
      const print = items.find((item) => item.task === 'print');
      assert.match(
        (print?.error as { message: string }).message,
        /stdout is larger than maxOutput \(1MB\).*maxOutput/,
      );
      const peaks = readFileSync(rssFile, 'utf8').trim().split('\n');
      // jobrun itself, plus its process workers on `process`.
      assert.ok(peaks.length >= (kind === 'process' ? 2 : 1), `peaks: ${peaks.join(', ')}`);
      for (const line of peaks) {
        const peakKb = Number(line.split(' ')[1]);
        assert.ok(peakKb > 0 && peakKb < MAX_RSS_KB, `peak RSS ${peakKb} KB of pid ${line}`);
      }
    });
  }
});

describe("a command's background children end with its item", { timeout: 60_000 }, () => {
  for (const kind of KINDS) {
    test(`${kind}: nohup … & and … & are gone after jobrun exits 0`, async () => {
      const file = writeJob(
        `background-${kind}`,
        [
          `executor: { kind: ${kind}, maxWorkers: 2 }`,
          'tasks:',
          '  nohup:',
          '    run: nohup sleep 1000 >/dev/null 2>&1 & echo $! > nohup.pid',
          '  amp:',
          '    run: sleep 1000 >/dev/null 2>&1 & echo $! > amp.pid',
          '',
        ].join('\n'),
      );
      const result = await runCli([file, '--output', 'quiet']);
      const pids = ['nohup.pid', 'amp.pid'].flatMap((pidFile) => pidsIn(join(file, '..', pidFile)));
      leftPids.push(...pids);
      assertNoStack(result);
      assert.equal(result.code, 0, result.stderr);
      assert.equal(pids.length, 2);
      for (const pid of pids) {
        assert.equal(await eventually(() => !isRunning(pid)), true, `pid ${pid} still runs`);
      }
    });
  }
});

describe('http redirects', { timeout: 60_000 }, () => {
  test('a redirect to another origin drops the job set headers; redirects are recorded; followRedirects: false stops at the 3xx', async () => {
    const name = 'redirects';
    const file = writeJob(
      name,
      [
        'tasks:',
        '  across:',
        `    http: { url: "${baseA}/to?${baseB}/echo", headers: { x-api-key: s3cret, X-Trace-Me: yes } }`,
        '  within:',
        `    http: { url: "${baseA}/to?/echo", headers: { x-api-key: s3cret, X-Trace-Me: yes } }`,
        '  stay:',
        `    http: { url: "${baseA}/to?${baseB}/echo", followRedirects: false, headers: { x-api-key: s3cret } }`,
        '',
      ].join('\n'),
    );
    const result = await runCli([file, '--output', 'quiet']);
    assertNoStack(result);
    assert.equal(result.code, 0, result.stderr);
    const byTask = new Map(
      itemRecords(resultsOf(file, name)).map((item) => [item.task, item.result]),
    );
    const across = byTask.get('across') as {
      url: string;
      body: Record<string, string>;
      redirects: string[];
    };
    assert.equal(across.url, `${baseB}/echo`);
    assert.deepEqual(across.redirects, [`${baseB}/echo`]);
    assert.equal(across.body['x-api-key'], undefined, 'the key did not reach the other origin');
    assert.equal(across.body['x-trace-me'], undefined);
    const within = byTask.get('within') as { body: Record<string, string>; redirects: string[] };
    assert.deepEqual(within.redirects, [`${baseA}/echo`]);
    assert.equal(within.body['x-api-key'], 's3cret');
    assert.equal(within.body['x-trace-me'], 'yes');
    const stay = byTask.get('stay') as {
      status: number;
      headers: Record<string, string>;
      redirects: string[];
    };
    assert.equal(stay.status, 302);
    assert.equal(stay.headers.location, `${baseB}/echo`);
    assert.deepEqual(stay.redirects, []);
  });
});

describe('job files that would exhaust the parser are problems with a place', () => {
  const laughs = [
    'vars:',
    '  a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]',
    ...['b', 'c', 'd', 'e', 'f', 'g', 'h', 'i'].map(
      (name, index) => `  ${name}: &${name} [${Array(9).fill(`*${'abcdefgh'[index]}`).join(', ')}]`,
    ),
    'tasks:',
    '  t:',
    '    run: touch ran',
    '',
  ].join('\n');
  const deepBlock = [
    'vars:',
    '  deep:',
    ...Array.from({ length: 3000 }, (_, level) => `${' '.repeat(level + 4)}- `),
    `${' '.repeat(3004)}leaf`,
    'tasks:',
    '  t:',
    '    run: touch ran',
    '',
  ].join('\n');
  const deepFlow = `vars:\n  deep: ${'['.repeat(3000)}${']'.repeat(3000)}\ntasks:\n  t:\n    run: touch ran\n`;

  // "café" in Latin-1: 0xE9 alone is not UTF-8.
  const latin1 = Buffer.concat([
    Buffer.from('tasks:\n  t:\n    run: echo "caf'),
    Buffer.from([0xe9]),
    Buffer.from('" > ran\n'),
  ]);

  for (const [label, body, place] of [
    ['an alias bomb', laughs, /:5:10 {2}aliases expand to too many values .*alias bomb/],
    ['3000 levels of block nesting', deepBlock, /:\d+:\d+ {2}nested too deeply/],
    ['3000 levels of flow nesting', deepFlow, /:3:\d+ {2}nested too deeply/],
    ['a byte that is not UTF-8', latin1, /:4:19 {2}not valid UTF-8/],
  ] as const) {
    test(`${label}: exit 2, FILE:LINE:COL, no stack, nothing run`, async () => {
      const file = writeJob('hostile', body);
      for (const args of [['validate', file], [file]]) {
        const result = await runCli(args);
        assertNoStack(result);
        assert.equal(result.code, 2, result.stderr);
        assert.match(
          result.stderr,
          new RegExp(`^${file.replaceAll('.', '\\.')}${place.source}`, 'm'),
        );
      }
      // Nothing ran, with the file's bytes or any others.
      assert.equal(existsSync(join(file, '..', 'ran')), false);
      assert.equal(existsSync(join(file, '..', 'results')), false);
    });
  }
});
