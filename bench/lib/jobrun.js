// Runs jobrun the way a user does (the built CLI) and reads what its results file says.

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runProcess } from './process.js';

export const CLI = fileURLToPath(new URL('../../dist/cmd/jobrun.js', import.meta.url));
export const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));

/** Writes a job file `<name>.yaml` into `dir` from lines of YAML; returns its path. */
export function writeJob(dir, name, lines) {
  const path = join(dir, `${name}.yaml`);
  writeFileSync(path, [`name: ${name}`, ...lines, ''].join('\n'));
  return path;
}

/**
 * Writes a job of one no-op map task over `{ range: items }` on `executor` (YAML flow mapping,
 * e.g. `{ kind: thread, maxWorkers: 2 }`); returns its path.
 */
export function writeNoopJob(dir, name, executor, items) {
  return writeJob(dir, name, [
    `executor: ${executor}`,
    'tasks:',
    '  noop:',
    `    map: { range: ${items} }`,
    `    function: ${FIXTURES}noop.js`,
  ]);
}

/**
 * Runs `jobrun run FILE --output quiet --results …` (results file on) and resolves with
 * `{ ms, wallMs, peakRssKb, summary }`: `ms` is the run's own duration from its summary record
 * (start of the run to its last record, pools started and shut down inside it), `wallMs` the
 * whole process including Node's own start-up.
 */
export async function runJobrun(jobFile, dir, options = {}) {
  const results = join(dir, 'results.jsonl');
  const { wallMs, peakRssKb } = await runProcess(
    process.execPath,
    [CLI, jobFile, '--output', 'quiet', '--results', results, ...(options.args ?? [])],
    { cwd: dir, rss: options.rss ?? false, env: { CI: '' } },
  );
  const text = readFileSync(results, 'utf8');
  const summary = JSON.parse(text.slice(text.lastIndexOf('\n', text.length - 2) + 1));
  if (summary.type !== 'summary' || summary.status !== 'ok') {
    throw new Error(`${jobFile}: the run did not end ok: ${JSON.stringify(summary)}`);
  }
  return { ms: summary.durationMs, wallMs, peakRssKb, summary };
}
