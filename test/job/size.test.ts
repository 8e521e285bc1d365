import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadJob, validateJob } from '../../src/job/load.ts';
import { formatSize, parseSize } from '../../src/job/size.ts';
import { tempDir } from '../helpers/files.ts';

test('sizes are bytes, or a number with B, KB, MB or GB in powers of 1024', () => {
  assert.equal(parseSize(4096), 4096);
  assert.equal(parseSize('10B'), 10);
  assert.equal(parseSize('512KB'), 512 * 1024);
  assert.equal(parseSize('16MB'), 16 * 1024 ** 2);
  assert.equal(parseSize('1.5GB'), 1.5 * 1024 ** 3);
  for (const bad of ['16 MB', '16mb', '16M', '-1', 1.5, -3, 'MB', null]) {
    assert.equal(parseSize(bad), undefined, String(bad));
  }
});

test('a size is written back in the largest unit that divides it', () => {
  assert.equal(formatSize(16 * 1024 ** 2), '16MB');
  assert.equal(formatSize(1024 ** 3), '1GB');
  assert.equal(formatSize(64 * 1024), '64KB');
  assert.equal(formatSize(1500), '1500B');
});

test('maxOutput and followRedirects reach the job model; a bad size is a problem', async (t) => {
  const dir = tempDir('size', t);
  const file = join(dir, 'job.yaml');
  await writeFile(
    file,
    [
      'name: sizes',
      'tasks:',
      '  a:',
      '    run: echo a',
      '    maxOutput: 512KB',
      '  b:',
      '    http: { url: "http://127.0.0.1:1/", followRedirects: false }',
      '',
    ].join('\n'),
  );
  const [a, b] = (await loadJob(file)).tasks;
  assert.equal(a?.maxOutputBytes, 512 * 1024);
  assert.equal(b?.maxOutputBytes, undefined);
  assert.deepEqual(b?.action, {
    type: 'http',
    request: { url: 'http://127.0.0.1:1/', followRedirects: false },
  });

  await writeFile(file, 'name: sizes\ntasks:\n  a:\n    run: echo a\n    maxOutput: 16 MB\n');
  const problems = await validateJob(file);
  assert.equal(problems.length, 1);
  assert.equal(problems[0]?.line, 5);
  assert.match(
    problems[0]?.message ?? '',
    /^tasks\.a\.maxOutput: expected a size: integer bytes or a string like 512KB, 16MB, 1GB, found "16 MB"/,
  );
});
