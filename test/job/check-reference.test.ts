import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkReference, type ReferenceContext } from '../../src/job/check-reference.ts';
import { parseTemplate, type ExpressionRef } from '../../src/expr/parse-template.ts';

const base: ReferenceContext = {
  place: 'task',
  taskId: 'report',
  isMapTask: false,
  vars: ['site', 'urls'],
  taskIds: ['list', 'fetch', 'report'],
  upstream: new Set(['fetch', 'list']),
};

function check(source: string, context: Partial<ReferenceContext> = {}): string | null {
  return checkReference(parseTemplate(`\${{ ${source} }}`).parts[0] as ExpressionRef, {
    ...base,
    ...context,
  });
}

test('references that will exist pass', () => {
  for (const source of [
    'vars.site',
    'vars.urls[0].href',
    'vars',
    'env.HOME',
    'tasks.fetch.result[0].body',
    'tasks.list.status',
    'job.name',
    'run.id',
    'run.startedAt',
  ]) {
    assert.equal(check(source), null, source);
  }
  assert.equal(check('item.url', { isMapTask: true }), null);
  assert.equal(check('index', { isMapTask: true }), null);
});

test('each kind of bad reference is named, with a suggestion where one is near', () => {
  const cases: Array<[string, Partial<ReferenceContext>, RegExp]> = [
    ['secrets.x', {}, /unknown name "secrets".*expected item, index, vars, env, tasks, job or run/],
    ['var.site', {}, /unknown name "var".*\(did you mean "vars"\?\)/],
    [
      'vars.sit',
      {},
      /unknown var "sit".*declared vars are site and urls \(did you mean "site"\?\)/,
    ],
    ['vars.x', { vars: [] }, /this job declares no vars/],
    ['item', {}, /only defined in a map task; add map: to tasks\.report/],
    ['index', {}, /only defined in a map task/],
    ['item', { place: 'map', isMapTask: true }, /cannot be used in map/],
    ['index.x', { isMapTask: true }, /index is a number/],
    ['tasks.fech.result', {}, /unknown task "fech".*\(did you mean "fetch"\?\)/],
    [
      'tasks.fetch.result',
      { upstream: new Set() },
      /^tasks\.fetch is not upstream of tasks\.report; add it to needs$/,
    ],
    [
      'tasks.fetch.output',
      {},
      /expected tasks\.fetch\.result or tasks\.fetch\.status, found "output"/,
    ],
    ['tasks.fetch.results', {}, /\(did you mean "result"\?\)/],
    ['tasks.fetch', {}, /expected tasks\.fetch\.result or tasks\.fetch\.status/],
    ['tasks.report.result', {}, /cannot read its own result/],
    ['tasks.fetch.status.x', {}, /status is a string/],
    ['job.title', {}, /expected job\.name/],
    ['run.started', {}, /expected run\.id or run\.startedAt.*\(did you mean "startedAt"\?\)/],
    ['tasks.fetch.result', { place: 'results' }, /cannot be used in results/],
    ['item', { place: 'results' }, /cannot be used in results/],
  ];
  for (const [source, context, expected] of cases) {
    assert.match(check(source, context) ?? 'null', expected, source);
  }
});

test('results may use run, job, vars and env', () => {
  for (const source of ['run.id', 'job.name', 'vars.site', 'env.HOME']) {
    assert.equal(check(source, { place: 'results' }), null, source);
  }
});
