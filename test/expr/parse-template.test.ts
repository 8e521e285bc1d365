import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { collectExpressions } from '../../src/expr/collect-expressions.ts';
import { ExpressionSyntaxError } from '../../src/expr/expression-syntax-error.ts';
import { parseTemplate } from '../../src/expr/parse-template.ts';

describe('parseTemplate', () => {
  test('a whole expression with key and index steps', () => {
    assert.deepEqual(parseTemplate('${{ vars.urls[0].href }}'), {
      parts: [
        {
          source: 'vars.urls[0].href',
          root: 'vars',
          steps: [{ key: 'urls' }, { index: 0 }, { key: 'href' }],
          offset: 0,
        },
      ],
      isWhole: true,
    });
  });

  test('text around expressions keeps offsets of each ${{', () => {
    const template = parseTemplate('wc -l ${{item}} > ${{ run.id }}.txt');
    assert.equal(template.isWhole, false);
    assert.deepEqual(
      template.parts.map((part) => (typeof part === 'string' ? part : [part.source, part.offset])),
      ['wc -l ', ['item', 6], ' > ', ['run.id', 18], '.txt'],
    );
  });

  test('every expression root parses, including task ids with - and bracket string keys', () => {
    for (const source of [
      'item',
      'index',
      'env.HOME',
      'tasks.list-files.result',
      'tasks.list.status',
      'job.name',
      'run.startedAt',
      'vars["a-b"]',
      "vars['x y'][2]",
    ]) {
      const [part] = parseTemplate(`\${{ ${source} }}`).parts;
      assert.equal(typeof part, 'object', source);
    }
    const [part] = parseTemplate('${{ vars["a-b"] }}').parts;
    assert.deepEqual(typeof part === 'object' ? part.steps : null, [{ key: 'a-b' }]);
  });

  test('a string without ${{ is one literal part', () => {
    assert.deepEqual(parseTemplate('echo {{ x }} $HOME'), {
      parts: ['echo {{ x }} $HOME'],
      isWhole: false,
    });
  });

  for (const [text, fragment] of [
    ['${{ vars.name', 'unclosed'],
    ['${{ }}', 'empty expression'],
    ['${{ vars.name.toUpperCase() }}', 'calls and operators are not supported'],
    ['${{ vars.a + vars.b }}', 'calls and operators are not supported'],
    ['${{ vars.a || "x" }}', 'calls and operators are not supported'],
    ['${{ process.exit(1) }}', 'calls and operators are not supported'],
    ['${{ vars[x] }}', 'expected a number or a quoted key'],
    ['${{ vars. }}', 'after "."'],
  ] as const) {
    test(`rejects ${text}`, () => {
      assert.throws(
        () => parseTemplate(`ok ${text}`),
        (error: unknown) =>
          error instanceof ExpressionSyntaxError &&
          error.code === 'EXPRESSION_SYNTAX' &&
          error.offset === 3 &&
          error.message.includes(fragment),
      );
    });
  }
});

test('collectExpressions walks nested lists and objects, not keys', () => {
  const refs = collectExpressions({
    url: '${{ item }}',
    headers: { '${{ not.a.key }}': 'Bearer ${{ vars.token }}' },
    list: [1, ['${{ tasks.a.result }}']],
  });
  assert.deepEqual(
    refs.map((ref) => ref.source),
    ['item', 'vars.token', 'tasks.a.result'],
  );
});
