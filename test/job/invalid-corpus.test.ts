import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runCli } from '../helpers/cli.ts';
import { tempDir } from '../helpers/files.ts';

// Every invalid job file, run through the built CLI as a user would: `jobrun validate FILE`
// must exit 2, print each expected `FILE:LINE:COL  message` on stderr, nothing else, and
// create no results file.

const CORPUS = fileURLToPath(new URL('../fixtures/invalid/', import.meta.url));
const expected = JSON.parse(readFileSync(join(CORPUS, 'expected.json'), 'utf8')) as Record<
  string,
  string[]
>;
const files = readdirSync(CORPUS).filter((name) => name.endsWith('.yaml'));

describe('jobrun validate on the invalid corpus', () => {
  const cwd = tempDir('invalid');

  test('the corpus has at least 30 files, each with expectations', () => {
    assert.ok(files.length >= 30, `only ${files.length} invalid fixtures`);
    assert.deepEqual(files.toSorted(), Object.keys(expected).toSorted());
  });

  for (const name of files) {
    test(name, { timeout: 60_000 }, async () => {
      const file = join(CORPUS, name);
      const result = await runCli(['validate', file], { cwd });
      assert.equal(result.code, 2, `exit code of validate ${name}\n${result.stderr}`);
      const lines = result.stderr.split('\n').filter((line) => line.startsWith(file));
      const places = new Set<string>();
      for (const expectation of expected[name] ?? []) {
        const space = expectation.indexOf(' ');
        const place = expectation.slice(0, space);
        const fragment = expectation.slice(space + 1);
        places.add(place);
        const prefix = `${file}:${place}  `;
        assert.ok(
          lines.some((line) => line.startsWith(prefix) && line.includes(fragment)),
          `expected a line starting ${JSON.stringify(prefix)} containing ${JSON.stringify(fragment)}, got:\n${result.stderr}`,
        );
      }
      // One line per problem: no cascade of schema errors for one mistake.
      assert.equal(lines.length, places.size, `problems reported:\n${result.stderr}`);
      assert.equal(existsSync(join(CORPUS, 'results')), false, 'validate created a results folder');
      assert.equal(existsSync(join(cwd, 'results')), false, 'validate created a results folder');
    });
  }
});
