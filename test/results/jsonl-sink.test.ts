import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { ResultsWriteError, UnsafeResultsPathError } from '../../src/errors.ts';
import { openJsonlSink } from '../../src/results/jsonl-sink.ts';
import type { ResultRecord } from '../../src/results/types.ts';
import { tempDir } from '../helpers/files.ts';

const workDir = tempDir('sink');

const runRecord: ResultRecord = {
  type: 'run',
  job: 'sink',
  runId: 'r1',
  executor: { kind: 'coroutine', maxWorkers: 1 },
  startedAt: '2026-01-01T00:00:00.000Z',
};

function itemRecord(index: number, result: unknown = index): ResultRecord {
  return {
    type: 'item',
    task: 't',
    index,
    item: index,
    status: 'ok',
    result,
    error: null,
    attempts: 1,
    startedAt: '2026-01-01T00:00:00.000Z',
    durationMs: 1,
    worker: 'coroutine',
    key: null,
  };
}

function lines(path: string): unknown[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as unknown);
}

describe('the results file sink', () => {
  test('what follows a record is told only once the record is on disk', async () => {
    const path = join(workDir, 'after-write.jsonl');
    const sink = openJsonlSink(path);
    const seen: number[] = [];
    sink.afterWrite(() => seen.push(lines(path).length));
    assert.deepEqual(seen, [0], 'nothing pending: told at once');
    sink.write(runRecord);
    sink.write(itemRecord(0));
    sink.afterWrite(() => seen.push(lines(path).length));
    assert.deepEqual(seen, [0], 'not before the batch is written');
    await new Promise<void>((resolve) => sink.afterWrite(resolve));
    assert.deepEqual(seen, [0, 2]);
    sink.close();
    assert.equal(lines(path).length, 2);
  });

  test('a batch over 64 KB is written at once, and its waiters told in order', () => {
    const path = join(workDir, 'big-batch.jsonl');
    const sink = openJsonlSink(path);
    const order: string[] = [];
    sink.write(runRecord);
    sink.afterWrite(() => order.push('first'));
    sink.afterWrite(() => order.push('second'));
    sink.write(itemRecord(0, 'x'.repeat(70_000)));
    assert.deepEqual(order, ['first', 'second']);
    assert.equal(lines(path).length, 2);
    sink.close();
  });

  test('a symbolic link at the path is refused and its target left alone', () => {
    const target = join(workDir, 'precious.txt');
    writeFileSync(target, 'keep me\n');
    const link = join(workDir, 'link.jsonl');
    symlinkSync(target, link);
    assert.throws(() => openJsonlSink(link), UnsafeResultsPathError);
    assert.equal(readFileSync(target, 'utf8'), 'keep me\n');
  });

  test('a folder at the path is a ResultsWriteError naming the file and EISDIR', () => {
    const path = join(workDir, 'a-folder.jsonl');
    mkdirSync(path);
    assert.throws(
      () => openJsonlSink(path),
      (error: unknown) =>
        error instanceof ResultsWriteError &&
        error.reason === 'EISDIR' &&
        error.message === `cannot write the results file ${path}: it is a folder (EISDIR)`,
    );
  });

  test(
    'a write error stops the sink without throwing, also inside its timer',
    { skip: existsSync('/dev/full') ? false : 'no /dev/full on this system' },
    async () => {
      const errors: ResultsWriteError[] = [];
      // Every write to /dev/full fails with ENOSPC, as on a full disk.
      const sink = openJsonlSink('/dev/full', { onError: (error) => errors.push(error) });
      let told = false;
      sink.write(runRecord);
      sink.afterWrite(() => (told = true));
      const failed = new Promise<void>((resolve) => {
        const check = setInterval(() => {
          if (errors.length === 0) return;
          clearInterval(check);
          resolve();
        }, 5);
      });
      await failed; // the 25 ms timer's flush failed, and nothing was thrown
      assert.equal(errors.length, 1);
      assert.equal(errors[0]?.reason, 'ENOSPC');
      assert.match(
        errors[0]?.message ?? '',
        /^cannot write the results file \/dev\/full: no space/,
      );
      assert.equal(sink.error, errors[0]);
      assert.throws(() => sink.throwIfFailed(), ResultsWriteError);
      sink.write(itemRecord(1));
      sink.flush();
      sink.close();
      assert.equal(told, false, 'what followed the lost record is never told');
      assert.equal(errors.length, 1, 'told once');
    },
  );
});
