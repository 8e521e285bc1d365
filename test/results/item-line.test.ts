import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { appendItemRecord, itemRecordLine } from '../../src/results/item-line.ts';
import type { ItemRecord } from '../../src/results/types.ts';

const base: ItemRecord = {
  type: 'item',
  task: 'fetch',
  index: 3,
  item: 'https://example.org/a',
  status: 'ok',
  result: { size: 10, body: 'x' },
  error: null,
  attempts: 1,
  startedAt: '2026-11-25T09:26:56.469Z',
  durationMs: 41.7,
  worker: 'coroutine',
  key: '0123456789abcdef0123456789abcdef',
};

describe('itemRecordLine', () => {
  const cases: [string, Partial<ItemRecord>][] = [
    ['an ok item', {}],
    ['a task without map', { index: null, item: null }],
    ['a task name and item that need escaping', { task: 'a"b\\c', item: 'line\nbreak "q" \u2028' }],
    [
      'a failed item with an error',
      {
        status: 'failed',
        result: null,
        error: { message: 'boom "x"', code: 'TASK_ERROR', stack: 'Error: boom\n  at f' },
      },
    ],
    [
      'a skipped task',
      {
        status: 'skipped',
        index: null,
        item: null,
        result: null,
        attempts: 0,
        startedAt: null,
        durationMs: 0,
        worker: null,
        key: null,
      },
    ],
    ['an item reused by --resume', { cached: true }],
    ['numbers of every kind', { item: -0, result: 1e21, durationMs: 0.1 + 0.2 }],
    ['a thread worker after another worker', { worker: 'thread-3' }],
    ['an item with no JSON form', { item: undefined }],
    ['a result that is not finite', { result: Number.NaN }],
    ['a duration that is not finite', { durationMs: Number.POSITIVE_INFINITY }],
    ['a nested value with toJSON', { result: { when: new Date(0) } }],
  ];
  for (const [name, change] of cases) {
    test(`is JSON.stringify of the record: ${name}`, () => {
      const record = { ...base, ...change } as ItemRecord;
      assert.equal(itemRecordLine(record), JSON.stringify(record));
      const parts = ['before\n'];
      const length = appendItemRecord(parts, record);
      assert.equal(parts.join(''), `before\n${JSON.stringify(record)}\n`);
      assert.equal(length, JSON.stringify(record).length + 1);
    });
  }
});
