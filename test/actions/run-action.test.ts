import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { ActionError } from '../../src/actions/action-error.ts';
import { performRun } from '../../src/actions/run-action.ts';
import { tempDir } from '../helpers/files.ts';
import { eventually, isRunning, pidsIn } from '../helpers/processes.ts';

const context = { item: 'x', index: 0, task: 't', job: 'j', attempt: 1 };
const workDir = tempDir('run');

test(
  'an aborted command that ignores SIGTERM is killed after the grace period',
  { timeout: 30_000 },
  async () => {
    const controller = new AbortController();
    const tracked = new Set<number>();
    const running = performRun(`trap '' TERM; echo ready; while :; do sleep 0.1; done`, context, {
      signal: controller.signal,
      killGraceMs: 300,
      processes: { add: (pgid) => tracked.add(pgid), delete: (pgid) => tracked.delete(pgid) },
    });
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(tracked.size, 1, 'its process group is reported while it runs');
    controller.abort();
    await assert.rejects(running, (error: unknown) => {
      assert.ok(error instanceof ActionError);
      assert.equal(error.code, 'CANCELLED');
      return true;
    });
    assert.equal(tracked.size, 0, 'and forgotten once reaped');
  },
);

test('death by a signal fails with EXIT_CODE naming the signal', { timeout: 30_000 }, async () => {
  await assert.rejects(
    performRun('kill -9 $$', context, { signal: new AbortController().signal }),
    { code: 'EXIT_CODE', message: 'command was killed by SIGKILL' },
  );
});

test(
  'an aborted signal reason that is an ActionError (a timeout) is kept',
  { timeout: 30_000 },
  async () => {
    const controller = new AbortController();
    const running = performRun('sleep 5', context, { signal: controller.signal });
    controller.abort(new ActionError('TIMEOUT', 'too slow'));
    await assert.rejects(running, { code: 'TIMEOUT', message: 'too slow' });
  },
);

describe('output is bounded by maxOutput', { timeout: 30_000 }, () => {
  test('stdout past the limit fails OUTPUT_TOO_LARGE and stops the command', async () => {
    const dir = mkdtempSync(join(workDir, 'pid-'));
    const tracked = new Set<number>();
    await assert.rejects(
      performRun(`echo $$ > ${dir}/pid; head -c 50000000 /dev/zero`, context, {
        signal: new AbortController().signal,
        maxOutputBytes: 64 * 1024,
        processes: { add: (pgid) => tracked.add(pgid), delete: (pgid) => tracked.delete(pgid) },
      }),
      {
        code: 'OUTPUT_TOO_LARGE',
        message:
          "stdout is larger than maxOutput (64KB); the command was stopped. Raise the task's maxOutput to keep more.",
      },
    );
    const [pid] = pidsIn(join(dir, 'pid'));
    assert.ok(pid !== undefined);
    assert.equal(await eventually(() => !isRunning(pid)), true, 'the command is stopped');
    assert.equal(tracked.size, 0, 'and its group forgotten once gone');
  });

  test('stderr has its own limit', async () => {
    await assert.rejects(
      performRun('head -c 5000 /dev/zero >&2', context, {
        signal: new AbortController().signal,
        maxOutputBytes: 4096,
      }),
      { code: 'OUTPUT_TOO_LARGE', message: /^stderr is larger than maxOutput \(4KB\)/ },
    );
  });

  test('output of exactly the limit is kept whole', async () => {
    const result = await performRun(
      'head -c 4096 /dev/zero | tr "\\0" x; head -c 10 /dev/zero >&2',
      context,
      {
        signal: new AbortController().signal,
        maxOutputBytes: 4096,
      },
    );
    assert.equal(result.stdout, 'x'.repeat(4096));
    assert.equal(result.stderr.length, 10);
  });

  test('a command that prints nothing much is unaffected by a huge limit', async () => {
    const result = await performRun('echo hi', context, {
      signal: new AbortController().signal,
      maxOutputBytes: 8 * 1024 ** 3,
    });
    assert.equal(result.stdout, 'hi\n');
  });

  test('output is decoded as UTF-8, characters split across reads included', async () => {
    // 70,000 snowmen are 210,000 bytes: the pipe delivers them in reads that split characters.
    const result = await performRun(
      `i=0; s=''; while [ $i -lt 100 ]; do s="$s☃"; i=$((i+1)); done; i=0; while [ $i -lt 700 ]; do printf '%s' "$s"; i=$((i+1)); done; printf 'caf\\351'`,
      context,
      { signal: new AbortController().signal },
    );
    assert.equal(result.stdout, `${'☃'.repeat(70_000)}caf\ufffd`);
  });
});

describe('the process group ends with the item', { timeout: 30_000 }, () => {
  for (const [name, start] of [
    ['nohup … &', 'nohup sleep 1000 >/dev/null 2>&1 &'],
    ['& holding stdout', 'sleep 1000 &'],
  ] as const) {
    test(`a background child (${name}) is stopped when the command ends`, async () => {
      const tracked = new Set<number>();
      const result = await performRun(`${start} echo $! >&2`, context, {
        signal: new AbortController().signal,
        processes: { add: (pgid) => tracked.add(pgid), delete: (pgid) => tracked.delete(pgid) },
      });
      assert.equal(result.exitCode, 0);
      const pid = Number(result.stderr.trim());
      assert.ok(pid > 0);
      assert.equal(await eventually(() => !isRunning(pid)), true, `background pid ${pid} is gone`);
      assert.equal(await eventually(() => tracked.size === 0), true);
    });
  }

  test('a background child that ignores SIGTERM is killed after the grace', async () => {
    const dir = mkdtempSync(join(workDir, 'pid-'));
    const tracked = new Set<number>();
    await performRun(
      // An ignored signal stays ignored across exec: the inner sh, then sleep, ignore SIGTERM.
      `(trap '' TERM; exec sh -c 'echo $$ > ${dir}/pid; exec sleep 1000') >/dev/null 2>&1 & while [ ! -s ${dir}/pid ]; do sleep 0.01; done`,
      context,
      {
        signal: new AbortController().signal,
        killGraceMs: 300,
        processes: { add: (pgid) => tracked.add(pgid), delete: (pgid) => tracked.delete(pgid) },
      },
    );
    const [pid] = pidsIn(join(dir, 'pid'));
    assert.ok(pid !== undefined);
    assert.equal(tracked.size, 1, 'the group stays tracked while a member is left');
    assert.equal(isRunning(pid), true, 'SIGTERM did not stop it');
    assert.equal(await eventually(() => !isRunning(pid)), true, 'killed after the grace');
    assert.equal(await eventually(() => tracked.size === 0), true);
  });

  test('a process that left the group with setsid is not stopped', async () => {
    const dir = mkdtempSync(join(workDir, 'pid-'));
    const tracked = new Set<number>();
    await performRun(
      `setsid sh -c 'echo $$ > ${dir}/pid; exec sleep 1000' >/dev/null 2>&1 & while [ ! -s ${dir}/pid ]; do sleep 0.01; done`,
      context,
      {
        signal: new AbortController().signal,
        killGraceMs: 100,
        processes: { add: (pgid) => tracked.add(pgid), delete: (pgid) => tracked.delete(pgid) },
      },
    );
    const [pid] = pidsIn(join(dir, 'pid'));
    assert.ok(pid !== undefined);
    try {
      // Forgotten: its group got every signal it will get. The process outside it still runs.
      assert.equal(await eventually(() => tracked.size === 0), true);
      assert.equal(isRunning(pid), true);
    } finally {
      process.kill(pid, 'SIGKILL');
    }
  });
});
