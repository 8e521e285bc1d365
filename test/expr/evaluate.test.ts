import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, test } from 'node:test';
import { evaluateCommand, evaluateValue, type Scope } from '../../src/expr/evaluate.ts';
import { shellQuote } from '../../src/expr/shell-quote.ts';

const scope: Scope = {
  item: { url: 'https://example.org', tags: ['a', 'b'] },
  index: 3,
  vars: { n: 5, urls: [{ href: 'https://a' }], 'a-b': 'dash', empty: null },
  env: { HOME: '/home/me' },
  tasks: { list: { result: [1, 2], status: 'ok' } },
  job: { name: 'crawl' },
  run: { id: 'r1', startedAt: '2026-01-01T00:00:00.000Z' },
};

describe('evaluateValue', () => {
  test('a whole expression keeps its type', () => {
    assert.deepEqual(evaluateValue('${{ tasks.list.result }}', scope), [1, 2]);
    assert.equal(evaluateValue('${{ index }}', scope), 3);
    assert.equal(evaluateValue('${{ vars.n }}', scope), 5);
    assert.deepEqual(evaluateValue('${{ item }}', scope), scope.item);
  });

  test('inside text, values are inserted as text: JSON for non-strings', () => {
    assert.equal(
      evaluateValue('n=${{ vars.n }} list=${{ tasks.list.result }}', scope),
      'n=5 list=[1,2]',
    );
    assert.equal(evaluateValue('${{ vars.urls[0].href }}/x', scope), 'https://a/x');
    assert.equal(evaluateValue('${{ job.name }}-${{ run.id }}', scope), 'crawl-r1');
    assert.equal(evaluateValue('${{ env.HOME }}/a', scope), '/home/me/a');
    assert.equal(evaluateValue('${{ vars["a-b"] }}!', scope), 'dash!');
  });

  test('missing paths: undefined when whole, empty text inside a string', () => {
    assert.equal(evaluateValue('${{ vars.nope.deeper }}', scope), undefined);
    assert.equal(evaluateValue('${{ item.tags[9] }}', scope), undefined);
    assert.equal(evaluateValue('[${{ vars.nope }}][${{ vars.empty }}]', scope), '[][]');
  });

  test('paths never reach inherited properties', () => {
    assert.equal(evaluateValue('${{ vars.constructor }}', scope), undefined);
    assert.equal(evaluateValue('${{ item.url.length }}', scope), undefined);
  });

  test('nested lists and objects are walked; other values pass through', () => {
    assert.deepEqual(
      evaluateValue(
        { u: '${{ item.url }}', list: ['${{ index }}', 7, true, null], k: { '${{ x }}': 1 } },
        scope,
      ),
      { u: 'https://example.org', list: [3, 7, true, null], k: { '${{ x }}': 1 } },
    );
  });
});

describe('shell quoting', () => {
  test('shellQuote makes one POSIX word', () => {
    assert.equal(shellQuote('a; rm -rf ~'), "'a; rm -rf ~'");
    assert.equal(shellQuote("it's"), "'it'\\''s'");
    assert.equal(shellQuote(''), "''");
  });

  test('in a command, every bare value is quoted, also a whole expression', () => {
    const items = { ...scope, item: 'a; rm -rf ~' };
    assert.equal(evaluateCommand('echo ${{ item }}', items), "echo 'a; rm -rf ~'");
    assert.equal(evaluateCommand('${{ item }}', items), "'a; rm -rf ~'");
    assert.equal(evaluateCommand('echo ${{ vars.nope }} x', scope), "echo '' x");
    assert.equal(evaluateCommand('echo ${{ tasks.list.result }}', scope), "echo '[1,2]'");
    assert.equal(evaluateCommand('echo "n=${{ vars.n }}"', scope), 'echo "n=5"');
  });

  test('a real shell receives each hostile value as exactly one argument', () => {
    const hostile = [
      'a; rm -rf ~',
      "it's",
      '$(echo pwned)',
      '`id`',
      'two words',
      '"quoted"',
      '\\',
      '*',
    ];
    for (const item of hostile) {
      const command = evaluateCommand('set -- ${{ item }}; printf "%s\\n" "$#" "$1"', {
        ...scope,
        item,
      });
      const out = execFileSync('/bin/sh', ['-c', command], { encoding: 'utf8' });
      assert.equal(out, `1\n${item}\n`, `for ${JSON.stringify(item)}`);
    }
  });
});
