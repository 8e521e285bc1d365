import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createSecretMask, maskRecords } from '../../src/results/secret-mask.ts';

describe('createSecretMask', () => {
  test('nothing to mask: null, so a job without secrets pays nothing', () => {
    assert.equal(createSecretMask([]), null);
    assert.equal(createSecretMask(['']), null);
  });

  test('text: plain and JSON-escaped forms, the longer secret first', () => {
    const mask = createSecretMask(['ab', 'abc"d\\e']);
    assert.ok(mask);
    assert.equal(mask.text('x abc"d\\e y ab'), 'x *** y ***');
    assert.equal(mask.text(JSON.stringify({ t: 'abc"d\\e' })), '{"t":"***"}');
    assert.equal(mask.text('a.b a*c'), 'a.b a*c');
  });

  test('a secret of several lines is also masked line by line', () => {
    const mask = createSecretMask(['-----BEGIN-----\nk3y-body\n-----END-----']);
    assert.equal(mask?.text('got k3y-body'), 'got ***');
  });

  test('bytes: the same chunk when clean, masked UTF-8 otherwise', () => {
    const mask = createSecretMask(['sécret']);
    assert.ok(mask);
    const clean = Buffer.from('nothing here');
    assert.equal(mask.bytes(clean), clean);
    assert.equal(
      Buffer.from(mask.bytes(Buffer.from('a sécret, sécret!'))).toString(),
      'a ***, ***!',
    );
  });

  test('value: every string and key of JSON data, as a copy', () => {
    const mask = createSecretMask(['tok']);
    const record = { item: 'tok', result: { tok: ['tok', 1, null, true] }, error: null };
    assert.deepEqual(mask?.value(record), {
      item: '***',
      result: { '***': ['***', 1, null, true] },
      error: null,
    });
    assert.equal(record.item, 'tok');
  });

  test('maskRecords masks what a sink is given', () => {
    const written: unknown[] = [];
    const sink = maskRecords(
      { write: (record: unknown) => written.push(record) },
      createSecretMask(['tok']),
    );
    sink.write({ type: 'run', job: 'tok' });
    assert.deepEqual(written, [{ type: 'run', job: '***' }]);
  });
});
