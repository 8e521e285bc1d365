import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { LockHeldError } from '../../src/errors.ts';
import {
  acquireResultsLocks,
  acquireRunLock,
  lockPathFor,
  resultsLockPathFor,
} from '../../src/run/lock.ts';

function freshDir(): string {
  return mkdtempSync(join(tmpdir(), 'jobrun-lock-'));
}

/** The pid of a process that has exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(child.stdout.toString());
}

describe('the run lock', () => {
  test('holds the pid, refuses a second holder, and is gone once released', () => {
    const dir = freshDir();
    const path = join(dir, '.job.lock');
    const lock = acquireRunLock(path);
    assert.equal(readFileSync(path, 'utf8'), `${process.pid}\n`);
    assert.throws(
      () => acquireRunLock(path),
      (error: unknown) => error instanceof LockHeldError && error.holderPid === process.pid,
    );
    lock.release();
    assert.equal(existsSync(path), false);
    assert.deepEqual(readdirSync(dir), [], 'no draft file left behind');
  });

  for (const [what, content, why] of [
    ['a dead pid', () => `${deadPid()}\n`, /pid \d+ is no longer running/],
    ['an empty file', () => '', /it was empty/],
    ['garbage', () => 'not a pid at all', /it held no pid/],
  ] as const) {
    test(`a lock holding ${what} is taken over, and the message names the file`, () => {
      const dir = freshDir();
      const path = join(dir, '.job.lock');
      writeFileSync(path, content());
      const notices: string[] = [];
      const lock = acquireRunLock(path, { onTakeOver: (message) => notices.push(message) });
      assert.equal(notices.length, 1);
      assert.ok(notices[0]?.includes(path), notices[0]);
      assert.match(notices[0] ?? '', why);
      assert.equal(readFileSync(path, 'utf8'), `${process.pid}\n`);
      lock.release();
      assert.deepEqual(readdirSync(dir), []);
    });
  }

  test('the results file has its own lock, whatever the job: a second job is refused', () => {
    const dir = freshDir();
    const results = join(dir, 'out', 'shared.jsonl');
    const first = acquireResultsLocks(results, 'first');
    assert.ok(existsSync(resultsLockPathFor(results)));
    assert.ok(existsSync(lockPathFor(results, 'first')));
    assert.throws(
      () => acquireResultsLocks(results, 'second'),
      (error: unknown) =>
        error instanceof LockHeldError &&
        error.holderPid === process.pid &&
        error.message.startsWith(`another run is writing ${results} (pid ${process.pid}`),
    );
    assert.equal(existsSync(lockPathFor(results, 'second')), false, 'the refused run left nothing');
    first.release();
    assert.deepEqual(readdirSync(join(dir, 'out')), []);
  });

  test('a path through a symbolic link to the folder finds the same lock', () => {
    const dir = freshDir();
    mkdirSync(join(dir, 'real'));
    symlinkSync(join(dir, 'real'), join(dir, 'via-link'));
    const first = acquireResultsLocks(join(dir, 'real', 'out.jsonl'), 'a');
    assert.throws(
      () => acquireResultsLocks(join(dir, 'via-link', 'out.jsonl'), 'b'),
      LockHeldError,
    );
    first.release();
  });

  test('two runs of one job with different results files still exclude each other', () => {
    const dir = freshDir();
    const first = acquireResultsLocks(join(dir, 'run-1.jsonl'), 'job');
    assert.throws(
      () => acquireResultsLocks(join(dir, 'run-2.jsonl'), 'job'),
      (error: unknown) =>
        error instanceof LockHeldError &&
        /^another run of job job is in progress/.test(error.message),
    );
    assert.equal(existsSync(resultsLockPathFor(join(dir, 'run-2.jsonl'))), false);
    first.release();
    assert.deepEqual(readdirSync(dir), []);
  });
});
