import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { formatProblem } from '../../src/errors.ts';
import { validateJob } from '../../src/job/load.ts';

// The example jobs shipped in jobs/ and the valid fixtures (one per form of the job format)
// must validate without a single problem.

const folders = [
  fileURLToPath(new URL('../../jobs/', import.meta.url)),
  fileURLToPath(new URL('../fixtures/valid/', import.meta.url)),
];

const files = folders.flatMap((folder) =>
  readdirSync(folder)
    .filter((name) => name.endsWith('.yaml') || name.endsWith('.yml'))
    .map((name) => join(folder, name)),
);

test('there are valid jobs to check', () => {
  assert.ok(files.length >= 6, `found only ${files.length}`);
});

for (const file of files) {
  test(`${file.split('/').slice(-2).join('/')} is valid`, async () => {
    const problems = await validateJob(file);
    assert.deepEqual(problems.map(formatProblem), []);
  });
}
