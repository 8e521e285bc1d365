import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli } from '../helpers/cli.ts';
import { tempDir } from '../helpers/files.ts';
import { closedPorts } from '../helpers/local-site.ts';
import { readRecords } from '../helpers/results.ts';

const workDir = tempDir('error-groups');

test('ten connections refused on ten URLs are one kind of error, counted ×10', async () => {
  const urls = (await closedPorts(10)).map((port, i) => `http://127.0.0.1:${port}/page/${i}`);
  const file = join(workDir, 'refused.yaml');
  writeFileSync(
    file,
    `name: refused\ntasks:\n  fetch:\n    map: [${urls.map((url) => JSON.stringify(url)).join(', ')}]\n    http: { url: "\${{ item }}" }\n    retries: 1\n    retryDelay: 10ms\n`,
  );
  const results = join(workDir, 'refused.jsonl');

  const quiet = await runCli([file, '--results', results, '--output', 'quiet']);
  assert.equal(quiet.code, 1, quiet.stderr);
  const groups = quiet.stderr.split('\n').filter((line) => /^ {2}×/.test(line));
  assert.deepEqual(groups, [
    '  ×10  TASK_ERROR: GET <url> failed: connect ECONNREFUSED 127.0.0.1:<n> (first: fetch[0])',
  ]);
  // The records keep each error's own message.
  const messages = readRecords(results)
    .filter((record) => record.type === 'item')
    .map((record) => (record.error as { message: string }).message);
  assert.equal(new Set(messages).size, 10);

  const plain = await runCli([file, '--results', results, '--output', 'plain']);
  assert.match(plain.stdout, /\n {2}×10 {2}TASK_ERROR: GET <url> failed: connect ECONNREFUSED/);
  // Each failed item says after how many attempts it failed.
  const failedLines = plain.stdout
    .split('\n')
    .filter((line) => / fetch\[\d\] {2}failed /.test(line));
  assert.equal(failedLines.length, 10);
  for (const line of failedLines)
    assert.match(line, /ECONNREFUSED 127\.0\.0\.1:\d+ {2}after 2 attempts$/);
});
