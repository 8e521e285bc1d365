import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { validateJob } from '../../src/job/load.ts';
import { MAX_NESTING_DEPTH } from '../../src/job/parse-yaml.ts';
import { tempDir } from '../helpers/files.ts';

const dir = tempDir('parser-limits');

/** The problems of a job whose `vars:` holds `vars` (text after `vars:` on its own line). */
async function problemsOf(name: string, contents: string | Buffer): Promise<string[]> {
  const file = join(dir, `${name}.yaml`);
  await writeFile(file, contents);
  return (await validateJob(file)).map(
    (problem) => `${problem.line}:${problem.col} ${problem.message}`,
  );
}

const TAIL = 'tasks:\n  t:\n    run: echo hi\n';

test(`${MAX_NESTING_DEPTH} levels of nesting are read, one more is a problem at its place`, async () => {
  // The top-level mapping is level 1 and `vars:` level 2: `x` holds the rest.
  const nest = (levels: number): string => `${'['.repeat(levels)}${']'.repeat(levels)}`;
  assert.deepEqual(
    await problemsOf('deep-ok', `name: d\nvars:\n  x: ${nest(MAX_NESTING_DEPTH - 2)}\n${TAIL}`),
    [],
  );
  const [problem, ...rest] = await problemsOf(
    'deep',
    `name: d\nvars:\n  x: ${nest(MAX_NESTING_DEPTH - 1)}\n${TAIL}`,
  );
  assert.deepEqual(rest, []);
  assert.match(
    problem ?? '',
    /^3:\d+ nested too deeply: more than 100 levels of lists and mappings/,
  );
});

test('nesting through aliases counts too', async () => {
  const chain = [
    `  a0: &a0 ${'['.repeat(60)}${']'.repeat(60)}`,
    '  a1: &a1 [*a0]',
    ...Array.from({ length: 45 }, (_, i) =>
      `  a${i + 2}: [*a${i + 1}, *a${i + 1}]`.replace(`  a${i + 2}:`, `  a${i + 2}: &a${i + 2}`),
    ),
  ];
  const problems = await problemsOf('alias-deep', `name: d\nvars:\n${chain.join('\n')}\n${TAIL}`);
  assert.equal(problems.length, 1);
  assert.match(problems[0] ?? '', /^\d+:\d+ (nested too deeply|aliases expand to too many values)/);
});

test('an alias that holds itself is a problem, not a cycle in the data', async () => {
  assert.deepEqual(await problemsOf('cycle', `name: c\nvars:\n  a: &a [1, *a]\n${TAIL}`), [
    '3:13 an alias refers to a value that holds it (a cycle): a job file must be a tree',
  ]);
});

test('a few aliases of a shared block stay fine', async () => {
  const text = `name: s\nvars:\n  base: &base { retries: 1, tags: [a, b] }\n  one: *base\n  two: *base\n  three: [*base, *base]\n${TAIL}`;
  assert.deepEqual(await problemsOf('aliases-ok', text), []);
});

test('bytes that are not UTF-8 are placed at their line and column', async () => {
  const text = Buffer.concat([
    Buffer.from('name: u\n# ☃ first\ntasks:\n  t:\n    run: echo ☃'),
    Buffer.from([0xe2, 0x98]), // a snowman cut short
    Buffer.from('\n'),
  ]);
  assert.deepEqual(await problemsOf('cut', text), [
    '5:16 not valid UTF-8: byte 0xe2 is not part of a UTF-8 character; jobrun reads job files as UTF-8 only: save the file as UTF-8',
  ]);
  for (const bad of [[0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xff]]) {
    const problems = await problemsOf(
      'bad',
      Buffer.concat([Buffer.from('name: u\nx: '), Buffer.from(bad), Buffer.from('\n')]),
    );
    assert.match(problems[0] ?? '', /^2:4 not valid UTF-8/, bad.join(','));
  }
});

test('a UTF-16 file is named as such', async () => {
  const problems = await problemsOf('utf16', Buffer.from(`\ufeffname: u\n${TAIL}`, 'utf16le'));
  assert.deepEqual(problems, [
    '1:1 the file is UTF-16 (it starts with a UTF-16 byte order mark); save it as UTF-8',
  ]);
});
