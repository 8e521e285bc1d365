import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { runCli } from '../helpers/cli.ts';
import { tempDir } from '../helpers/files.ts';

const dir = tempDir('html-report-bad');

const RUN_LINE = JSON.stringify({
  type: 'run',
  job: 'bad',
  runId: 'r',
  executor: { kind: 'coroutine', maxWorkers: 1 },
  startedAt: '2026-01-01T00:00:00.000Z',
});

function file(name: string, content: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

/** `jobrun report PATH` refuses with exit 2 and one line that names the file and the cause. */
async function assertRefused(path: string, cause: RegExp, extra: string[] = []): Promise<void> {
  const report = await runCli(['report', path, ...extra]);
  assert.equal(report.code, 2, report.stdout + report.stderr);
  assert.equal(report.stdout, '');
  const lines = report.stderr.split('\n').filter((line) => line !== '');
  assert.equal(lines.length, 1, report.stderr);
  assert.ok(lines[0]?.startsWith(`jobrun: ${path}`), lines[0]);
  assert.match(lines[0] as string, cause);
  assert.doesNotMatch(report.stderr, /\n\s+at |internal error/);
}

describe('jobrun report refuses what is not a results file', () => {
  test('a missing file', () => assertRefused(join(dir, 'nothing.jsonl'), /no such results file/));

  test('a folder', () => {
    mkdirSync(join(dir, 'folder.jsonl'));
    return assertRefused(join(dir, 'folder.jsonl'), /is a folder/);
  });

  test('an empty file', () => assertRefused(file('empty.jsonl', ''), /empty/));

  test('a file of blank lines', () => assertRefused(file('blank.jsonl', '\n  \n\n'), /empty/));

  test('a text file', () =>
    assertRefused(file('notes.txt', 'hello\nworld\n'), /:1: not a jobrun results file/));

  test('a binary file', () =>
    assertRefused(
      file('image.png', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13])),
      /:1: not a jobrun results file/,
    ));

  test('JSON Lines that are not a run', () =>
    assertRefused(file('other.jsonl', '{"a":1}\n{"b":2}\n'), /no "run" record/));

  test('a broken line before the end names its line', () =>
    assertRefused(
      file('broken.jsonl', `${RUN_LINE}\nnot json at all\n{"type":"item"}\n`),
      /:2: not a jobrun results file: this line is not a JSON record/,
    ));

  test('a report that would overwrite its results file', () => {
    const path = file('same.jsonl', `${RUN_LINE}\n`);
    return assertRefused(path, /would overwrite the results file/, ['-o', path]);
  });

  test('an output folder that does not exist', async () => {
    const path = file('ok.jsonl', `${RUN_LINE}\n`);
    const report = await runCli(['report', path, '-o', join(dir, 'missing', 'r.html')]);
    assert.equal(report.code, 2);
    assert.match(
      report.stderr,
      /^jobrun: .*r\.html: cannot write the report \(its folder does not exist\)\n$/,
    );
  });

  test('a run record alone is a report of an incomplete run, not an error', async () => {
    const path = file('started.jsonl', `${RUN_LINE}\n`);
    const report = await runCli(['report', path]);
    assert.equal(report.code, 0, report.stderr);
    assert.match(report.stdout, /\(0 items, .*incomplete run: the results file has no summary/);
  });
});
