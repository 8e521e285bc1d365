import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import type { ActionRequest, ResolvedAction } from '../../src/actions/types.ts';
import type { Task } from '../../src/job/types.ts';
import { ItemKeyer, itemKey } from '../../src/run/item-key.ts';
import { canonicalJson } from '../../src/util/canonical-json.ts';

function mapTask(id: string): Task {
  return {
    id,
    action: { type: 'run', command: 'echo ${{ item }}' },
    hasWith: false,
    map: { form: 'list', items: [] },
    needs: [],
    retries: 0,
    retryDelayMs: 200,
    retryPolicy: { limit: 0, delayMs: 200, backoff: 'exponential', jitter: false, on: [] },
    continueOnError: false,
  };
}

function request(action: ResolvedAction, item: unknown, index: number, attempt = 1): ActionRequest {
  return { action, input: item, context: { item, index, task: 't', job: 'j', attempt } };
}

describe('item keys', () => {
  test('canonical JSON sorts keys at every depth and drops what JSON drops', () => {
    assert.equal(
      canonicalJson({ b: 1, a: [{ d: 2, c: undefined, e: null }], ä: 'x' }),
      '{"a":[{"d":2,"e":null}],"b":1,"ä":"x"}',
    );
    assert.equal(canonicalJson([undefined, new Date(0)]), '[null,"1970-01-01T00:00:00.000Z"]');
  });

  test('a key is 32 hex of the SHA-256 of [taskId, action, input], whatever the key order', () => {
    const action = {
      type: 'http',
      method: 'POST',
      url: 'http://127.0.0.1/',
      json: { b: 1, a: 2 },
    } as const;
    const key = itemKey('fetch', action, { y: [1, { q: 1, p: 2 }], x: 'a' });
    const expected = createHash('sha256')
      .update(
        '["fetch",{"json":{"a":2,"b":1},"method":"POST","type":"http","url":"http://127.0.0.1/"},{"x":"a","y":[1,{"p":2,"q":1}]}]',
      )
      .digest('hex')
      .slice(0, 32);
    assert.equal(key, expected);
    const reordered = {
      url: 'http://127.0.0.1/',
      json: { a: 2, b: 1 },
      method: 'POST',
      type: 'http',
    } as const;
    assert.equal(itemKey('fetch', reordered, { x: 'a', y: [1, { p: 2, q: 1 }] }), key);
    assert.notEqual(itemKey('other', action, { x: 'a', y: [1, { p: 2, q: 1 }] }), key);
  });

  test('the index, the attempt and what runs where are not in the key; the command text is', () => {
    const keyer = new ItemKeyer(mapTask('say'), null);
    const run = (command: string, cwd: string): ResolvedAction => ({
      type: 'run',
      command,
      cwd,
      env: { A: cwd },
      maxOutputBytes: 10,
    });
    const first = keyer.keyOf(request(run("echo 'a'", '/one'), 'a', 0));
    assert.equal(keyer.keyOf(request(run("echo 'a'", '/two'), 'a', 7, 3)), first);
    assert.equal(first, itemKey('say', { type: 'run', command: "echo 'a'" }, 'a'));
    assert.notEqual(keyer.keyOf(request(run("echo 'b'", '/one'), 'a', 0)), first);
    assert.notEqual(keyer.keyOf(request(run("echo 'a'", '/one'), 'b', 0)), first);
  });

  test('a function is keyed by its module path, export and digest, and its with: value', () => {
    const task: Task = {
      ...mapTask('work'),
      action: {
        type: 'function',
        module: { path: '/jobs/m.js', exportName: 'f', source: './m.js#f' },
      },
      hasWith: true,
      with: '${{ item.name }}',
    };
    const fixed = { type: 'function', module: 'm.js', export: 'f', digest: 'd1' } as const;
    const keyer = new ItemKeyer(task, fixed);
    const action: ResolvedAction = {
      type: 'function',
      module: task.action.type === 'function' ? task.action.module : (undefined as never),
    };
    const withValue = (input: string, item: unknown): ActionRequest => ({
      ...request(action, item, 0),
      input,
    });
    const key = keyer.keyOf(withValue('ann', { name: 'ann', extra: 1 }));
    assert.equal(key, itemKey('work', fixed, 'ann'));
    // Only what the function receives counts, not the rest of the item.
    assert.equal(keyer.keyOf(withValue('ann', { name: 'ann', extra: 2 })), key);
    assert.notEqual(
      new ItemKeyer(task, { ...fixed, digest: 'd2' }).keyOf(withValue('ann', null)),
      key,
    );
  });
});
