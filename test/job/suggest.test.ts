import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { suggest } from '../../src/job/suggest.ts';

const TASK_KEYS = [
  'function',
  'run',
  'http',
  'with',
  'map',
  'needs',
  'callback',
  'retries',
  'retryDelay',
  'timeout',
  'continueOnError',
  'executor',
];

describe('suggest', () => {
  const near: Array<[string, string]> = [
    ['retry', 'retries'],
    ['need', 'needs'],
    ['callbak', 'callback'],
    ['callbacks', 'callback'],
    ['exec', 'executor'],
    ['continue', 'continueOnError'],
    ['timeouts', 'timeout'],
    ['retrydelay', 'retryDelay'],
    ['Function', 'function'],
  ];
  for (const [found, expected] of near) {
    test(`${found} → ${expected}`, () => assert.equal(suggest(found, TASK_KEYS), expected));
  }

  const far = ['foo', 'command', 'env', 'cwd', 'parallel', 'depends', 'tries'];
  for (const found of far) {
    test(`${found} → nothing`, () => assert.equal(suggest(found, TASK_KEYS), undefined));
  }

  test('enum values: a cut-short word names the whole one', () => {
    assert.equal(suggest('proc', ['process', 'thread', 'coroutine']), 'process');
    assert.equal(suggest('proces', ['process', 'thread', 'coroutine']), 'process');
    assert.equal(suggest('fiber', ['process', 'thread', 'coroutine']), undefined);
  });
});
