import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { before, describe, test } from 'node:test';
import { JobValidationError } from '../../src/errors.ts';
import { loadJob, validateJob } from '../../src/job/load.ts';
import { tempDir } from '../helpers/files.ts';

const dir = tempDir('load');

before(async () => {
  await mkdir(join(dir, 'tasks'));
  await writeFile(
    join(dir, 'tasks', 'parse.ts'),
    'export const parse = (x: string): string => x;\n',
  );
  await writeFile(join(dir, 'tasks', 'all.ts'), "export * from './parse.ts';\n");
  await writeFile(join(dir, 'tasks', 'legacy.cjs'), 'exports.double = (n) => n * 2;\n');
  await writeFile(join(dir, 'tasks', 'literal.cjs'), 'module.exports = { half: (n) => n / 2 };\n');
  await writeFile(join(dir, 'urls.txt'), 'https://example.org\n');
});

async function jobFile(name: string, text: string): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, text);
  return file;
}

describe('loadJob normalizes', () => {
  test('defaults: coroutine executor of 64, results/<name>.jsonl, retries 0, retryDelay 200 ms', async () => {
    const job = await loadJob(
      await jobFile('defaults.yaml', 'name: defaults\ntasks:\n  a:\n    run: echo a\n'),
    );
    assert.deepEqual(job.executor, { kind: 'coroutine', maxWorkers: 64 });
    assert.equal(job.results, join(dir, 'results', 'defaults.jsonl'));
    assert.equal(job.file, join(dir, 'defaults.yaml'));
    assert.equal(job.dir, dir);
    assert.equal(job.failFast, false);
    assert.deepEqual(job.vars, {});
    const [task] = job.tasks;
    assert.deepEqual(task, {
      id: 'a',
      action: { type: 'run', command: 'echo a' },
      hasWith: false,
      needs: [],
      retries: 0,
      retryDelayMs: 200,
      retryPolicy: {
        limit: 0,
        delayMs: 200,
        backoff: 'exponential',
        jitter: false,
        on: [
          'TIMEOUT',
          'WORKER_CRASHED',
          'EXIT_CODE',
          'HTTP_STATUS',
          'CALLBACK_FAILED',
          'TASK_ERROR',
          'SERVICE_EXITED',
        ],
      },
      continueOnError: false,
    });
  });

  test('a process or thread executor defaults to one worker per CPU', async () => {
    const job = await loadJob(
      await jobFile(
        'pool.yaml',
        'name: pool\nexecutor: { kind: process }\ntasks:\n  a:\n    run: echo a\n',
      ),
    );
    assert.deepEqual(job.executor, { kind: 'process', maxWorkers: availableParallelism() });
  });

  test('durations become milliseconds', async () => {
    const job = await loadJob(
      await jobFile(
        'durations.yaml',
        [
          'name: durations',
          'tasks:',
          '  a:',
          '    run: echo a',
          '    timeout: 1.5s',
          '    retryDelay: 2m',
          '  b:',
          '    http: { url: "https://example.org", timeout: 250ms }',
          '    timeout: 1h',
          '    retryDelay: 40',
        ].join('\n'),
      ),
    );
    const [a, b] = job.tasks;
    assert.equal(a?.timeoutMs, 1500);
    assert.equal(a?.retryDelayMs, 120_000);
    assert.equal(b?.timeoutMs, 3_600_000);
    assert.equal(b?.retryDelayMs, 40);
    assert.deepEqual(b?.action, {
      type: 'http',
      request: { url: 'https://example.org', timeoutMs: 250 },
    });
  });

  test('relative paths resolve against the job file folder; needs include map.from', async () => {
    const job = await loadJob(
      await jobFile(
        'paths.yaml',
        [
          'name: paths',
          'results: out/${{ job.name }}-${{ vars.tag }}-${{ run.id }}.jsonl',
          'vars: { tag: v1 }',
          'tasks:',
          '  lines:',
          '    map: { lines: urls.txt }',
          '    function: ./tasks/parse.ts#parse',
          '    callback: tasks/legacy.cjs',
          '  files:',
          '    map: { glob: "tasks/*.ts" }',
          '    run: wc -c ${{ item }}',
          '  stream:',
          '    needs: [files]',
          '    map: { from: lines }',
          '    run: echo ${{ item }}',
          '  ranged:',
          '    map: { range: [2, 10, 4] }',
          '    run: echo ${{ item }}',
        ].join('\n'),
      ),
    );
    assert.equal(job.results, join(dir, 'out', 'paths-v1-${{ run.id }}.jsonl'));
    const [lines, files, stream, ranged] = job.tasks;
    assert.deepEqual(lines?.map, { form: 'lines', path: join(dir, 'urls.txt') });
    assert.deepEqual(lines?.action, {
      type: 'function',
      module: {
        path: join(dir, 'tasks', 'parse.ts'),
        exportName: 'parse',
        source: './tasks/parse.ts#parse',
      },
    });
    assert.deepEqual(lines?.callback, {
      path: join(dir, 'tasks', 'legacy.cjs'),
      exportName: 'default',
      source: 'tasks/legacy.cjs',
    });
    assert.deepEqual(files?.map, { form: 'glob', pattern: 'tasks/*.ts', cwd: dir });
    assert.deepEqual(stream?.map, { form: 'from', task: 'lines' });
    assert.deepEqual(stream?.needs, ['files', 'lines']);
    assert.deepEqual(ranged?.map, { form: 'range', start: 2, stop: 10, step: 4 });
  });

  test('range: stop alone starts at 0 with step 1', async () => {
    const job = await loadJob(
      await jobFile(
        'range.yaml',
        'name: range\ntasks:\n  a:\n    map: { range: 5 }\n    run: echo ${{ item }}\n',
      ),
    );
    assert.deepEqual(job.tasks[0]?.map, { form: 'range', start: 0, stop: 5, step: 1 });
  });

  test('--var values replace declared vars', async () => {
    const file = await jobFile(
      'vars.yaml',
      'name: vars\nvars: { site: a, n: 1 }\ntasks:\n  a:\n    run: echo ${{ vars.site }}\n',
    );
    const job = await loadJob(file, { vars: { site: 'b' } });
    assert.deepEqual(job.vars, { site: 'b', n: 1 });
  });

  test('--var values reach the results path', async () => {
    const file = await jobFile(
      'var-results.yaml',
      'name: vr\nvars: { out: a }\nresults: out/${{ vars.out }}.jsonl\ntasks:\n  a:\n    run: echo\n',
    );
    const job = await loadJob(file, { vars: { out: 'b' } });
    assert.equal(job.results, join(dirname(file), 'out', 'b.jsonl'));
  });

  test('a with: of null is kept apart from no with:', async () => {
    const job = await loadJob(
      await jobFile(
        'with.yaml',
        'name: with\ntasks:\n  a:\n    function: ./tasks/parse.ts#parse\n    with: null\n',
      ),
    );
    assert.equal(job.tasks[0]?.hasWith, true);
    assert.equal(job.tasks[0]?.with, null);
  });
});

describe('validation problems', () => {
  test('an unknown --var is a problem naming the declared vars', async () => {
    const file = await jobFile(
      'unknown-var.yaml',
      'name: v\nvars: { site: a }\ntasks:\n  a:\n    run: echo\n',
    );
    const problems = await validateJob(file, { vars: { sit: 'b' } });
    assert.equal(problems.length, 1);
    assert.match(
      problems[0]?.message ?? '',
      /unknown var "sit"; declared vars are site \(did you mean "site"\?\)/,
    );
  });

  test('loadJob throws JobValidationError carrying every problem, sorted by line', async () => {
    const file = await jobFile(
      'many.yaml',
      'name: many\ntasks:\n  a:\n    run: echo\n    retries: x\n  b:\n    needs: [c]\n    run: echo\n',
    );
    await assert.rejects(loadJob(file), (error: unknown) => {
      assert.ok(error instanceof JobValidationError);
      assert.equal(error.code, 'INVALID_JOB');
      assert.deepEqual(
        error.problems.map((p) => [p.line, p.col, p.path]),
        [
          [5, 14, 'tasks.a.retries'],
          [7, 13, 'tasks.b.needs[0]'],
        ],
      );
      return true;
    });
  });

  test('an unreadable file is one problem without a place', async () => {
    const problems = await validateJob(join(dir, 'nowhere.yaml'));
    assert.deepEqual(
      problems.map((p) => [p.line, p.col, p.message]),
      [[0, 0, 'cannot read job file: no such file']],
    );
  });

  test('exports are read without running the module: TS, CommonJS and export *', async () => {
    const file = await jobFile(
      'exports.yaml',
      [
        'name: exports',
        'tasks:',
        '  ts:',
        '    function: ./tasks/parse.ts#parse',
        '  star:',
        '    function: ./tasks/all.ts#parse',
        '  cjs:',
        '    function: ./tasks/legacy.cjs#double',
        '  cjs-default:',
        '    function: ./tasks/legacy.cjs',
        '  missing:',
        '    function: ./tasks/legacy.cjs#triple',
        '  no-default:',
        '    function: ./tasks/parse.ts',
        '  literal:',
        '    function: ./tasks/literal.cjs#half',
      ].join('\n'),
    );
    const problems = await validateJob(file);
    assert.deepEqual(
      problems.map((p) => [p.path, p.message.replace(/;.*/, '')]),
      [
        [
          'tasks.missing.function',
          'tasks.missing.function: ./tasks/legacy.cjs has no export "triple"',
        ],
        [
          'tasks.no-default.function',
          'tasks.no-default.function: ./tasks/parse.ts has no export "default"',
        ],
        [
          'tasks.literal.function',
          'tasks.literal.function: ./tasks/literal.cjs has no export "half"',
        ],
      ],
    );
    // Node itself cannot see `half` in an object literal of functions; the message says so.
    assert.match(problems.at(-1)?.message ?? '', /exports\.NAME = /);
  });
});
