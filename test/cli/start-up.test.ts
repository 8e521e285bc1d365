import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ROOT } from '../helpers/built.ts';
import { CLI_PATH } from '../helpers/cli.ts';
import { tempDir } from '../helpers/files.ts';

const RECORDER = fileURLToPath(new URL('../helpers/record-imports.js', import.meta.url));
const JOBS = fileURLToPath(new URL('../../jobs/', import.meta.url));
const workDir = tempDir('start-up');

// The built CLI is bundled (scripts/build-cli.js): the files it loads are chunks, each listed in
// dist/cmd/chunks.json with the source files and packages bundled into it.
const CLI_DIR = pathToFileURL(dirname(CLI_PATH)).href + '/';
const CHUNKS = JSON.parse(readFileSync(join(dirname(CLI_PATH), 'chunks.json'), 'utf8')) as Record<
  string,
  string[]
>;

/**
 * The modules `jobrun ARGS…` imports, as file URLs: a file of the bundled CLI stands for the
 * source files and packages in it (`…/src/report/output-mode.ts`, `…/node_modules/yaml/…`).
 */
function importsOf(args: string[]): string[] {
  return runRecorded(args).imports;
}

/** Runs `jobrun ARGS…` and returns what it printed and the modules its main thread imported. */
function runRecorded(args: string[]): { stdout: string; imports: string[] } {
  const record = join(workDir, `${args.join('-').replace(/[^a-z]/gi, '')}.txt`);
  writeFileSync(record, '');
  const run = spawnSync(process.execPath, ['--import', RECORDER, CLI_PATH, ...args], {
    env: { ...process.env, JOBRUN_TEST_IMPORTS: record },
    encoding: 'utf8',
  });
  assert.equal(run.status, 0, run.stderr);
  const loaded = readFileSync(record, 'utf8').trim().split('\n');
  return { stdout: run.stdout, imports: loaded.flatMap(unbundled) };
}

/** The source files in a file of the bundled CLI, as file URLs; any other URL as it is. */
function unbundled(url: string): string[] {
  if (!url.startsWith(CLI_DIR)) return [url];
  const sources = CHUNKS[url.slice(CLI_DIR.length)];
  assert.ok(sources !== undefined, `${url} is not in chunks.json`);
  return sources.map((source) => pathToFileURL(join(ROOT, source)).href);
}

const HEAVY = [
  /node_modules\/listr2\//,
  /node_modules\/got\//,
  /\/executors\//,
  /\/run\/run-job/,
  // The list of output modes is all the CLI needs of src/report/ to check `--output`.
  /\/report\/(?!output-mode\.ts)/,
];

describe('commands that do not run a job load nothing they do not need', () => {
  for (const args of [
    ['--version'],
    ['--help'],
    ['schema'],
    ['validate', join(JOBS, 'crawl.yaml')],
  ]) {
    test(`jobrun ${args[0]}`, () => {
      const imports = importsOf(args);
      assert.ok(
        imports.some((url) => url.endsWith('/cmd/jobrun.ts')),
        'the recorder saw the CLI',
      );
      for (const pattern of HEAVY) {
        assert.deepEqual(
          imports.filter((url) => pattern.test(url)),
          [],
          `loads ${String(pattern)}`,
        );
      }
    });
  }

  test('a run does load the engine, so the check above can see it', () => {
    const imports = importsOf([
      join(JOBS, 'shell.yaml'),
      '--output',
      'quiet',
      '--results',
      join(workDir, 'shell.jsonl'),
    ]);
    assert.ok(imports.some((url) => /\/run\/run-job/.test(url)));
    assert.ok(imports.some((url) => /\/executors\//.test(url)));
  });

  test('a live run draws its rows itself: it never loads listr2', () => {
    const { stdout, imports } = runRecorded([
      join(JOBS, 'shell.yaml'),
      '--output',
      'live',
      '--results',
      join(workDir, 'shell-live.jsonl'),
    ]);
    assert.match(stdout, /✔ greet\s+4\/4/, 'the listing drew the final rows');
    assert.ok(imports.some((url) => url.endsWith('/report/live-reporter.ts')));
    assert.deepEqual(
      imports.filter((url) => /listr2/.test(url)),
      [],
    );
  });
});
