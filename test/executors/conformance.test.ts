import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createExecutor } from '../../src/executors/create-executor.ts';
import type { ActionOutcome, Executor } from '../../src/executors/types.ts';
import type { ExecutorConfig } from '../../src/job/types.ts';
import { tempDir } from '../helpers/files.ts';
import { closeAll, closedPorts, listenLocally } from '../helpers/local-site.ts';
import { startWorkers, stopWorkers, type StartedWorker } from '../helpers/queue-workers.ts';
import { missingRedis, startRedis, type LocalRedis } from '../helpers/redis.ts';
import {
  errorOf,
  eventually,
  executeInChild,
  fn,
  isAlive,
  maxOverlap,
  KINDS,
  request,
  valueOf,
} from './support.ts';

// One suite, every executor kind: switching `kind` changes no result. The queue kind runs on two
// `jobrun worker` processes (process pools of 2) on a private redis-server.

const WORKER_ID = {
  process: /^process-\d+$/,
  thread: /^thread-\d+$/,
  coroutine: /^coroutine$/,
  queue: /^[^:]+:\d+:process-\d+$/,
};
const noRedis = missingRedis();
const ALL_KINDS = [...KINDS, 'queue'] as const;
let redis: LocalRedis | undefined;
let workers: StartedWorker[] = [];

function configOf(kind: (typeof ALL_KINDS)[number], maxWorkers: number): ExecutorConfig {
  if (kind !== 'queue') return { kind, maxWorkers };
  return { kind, maxWorkers, connection: (redis as LocalRedis).url };
}

/** Results that must be the same on every kind, by case name. */
const resultsByKind = new Map<string, Record<string, unknown>>();

let server: Server;
let baseUrl: string;
const tmp = tempDir('conformance');

before(async () => {
  [server, baseUrl] = await listenLocally((req, res) => {
    if (req.url === '/json') {
      res.setHeader('content-type', 'application/json; charset=utf-8');
      res.end(JSON.stringify({ hello: 'world', method: req.method }));
    } else if (req.url === '/echo') {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ received: JSON.parse(body) as unknown, method: req.method }));
      });
    } else if (req.url === '/text') {
      res.setHeader('content-type', 'text/plain');
      res.end('héllo');
    } else {
      res.statusCode = 404;
      res.end('not here');
    }
  });
});

after(() => closeAll([server]));

for (const kind of ALL_KINDS) {
  const skip = kind === 'queue' ? noRedis : false;
  describe(`${kind} executor`, { timeout: 120_000, skip }, () => {
    let executor: Executor;
    const results: Record<string, unknown> = {};

    before(async () => {
      if (kind === 'queue') {
        redis = await startRedis();
        workers = await startWorkers(redis.url, 2, { concurrency: 2 });
      }
      executor = await createExecutor(configOf(kind, 2));
    });
    after(async () => {
      if (kind !== 'queue') return;
      await stopWorkers(workers);
      await redis?.stop();
    });
    after(async () => {
      await executor.shutdown();
      resultsByKind.set(kind, results);
    });

    test('runs a JS function per item, in its worker, loading the module once', async () => {
      const outcomes = await Promise.all(
        Array.from({ length: 10 }, (_, i) => executor.execute(request(fn('double.js'), i, i))),
      );
      const values = outcomes.map(valueOf) as { value: number; loads: number; workerId: string }[];
      assert.deepEqual(
        values.map((v) => v.value),
        [0, 2, 4, 6, 8, 10, 12, 14, 16, 18],
      );
      for (const [i, v] of values.entries()) {
        assert.equal(v.loads, 1, 'one module load per worker');
        // A queue worker's function sees its local pool's id; the record adds host and pid.
        const localId = kind === 'queue' ? outcomes[i]?.workerId?.replace(/^.*:/, '') : undefined;
        assert.match(outcomes[i]?.workerId ?? '', WORKER_ID[kind]);
        assert.equal(localId ?? outcomes[i]?.workerId, v.workerId);
      }
      results.double = values.map((v) => v.value);
    });

    test('runs a named export of a TypeScript module', async () => {
      const value = valueOf(await executor.execute(request(fn('typed.ts', 'shout'), 'hi')));
      assert.deepEqual(value, { text: 'HI!', length: 3 });
      results.typed = value;
    });

    test('gives the function its context and forwards ctx.log', async () => {
      const logs: string[] = [];
      const started: string[] = [];
      const outcome = await executor.execute(request(fn('context.js'), { n: 1 }, 4), {
        onLog: (message) => logs.push(message),
        onStart: (workerId) => started.push(workerId),
      });
      const value = valueOf(outcome);
      // A Date becomes its JSON form on every kind, not only across boundaries.
      assert.deepEqual(value, {
        input: { n: 1 },
        item: { n: 1 },
        index: 4,
        task: 't',
        job: 'j',
        attempt: 1,
        hasSignal: true,
        when: '1970-01-01T00:00:00.000Z',
      });
      assert.deepEqual(logs, ['seen {"n":1}']);
      assert.deepEqual(started, [outcome.workerId]);
      results.context = value;
    });

    test('every line an attempt logs arrives, in order, before its outcome', async () => {
      const lines = 200;
      const outcomes = await Promise.all(
        [0, 1, 2, 3].map(async (index) => {
          const logs: string[] = [];
          const outcome = await executor.execute(request(fn('chatty.js'), lines, index), {
            onLog: (message) => logs.push(message),
          });
          // What arrives once the outcome is known is too late for its record.
          return { value: valueOf(outcome), logs: [...logs] };
        }),
      );
      for (const [index, { value, logs }] of outcomes.entries()) {
        assert.equal(value, lines);
        assert.deepEqual(
          logs,
          Array.from({ length: lines }, (_, i) => `${index}:${i + 1}`),
        );
      }
    });

    test('onStart tells when the attempt started, even when it learns it later', async () => {
      // 30 ms: over before a queue worker's start message; 150 ms: told by one, 50 ms in.
      for (const ms of [30, 150]) {
        let startedAt = Number.NaN;
        const outcome = await executor.execute(request(fn('sleep.js'), ms), {
          onStart: (_worker, startedAgoMs = 0) => (startedAt = performance.now() - startedAgoMs),
        });
        const ranMs = performance.now() - startedAt;
        valueOf(outcome);
        // A local pool may count a start a turn late (after the previous outcome's reactions), a
        // few ms on a loaded machine; a start learnt only from the reply would give about 0 ms,
        // and one from the 50 ms start message about 100 ms for 150.
        assert.ok(ranMs >= ms - 20, `${ms} ms of sleep recorded as ${ranMs.toFixed(1)} ms`);
      }
    });

    test('a thrown error fails the item with TASK_ERROR, its message and stack', async () => {
      const error = errorOf(await executor.execute(request(fn('fail.js'), 'x')));
      assert.equal(error.code, 'TASK_ERROR');
      assert.equal(error.message, 'cannot handle x');
      assert.match((error as { stack?: string }).stack ?? '', /fail\.js/);
      results.fail = { code: error.code, message: error.message };
    });

    test('a value that cannot be recorded fails only its item with NOT_SERIALIZABLE', async () => {
      const outcomes = await Promise.all([
        executor.execute(request(fn('not-serializable.js', 'returnsFunction'))),
        executor.execute(request(fn('not-serializable.js', 'returnsSocket'))),
        executor.execute(request(fn('not-serializable.js', 'returnsBigInt'))),
        executor.execute(request(fn('double.js'), 21)),
      ]);
      assert.deepEqual(
        outcomes.slice(0, 3).map((o) => errorOf(o).code),
        ['NOT_SERIALIZABLE', 'NOT_SERIALIZABLE', 'NOT_SERIALIZABLE'],
      );
      assert.equal((valueOf(outcomes[3]) as { value: number }).value, 42);
    });

    test('runs a shell command, capturing stdout and stderr', async () => {
      const value = valueOf(
        await executor.execute(
          request({ type: 'run', cwd: tmpdir(), command: 'echo out; echo err >&2' }),
        ),
      );
      assert.deepEqual(value, { exitCode: 0, stdout: 'out\n', stderr: 'err\n' });
      results.run = value;
    });

    test('a non-zero exit fails with EXIT_CODE naming the code and the last stderr line', async () => {
      const error = errorOf(
        await executor.execute(
          request({
            type: 'run',
            cwd: tmpdir(),
            command: 'echo first >&2; echo "no such file" >&2; exit 3',
          }),
        ),
      );
      assert.equal(error.code, 'EXIT_CODE');
      assert.equal(error.message, 'command exited with code 3: no such file');
      results.exitCode = error.message;
    });

    test('a shell command sees JOBRUN_ITEM, JOBRUN_INDEX, JOBRUN_TASK, JOBRUN_JOB', async () => {
      const command = `printf '%s|%s|%s|%s' "$JOBRUN_ITEM" "$JOBRUN_INDEX" "$JOBRUN_TASK" "$JOBRUN_JOB"`;
      const [json, text] = await Promise.all([
        executor.execute(request({ type: 'run', command, cwd: tmpdir() }, { a: [1, 'b'] }, 2)),
        executor.execute(request({ type: 'run', command, cwd: tmpdir() }, 'a b; c', null)),
      ]);
      assert.equal((valueOf(json) as { stdout: string }).stdout, '{"a":[1,"b"]}|2|t|j');
      assert.equal((valueOf(text) as { stdout: string }).stdout, 'a b; c||t|j');
    });

    test('makes HTTP requests: JSON and text bodies, sizes, statuses', async () => {
      const http = (path: string, extra: object = {}) =>
        executor.execute(
          request({ type: 'http', url: `${baseUrl}${path}`, method: 'GET', ...extra }),
        );
      const [json, posted, text, missing] = await Promise.all([
        http('/json'),
        http('/echo', { method: 'POST', json: { x: [1, 2] } }),
        http('/text'),
        http('/missing'),
      ]);
      const jsonValue = valueOf(json) as Record<string, unknown>;
      assert.equal(jsonValue.status, 200);
      assert.equal(jsonValue.url, `${baseUrl}/json`);
      assert.deepEqual(jsonValue.body, { hello: 'world', method: 'GET' });
      assert.equal(jsonValue.size, Buffer.byteLength('{"hello":"world","method":"GET"}'));
      assert.match(String((jsonValue.headers as Record<string, string>)['content-type']), /json/);
      const postedValue = valueOf(posted) as Record<string, unknown>;
      assert.deepEqual(postedValue.body, { received: { x: [1, 2] }, method: 'POST' });
      const textValue = valueOf(text) as Record<string, unknown>;
      assert.equal(textValue.body, 'héllo');
      assert.equal(textValue.size, 6, 'size counts bytes, not characters');
      const error = errorOf(missing);
      assert.equal(error.code, 'HTTP_STATUS');
      assert.match(error.message, /404/);
      assert.match(error.message, /\/missing/);
      results.http = { json: jsonValue.body, text: textValue.body, status: error.message };
    });

    test('a network error fails with TASK_ERROR', async () => {
      const [port] = await closedPorts(1);
      const error = errorOf(
        await executor.execute(
          request({ type: 'http', url: `http://127.0.0.1:${port}/`, method: 'GET' }),
        ),
      );
      assert.equal(error.code, 'TASK_ERROR');
      assert.match(error.message, /ECONNREFUSED/);
    });

    test('never runs more than maxWorkers attempts at once', async () => {
      let running = 0;
      let maxRunning = 0;
      const outcomes = await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          executor
            .execute(request(fn('sleep.js'), 60, i), {
              onStart: () => (maxRunning = Math.max(maxRunning, ++running)),
            })
            .finally(() => running--),
        ),
      );
      assert.ok(maxRunning <= 2, `at most 2 started attempts were open, saw ${maxRunning}`);
      const overlap = maxOverlap(outcomes);
      assert.ok(overlap <= 2, `at most 2 attempts ran at once, saw ${overlap}`);
    });

    test('crashes (process.exit, async throw, unhandled rejection) fail only their item', async () => {
      const outcomes = await executeInChild(configOf(kind, 2), [
        request(fn('double.js'), 1),
        request(fn('crash-exit.js')),
        request(fn('double.js'), 2),
        request(fn('throw-async.js')),
        request(fn('reject-unhandled.js')),
        request(fn('double.js'), 3),
      ]);
      assert.deepEqual(
        outcomes.map((o) => (o.ok ? (o.value as { value: number }).value : o.error.code)),
        [2, 'WORKER_CRASHED', 4, 'WORKER_CRASHED', 'WORKER_CRASHED', 6],
      );
      assert.match(errorOf(outcomes[3] as ActionOutcome).message, /boom in a timer/);
      assert.match(errorOf(outcomes[4] as ActionOutcome).message, /nobody handles this rejection/);
    });

    test('a timeout fails the attempt with TIMEOUT and the executor goes on', async () => {
      const [hung, other] = await Promise.all([
        executor.execute(request(fn('hang.js')), { timeoutMs: 300 }),
        executor.execute(request(fn('double.js'), 5)),
      ]);
      const error = errorOf(hung);
      assert.equal(error.code, 'TIMEOUT');
      assert.equal(error.message, 'the attempt timed out after 300 ms');
      assert.equal((valueOf(other) as { value: number }).value, 10);
      const next = await executor.execute(request(fn('double.js'), 6));
      assert.equal((valueOf(next) as { value: number }).value, 12);
    });

    test('a timeout stops the shell command and what it started', async () => {
      const pidFile = join(tmp, `${kind}-timeout.pid`);
      const outcome = await executor.execute(
        request({ type: 'run', cwd: tmpdir(), command: `sleep 30 & echo $! > ${pidFile}; wait` }),
        { timeoutMs: 500 },
      );
      assert.equal(errorOf(outcome).code, 'TIMEOUT');
      const sleepPid = Number(await readFile(pidFile, 'utf8'));
      assert.ok(await eventually(() => !isAlive(sleepPid)), `sleep ${sleepPid} is gone`);
    });

    test('an aborted signal cancels a running attempt, and a queued one before it starts', async () => {
      const running = new AbortController();
      const queued = new AbortController();
      const started: string[] = [];
      const pending = [
        executor.execute(request(fn('wait-for-abort.js')), {
          signal: running.signal,
          onStart: () => running.abort(),
        }),
        executor.execute(request(fn('hang.js')), { timeoutMs: 1500 }),
        executor.execute(request(fn('hang.js')), { timeoutMs: 1500 }),
        executor.execute(request(fn('double.js'), 1), {
          signal: queued.signal,
          onStart: (id) => started.push(id),
        }),
      ];
      queued.abort();
      const [cancelled, , , neverRan] = await Promise.all(pending);
      assert.equal(errorOf(cancelled as ActionOutcome).code, 'CANCELLED');
      assert.equal(errorOf(neverRan as ActionOutcome).code, 'CANCELLED');
      assert.equal(neverRan?.workerId, null);
      assert.deepEqual(started, [], 'the queued attempt never started');
    });

    test('a forced shutdown cancels running attempts and leaves no process behind', async () => {
      const own = await createExecutor(configOf(kind, 2));
      const pidFile = join(tmp, `${kind}-shutdown.pid`);
      const workerPids = new Set<number>();
      const started = new Promise<void>((resolve) => {
        void own
          .execute(
            request({
              type: 'run',
              cwd: tmpdir(),
              command: `sleep 30 & echo $! > ${pidFile}; wait`,
            }),
          )
          .then((outcome) => assert.equal(errorOf(outcome).code, 'CANCELLED'));
        void own.execute(request(fn('sleep.js'), 10)).then((outcome) => {
          workerPids.add((valueOf(outcome) as { pid: number }).pid);
          resolve();
        });
      });
      await started;
      assert.ok(await eventually(() => readPid(pidFile) > 0));
      const sleepPid = readPid(pidFile);
      assert.ok(isAlive(sleepPid));
      await own.shutdown({ force: true });
      if (kind === 'process') {
        for (const pid of workerPids) assert.equal(isAlive(pid), false, `worker ${pid} reaped`);
      }
      assert.ok(await eventually(() => !isAlive(sleepPid)), `sleep ${sleepPid} is gone`);
    });
  });
}

function readPid(path: string): number {
  try {
    return Number(readFileSync(path, 'utf8')) || 0;
  } catch {
    return 0;
  }
}

test('every kind gives the same results', () => {
  const baseline = resultsByKind.get('coroutine');
  assert.ok(baseline !== undefined && Object.keys(baseline).length >= 7);
  for (const kind of ALL_KINDS) {
    if (kind === 'queue' && noRedis !== false) continue;
    assert.deepEqual(resultsByKind.get(kind), baseline, kind);
  }
});
