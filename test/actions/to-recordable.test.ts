import assert from 'node:assert/strict';
import { test } from 'node:test';
import { toRecordable } from '../../src/actions/to-recordable.ts';

test('a recordable value comes back in its JSON form', () => {
  assert.deepEqual(toRecordable({ a: [1, 'b'], when: new Date(0), nested: { ok: true } }), {
    a: [1, 'b'],
    when: '1970-01-01T00:00:00.000Z',
    nested: { ok: true },
  });
  assert.equal(toRecordable(undefined), null);
  assert.equal(toRecordable('text'), 'text');
});

test('functions, symbols, BigInts and cycles are NOT_SERIALIZABLE', () => {
  const cycle: Record<string, unknown> = {};
  cycle.self = cycle;
  for (const value of [() => 1, { f: () => 1 }, Symbol('s'), { n: 1n }, cycle]) {
    assert.throws(() => toRecordable(value), { code: 'NOT_SERIALIZABLE' });
  }
});
