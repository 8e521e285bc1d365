import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { describe, test, type TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runCli, startCli } from '../helpers/cli.ts';
import { tempDir, writeJobFile } from '../helpers/files.ts';
import { closedPorts } from '../helpers/local-site.ts';
import { eventually, isRunning } from '../helpers/processes.ts';
import { readRecords, type JsonRecord } from '../helpers/results.ts';

// Services through the real CLI: fixtures are tiny servers named for their behaviour, on free
// ports of 127.0.0.1, each writing its pid to a file so that a test can tell it is gone.

const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));

interface Setup {
  dir: string;
  job: string;
  results: string;
  pidFile: string;
  port: number;
}

/** A job with one service `svc` running `fixture` on a free port, and `tasks`. */
async function setUp(
  t: TestContext,
  fixture: string,
  service: string,
  tasks: string,
  env: Record<string, string> = {},
): Promise<Setup> {
  const dir = tempDir('services', t);
  const [port] = (await closedPorts(1)) as [number];
  const pidFile = join(dir, 'service.pid');
  const envText = Object.entries({ PORT: String(port), PID_FILE: pidFile, ...env })
    .map(([name, value]) => `      ${name}: ${JSON.stringify(value)}\n`)
    .join('');
  const body =
    `services:\n  svc:\n    run: node ${JSON.stringify(join(FIXTURES, fixture))}\n` +
    `${service.replaceAll('PORT', String(port))}\n    env:\n${envText}` +
    `tasks:\n${tasks.replaceAll('PORT', String(port))}`;
  const job = writeJobFile(dir, 'svc', body);
  return { dir, job, results: join(dir, 'results', 'svc.jsonl'), pidFile, port };
}

function run(setup: Setup, extra: string[] = []): ReturnType<typeof runCli> {
  return runCli([setup.job, '--output', 'plain', ...extra]);
}

function servicePid(setup: Setup): number {
  return Number(readFileSync(setup.pidFile, 'utf8'));
}

/** Whether something accepts a connection on 127.0.0.1:port. */
function isListening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.on('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
}

function serviceRecord(records: JsonRecord[]): JsonRecord | undefined {
  return records.find((record) => record.type === 'service');
}

/** A task that succeeds only if something listens on the port: proof the service was ready. */
const CONNECT_TASK =
  "  check:\n    run: node -e \"require('net').connect(PORT, '127.0.0.1').on('connect', () => process.exit(0)).on('error', () => process.exit(1))\"\n";

/** Whether the port is free within `timeoutMs` (a safety net, not a speed assertion). */
async function isFreedWithin(port: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (await isListening(port)) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return true;
}

/** After the run: the service's process is gone and its port is free. */
async function assertStopped(setup: Setup): Promise<void> {
  const pid = servicePid(setup);
  assert.ok(await eventually(() => !isRunning(pid), 2000), `service pid ${pid} still runs`);
  assert.ok(await isFreedWithin(setup.port, 2000), 'the port is still bound');
}

describe('services', () => {
  test('ready by http: tasks run after it answers; stopped after, port free, output logged', async (t) => {
    const setup = await setUp(
      t,
      'serve-http.js',
      '    ready: { http: "http://127.0.0.1:PORT/anything" }',
      '  fetch:\n    http: { url: "http://127.0.0.1:PORT/" }\n',
    );
    const result = await run(setup);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.match(result.stdout, /service svc {2}→ starting/);
    assert.match(result.stdout, /service svc {2}→ ready/);
    assert.match(result.stdout, /service svc {2}→ stopped/);
    const records = readRecords(setup.results);
    const service = serviceRecord(records);
    assert.equal(service?.status, 'stopped');
    assert.equal(service?.name, 'svc');
    assert.equal(typeof service?.readyMs, 'number');
    assert.ok('exitCode' in (service ?? {}));
    // Before the summary, after the items.
    assert.equal(records.at(-2)?.type, 'service');
    const log = readFileSync(`${setup.results}.svc.log`, 'utf8');
    assert.match(log, /serving http/);
    assert.match(log, /a line on stderr/);
    await assertStopped(setup);
  });

  test('ready by tcp: a connection accepted', async (t) => {
    const setup = await setUp(
      t,
      'serve-tcp.js',
      '    ready: { tcp: "127.0.0.1:PORT" }',
      CONNECT_TASK,
      {
        DELAY_MS: '300',
      },
    );
    const result = await run(setup);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    await assertStopped(setup);
  });

  test('ready by log: a line of its output contains the text', async (t) => {
    const setup = await setUp(
      t,
      'serve-tcp.js',
      '    ready: { log: "echo listening" }',
      CONNECT_TASK,
      {
        DELAY_MS: '300',
      },
    );
    const result = await run(setup);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.equal(serviceRecord(readRecords(setup.results))?.status, 'stopped');
    await assertStopped(setup);
  });

  test('not ready in time: exit 1, its last lines shown, no task ran, nothing left', async (t) => {
    const [closed] = (await closedPorts(1)) as [number];
    const setup = await setUp(
      t,
      'never-ready.js',
      `    ready: { tcp: "127.0.0.1:${closed}" }\n    timeout: 500ms`,
      `  first:\n    run: touch ran\n  second:\n    needs: [first]\n    run: touch ran\n`,
    );
    const result = await run(setup);
    assert.equal(result.code, 1, result.stdout + result.stderr);
    assert.match(
      result.stdout,
      new RegExp(
        `service svc: not ready after 500ms \\(no connection to 127\\.0\\.0\\.1:${closed}\\)`,
      ),
    );
    assert.match(result.stdout, /^ {4}warming up$/m);
    assert.match(result.stdout, /^ {4}still warming up$/m);
    assert.equal(existsSync(join(setup.dir, 'ran')), false, 'a task ran');
    const records = readRecords(setup.results);
    assert.deepEqual(
      records
        .filter((record) => record.type === 'item')
        .map((record) => [record.task, record.status]),
      [
        ['first', 'cancelled'],
        ['second', 'cancelled'],
      ],
    );
    assert.deepEqual(
      { ...serviceRecord(records) },
      { type: 'service', name: 'svc', status: 'failed', readyMs: null, exitCode: null },
    );
    assert.equal(records.at(-1)?.status, 'failed');
    const pid = servicePid(setup);
    assert.ok(await eventually(() => !isRunning(pid), 2000), `service pid ${pid} still runs`);
  });

  test('exits before it is ready: exit 1 with its exit code and last lines, no task ran', async (t) => {
    const setup = await setUp(
      t,
      'exit-early.js',
      '    ready: { log: "never printed" }',
      '  only:\n    run: touch ran\n',
    );
    const result = await run(setup);
    assert.equal(result.code, 1, result.stdout + result.stderr);
    assert.match(result.stdout, /service svc: exited with code 3 before it was ready/);
    assert.match(result.stdout, /reading config/);
    assert.match(result.stdout, /config missing: cannot start/);
    assert.equal(existsSync(join(setup.dir, 'ran')), false);
    const service = serviceRecord(readRecords(setup.results));
    assert.equal(service?.status, 'failed');
    assert.equal(service?.exitCode, 3);
  });

  test('exits while tasks run: items in flight fail SERVICE_EXITED, the rest are cancelled', async (t) => {
    const dir = tempDir('services-trigger', t);
    const trigger = join(dir, 'go');
    const setup = await setUp(
      t,
      'exit-later.js',
      '    ready: { http: "http://127.0.0.1:PORT/" }',
      `  work:\n    map: { range: 6 }\n    executor: { maxWorkers: 2 }\n    run: touch ${JSON.stringify(trigger)}; sleep 20\n  after:\n    needs: [work]\n    run: "true"\n`,
      { EXIT_WHEN: trigger },
    );
    const result = await run(setup);
    assert.equal(result.code, 1, result.stdout + result.stderr);
    const records = readRecords(setup.results);
    const items = records.filter((record) => record.type === 'item' && record.task === 'work');
    const failed = items.filter((record) => record.status === 'failed');
    assert.equal(failed.length, 2);
    for (const record of failed) {
      assert.deepEqual(record.error, {
        message: 'service svc exited with code 4 while tasks ran',
        code: 'SERVICE_EXITED',
      });
    }
    const summary = records.at(-1) as JsonRecord & {
      tasks: Record<string, Record<string, number>>;
    };
    const work = summary.tasks.work!;
    assert.equal(work.failed, 2);
    assert.equal(work.ok! + work.failed + work.skipped! + work.cancelled!, work.total);
    assert.equal(summary.tasks.after?.cancelled, 1);
    assert.deepEqual(
      { ...serviceRecord(records) },
      {
        type: 'service',
        name: 'svc',
        status: 'exited',
        readyMs: serviceRecord(records)?.readyMs,
        exitCode: 4,
      },
    );
    assert.match(result.stdout, /service svc: exited with code 4 while tasks ran/);
    assert.match(result.stdout, /lost my database/);
  });

  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const) {
    test(`${signal} stops the service too`, async (t) => {
      const setup = await setUp(
        t,
        'serve-http.js',
        '    ready: { http: "http://127.0.0.1:PORT/" }',
        '  wait:\n    map: { range: 3 }\n    executor: { maxWorkers: 1 }\n    run: sleep 0.5\n',
      );
      const cli = startCli([setup.job, '--output', 'plain']);
      await cli.waitFor(/wait {2}→ running/);
      cli.child.kill(signal);
      assert.equal(await cli.exited, code, cli.output());
      assert.match(cli.output(), /service svc {2}→ stopped/);
      await assertStopped(setup);
    });
  }

  test('a SIGKILLed jobrun: the reaper stops the service', async (t) => {
    const setup = await setUp(
      t,
      'serve-http.js',
      '    ready: { http: "http://127.0.0.1:PORT/" }',
      '  wait:\n    run: sleep 30\n',
    );
    const cli = startCli([setup.job, '--output', 'plain']);
    await cli.waitFor(/wait {2}→ running/);
    const pid = servicePid(setup);
    assert.ok(isRunning(pid));
    cli.child.kill('SIGKILL');
    await cli.exited;
    assert.ok(await eventually(() => !isRunning(pid), 15_000), `service pid ${pid} still runs`);
    assert.ok(await isFreedWithin(setup.port, 5000), 'the port is still bound');
  });

  test('a service that ignores SIGTERM is killed after the grace', async (t) => {
    const dir = tempDir('services-term', t);
    const termFile = join(dir, 'terms');
    const setup = await setUp(
      t,
      'ignore-sigterm.js',
      '    ready: { log: "ignoring SIGTERM" }',
      '  quick:\n    run: "true"\n',
      { TERM_FILE: termFile },
    );
    const result = await run(setup);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.match(readFileSync(termFile, 'utf8'), /SIGTERM/);
    assert.equal(serviceRecord(readRecords(setup.results))?.status, 'stopped');
    await assertStopped(setup);
  });

  test('--no-services starts none and records each skipped; --dry-run lists them', async (t) => {
    const setup = await setUp(
      t,
      'serve-http.js',
      '    ready: { http: "http://127.0.0.1:PORT/" }',
      '  quick:\n    run: "true"\n',
    );
    const result = await run(setup, ['--no-services']);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.equal(existsSync(setup.pidFile), false, 'the service started');
    assert.equal(serviceRecord(readRecords(setup.results))?.status, 'skipped');
    const plan = await runCli([setup.job, '--dry-run']);
    assert.equal(plan.code, 0, plan.stderr);
    assert.match(
      plan.stdout,
      new RegExp(
        `service svc {2}node .*serve-http\\.js" {2}ready: http http://127\\.0\\.0\\.1:${setup.port}/ within 30\\.0s`,
      ),
    );
    const skipped = await runCli([setup.job, '--dry-run', '--no-services']);
    assert.match(skipped.stdout, /service svc .* skipped \(--no-services\)/);
  });

  test('json output: service-state events from starting to stopped', async (t) => {
    const setup = await setUp(
      t,
      'serve-http.js',
      '    ready: { http: "http://127.0.0.1:PORT/" }',
      '  quick:\n    run: "true"\n',
    );
    const result = await runCli([setup.job, '--output', 'json']);
    assert.equal(result.code, 0, result.stderr);
    const states = result.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { type: string; state?: string; service?: string })
      .filter((event) => event.type === 'service-state')
      .map((event) => `${event.service}:${event.state}`);
    assert.deepEqual(states, ['svc:starting', 'svc:ready', 'svc:stopped']);
  });
});
