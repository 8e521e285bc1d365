import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { validateJob } from '../../src/job/load.ts';
import { tempDir } from '../helpers/files.ts';

const dir = tempDir('positions');

/** `line:col` of every problem of a job file with these lines. */
async function placesOf(lines: string[]): Promise<string[]> {
  const file = join(dir, 'job.yaml');
  writeFileSync(file, lines.join('\n') + '\n');
  return (await validateJob(file)).map((problem) => `${problem.line}:${problem.col}`);
}

describe('a refused expression is placed at its own ${{ in the file', () => {
  test('in plain, quoted, literal and folded scalars', async () => {
    const places = await placesOf([
      'name: positions',
      'tasks:',
      '  plain:',
      '    map: [a]',
      '    run: echo ok ${{ item }} `echo ${{ item }}`',
      '  quoted:',
      '    map: [a]',
      '    run: "echo \\"x\\" ${{ item }} `echo ${{ index }}`"',
      '  literal:',
      '    map: [a]',
      '    run: |',
      '      echo ${{ item }}',
      '      # ${{ item }}',
      '  folded:',
      '    map: [a]',
      '    run: >-',
      '      echo',
      '      `${{ item }}`',
    ]);
    assert.deepEqual(places, ['5:36', '8:40', '13:9', '18:8']);
  });
});
