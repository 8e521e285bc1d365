import assert from 'node:assert/strict';
import { test } from 'node:test';
import { expandResultsPath } from '../../src/job/results-path.ts';

test('the results template gets the run id, start time and job name', () => {
  const job = {
    name: 'health',
    dir: '/srv',
    vars: {},
    results: '/srv/results/${{ job.name }}/${{run.id}}-${{ run.startedAt }}.jsonl',
  };
  const path = expandResultsPath(job, { id: 'r1', startedAt: '2026-03-01T10:00:00.000Z' });
  assert.equal(path, '/srv/results/health/r1-2026-03-01T10:00:00.000Z.jsonl');
});

test('vars in the results template are expanded like the engine does', () => {
  const job = {
    name: 'crawl',
    dir: '/srv',
    vars: { site: 'example' },
    results: '/r/${{ vars.site }}.jsonl',
  };
  assert.equal(expandResultsPath(job, { id: 'r1', startedAt: 'x' }), '/r/example.jsonl');
});

test('a fixed results path is left as it is', () => {
  const job = { name: 'health', dir: '/srv', vars: {}, results: '/srv/results/health.jsonl' };
  assert.equal(expandResultsPath(job, { id: 'r1', startedAt: 'x' }), job.results);
});
