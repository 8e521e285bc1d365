import assert from 'node:assert/strict';
import { closeSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { itemRecordLine } from '../../src/results/item-line.ts';
import { appendOkRecords, ResumeIndexFile } from '../../src/results/resume-index.ts';
import type { ItemRecord } from '../../src/results/types.ts';
import { tempDir } from '../helpers/files.ts';

const dir = tempDir('resume-index');

function record(key: string | null, change: Partial<ItemRecord> = {}): ItemRecord {
  return {
    type: 'item',
    task: 't',
    index: 0,
    item: 'x',
    status: 'ok',
    result: { value: key },
    error: null,
    attempts: 1,
    startedAt: '2026-01-01T00:00:00.000Z',
    durationMs: 1,
    worker: 'coroutine',
    key,
    ...change,
  };
}

const key = (first: string, rest = '0'): string => (first + rest.repeat(32)).slice(0, 32);

function indexOf(name: string, lines: string[]): ResumeIndexFile {
  const path = join(dir, name);
  writeFileSync(path, lines.join('\n'));
  return new ResumeIndexFile(path);
}

describe('the resume index', () => {
  test('finds ok records by their whole key, and only them', () => {
    const sameTag = [key('aaaaaaaa', '1'), key('aaaaaaaa', '2')];
    const index = indexOf('mixed.jsonl', [
      JSON.stringify({ type: 'run', job: 'j' }),
      itemRecordLine(record(sameTag[0] ?? '')),
      itemRecordLine(
        record(key('bbbbbbbb'), {
          status: 'failed',
          item: { status: 'ok' },
          error: { message: 'no', code: 'TASK_ERROR' },
        }),
      ),
      itemRecordLine(record(null)),
      itemRecordLine(record(key('cccccccc'), { cached: true })),
      'not json at all',
      itemRecordLine(record(key('dddddddd'))).slice(0, 40) + '\n',
      itemRecordLine(record(key('eeeeeeee'))) + '\n',
    ]);
    try {
      assert.deepEqual(index.find(sameTag[0] ?? '')?.result, { value: sameTag[0] });
      assert.equal(index.find(sameTag[1] ?? ''), null, 'the same first bits are not the same key');
      assert.equal(index.find(key('bbbbbbbb')), null, 'a failed record is not reused');
      assert.equal(index.find(key('cccccccc'))?.cached, true);
      assert.equal(index.find(key('dddddddd')), null, 'a torn line is passed over');
      assert.equal(index.find(key('eeeeeeee'))?.status, 'ok');
      assert.equal(index.find('short'), null);
    } finally {
      index.close();
    }
  });

  test('lines longer than a read, many keys and repeated cached copies', () => {
    const big = 'y'.repeat(3 * 1024 * 1024);
    const keys = Array.from({ length: 5000 }, (_, i) => i.toString(16).padStart(32, 'f'));
    const lines = keys.map((k) => itemRecordLine(record(k)));
    lines.splice(10, 0, itemRecordLine(record(key('abcdef01'), { result: big })));
    // A resumed run's copies appended after the records they copy: indexed once.
    for (const k of keys) lines.push(itemRecordLine(record(k, { cached: true })));
    const index = indexOf('big.jsonl', [...lines, '']);
    try {
      assert.equal(index.size, keys.length + 1);
      assert.equal(index.find(key('abcdef01'))?.result, big);
      for (const k of keys) assert.deepEqual(index.find(k)?.result, { value: k });
    } finally {
      index.close();
    }
  });

  test('a kept file takes only the new ok records of a stopped resume', () => {
    const fresh = itemRecordLine(record(key('aaaaaaaa')));
    const kept = join(dir, 'kept.jsonl');
    writeFileSync(kept, '');
    writeFileSync(
      join(dir, 'stopped.jsonl'),
      [
        JSON.stringify({ type: 'run', job: 'j' }),
        itemRecordLine(record(key('bbbbbbbb'), { cached: true })),
        fresh,
        itemRecordLine(
          record(key('cccccccc'), { status: 'failed', error: { message: 'no', code: 'TIMEOUT' } }),
        ),
        itemRecordLine(record(key('dddddddd'), { status: 'cancelled' })),
        JSON.stringify({ type: 'summary', status: 'cancelled' }),
        itemRecordLine(record(key('eeeeeeee'))).slice(0, 50),
      ].join('\n'),
    );
    const output = openSync(kept, 'a');
    try {
      appendOkRecords(join(dir, 'stopped.jsonl'), output);
    } finally {
      closeSync(output);
    }
    assert.equal(readFileSync(kept, 'utf8'), `${fresh}\n`);
  });
});
