import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { expandTargets } from '../../src/schedule/targets.ts';
import { tempDir } from '../helpers/files.ts';

test('a folder gives its yaml files sorted, not recursing; files stay as given', async (t) => {
  const dir = tempDir('targets', t);
  await mkdir(join(dir, 'jobs', 'nested'), { recursive: true });
  for (const name of ['b.yml', 'a.yaml', 'notes.txt', 'nested/c.yaml']) {
    await writeFile(join(dir, 'jobs', name), 'name: x\n');
  }
  await writeFile(join(dir, 'extra.yaml'), 'name: y\n');

  const { files, problems } = await expandTargets([
    join(dir, 'extra.yaml'),
    join(dir, 'jobs'),
    join(dir, 'jobs', 'a.yaml'),
  ]);
  assert.deepEqual(problems, []);
  assert.deepEqual(files, [
    join(dir, 'extra.yaml'),
    join(dir, 'jobs', 'a.yaml'),
    join(dir, 'jobs', 'b.yml'),
  ]);
});

test('a missing target is a problem naming it', async () => {
  const missing = join(tmpdir(), 'jobrun-no-such-folder-0d3c', 'job.yaml');
  const { files, problems } = await expandTargets([missing]);
  assert.deepEqual(files, []);
  assert.equal(problems.length, 1);
  assert.equal(problems[0]?.file, missing);
  assert.match(problems[0]?.message ?? '', /no such file or folder/);
});
