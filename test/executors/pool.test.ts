import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { threadId } from 'node:worker_threads';
import { createExecutor } from '../../src/executors/create-executor.ts';
import { DRIVER, errorOf, eventually, fn, isAlive, request, valueOf } from './support.ts';

interface Ran {
  pid: number;
  workerId: string;
}

async function runTen(
  kind: 'process' | 'thread',
): Promise<{ ran: Ran[]; shutdown: () => Promise<void> }> {
  const executor = await createExecutor({ kind, maxWorkers: 2 });
  const outcomes = await Promise.all(
    Array.from({ length: 10 }, (_, i) => executor.execute(request(fn('sleep.js'), 30, i))),
  );
  return { ran: outcomes.map(valueOf) as Ran[], shutdown: () => executor.shutdown() };
}

test(
  'a process pool of 2 runs 10 items on at most 2 reused child processes',
  { timeout: 60_000 },
  async () => {
    const { ran, shutdown } = await runTen('process');
    const pids = new Set(ran.map((r) => r.pid));
    assert.ok(pids.size >= 1 && pids.size <= 2, `saw ${pids.size} pids`);
    assert.ok(!pids.has(process.pid));
    for (const r of ran) assert.equal(r.workerId, `process-${r.pid}`);
    for (const pid of pids) assert.ok(isAlive(pid), 'workers are long-lived between items');
    await shutdown();
    for (const pid of pids) assert.equal(isAlive(pid), false, `process ${pid} reaped by shutdown`);
  },
);

test(
  'a thread pool of 2 runs in this process on at most 2 distinct threads',
  { timeout: 60_000 },
  async () => {
    const { ran, shutdown } = await runTen('thread');
    assert.deepEqual(new Set(ran.map((r) => r.pid)), new Set([process.pid]));
    const ids = new Set(ran.map((r) => r.workerId));
    assert.ok(ids.size >= 1 && ids.size <= 2, `saw ${ids.size} threads`);
    for (const id of ids) {
      assert.match(id, /^thread-\d+$/);
      assert.notEqual(id, `thread-${threadId}`);
    }
    await shutdown();
  },
);

for (const kind of ['process', 'thread'] as const) {
  test(`a ${kind} worker that dies is replaced by a new one`, { timeout: 60_000 }, async () => {
    const executor = await createExecutor({ kind, maxWorkers: 1 });
    try {
      const before = valueOf(await executor.execute(request(fn('sleep.js'), 1))) as Ran;
      const crashed = await executor.execute(request(fn('crash-exit.js')));
      assert.equal(errorOf(crashed).code, 'WORKER_CRASHED');
      assert.equal(crashed.workerId, before.workerId, 'the crash is the worker that ran it');
      assert.match(errorOf(crashed).message, /exited with code 3/);
      const after = valueOf(await executor.execute(request(fn('sleep.js'), 1))) as Ran;
      assert.notEqual(after.workerId, before.workerId);
      if (kind === 'process') {
        assert.ok(await eventually(() => !isAlive(before.pid)));
      }
    } finally {
      await executor.shutdown();
    }
  });
}

test(
  'a graceful shutdown lets running attempts finish, then reaps every worker',
  { timeout: 60_000 },
  async () => {
    const executor = await createExecutor({ kind: 'process', maxWorkers: 2 });
    const pending = [1, 2, 3].map((i) => executor.execute(request(fn('sleep.js'), 200, i)));
    await new Promise((resolve) => setTimeout(resolve, 50));
    const stopped = executor.shutdown();
    const outcomes = await Promise.all(pending);
    await stopped;
    const pids = new Set((outcomes.map(valueOf) as Ran[]).map((r) => r.pid));
    for (const pid of pids) assert.equal(isAlive(pid), false);
    const late = await executor.execute(request(fn('sleep.js'), 1));
    assert.equal(errorOf(late).code, 'CANCELLED');
  },
);

test(
  'workers and their shell commands do not outlive a killed jobrun',
  { timeout: 60_000 },
  async () => {
    const tmp = await mkdtemp(join(tmpdir(), 'jobrun-orphans-'));
    try {
      const sleepFile = join(tmp, 'sleep.pid');
      const workerFile = join(tmp, 'worker.pid');
      const host = spawn(process.execPath, [
        DRIVER,
        JSON.stringify({
          config: { kind: 'process', maxWorkers: 1 },
          requests: [
            request({
              type: 'run',
              cwd: tmpdir(),
              command: `echo $PPID > ${workerFile}; sleep 30 & echo $! > ${sleepFile}; wait`,
            }),
          ],
        }),
      ]);
      const read = (path: string): number => {
        try {
          return Number(readFileSync(path, 'utf8')) || 0;
        } catch {
          return 0;
        }
      };
      assert.ok(await eventually(() => read(sleepFile) > 0 && read(workerFile) > 0));
      const [workerPid, sleepPid] = [read(workerFile), read(sleepFile)];
      assert.ok(isAlive(workerPid) && isAlive(sleepPid));
      host.kill('SIGKILL');
      assert.ok(await eventually(() => !isAlive(workerPid)), `worker ${workerPid} left`);
      assert.ok(await eventually(() => !isAlive(sleepPid)), `sleep ${sleepPid} is gone`);
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  },
);
