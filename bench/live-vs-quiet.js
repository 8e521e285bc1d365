#!/usr/bin/env node
// Does the live listing slow a run down? Runs the built CLI on a map of 100,000 no-op items on the
// coroutine executor, inside a pseudo-terminal (`script`, so stdout is a TTY and listr2 really
// draws), with `--output live` and with `--output quiet`, alternating, several times each, and
// prints the medians and their ratio. Target: live at most 10% slower than quiet.
//
//   npm run build && node bench/live-vs-quiet.js [runs=5] [items=100000]

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const runs = Number(process.argv[2] ?? 5);
const items = Number(process.argv[3] ?? 100_000);
const cli = fileURLToPath(new URL('../dist/cmd/jobrun.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'jobrun-bench-live-'));

writeFileSync(join(dir, 'noop.js'), 'export default function noop() {\n  return null;\n}\n');
writeFileSync(
  join(dir, 'noop-map.yaml'),
  [
    'name: noop-map',
    'executor: { kind: coroutine }',
    'tasks:',
    '  noop:',
    `    map: { range: ${items} }`,
    '    function: ./noop.js',
    '',
  ].join('\n'),
);

const quote = (value) => `'${String(value).replace(/'/g, `'\\''`)}'`;

function runOnce(mode) {
  const command = [
    'stty cols 100 rows 40;',
    quote(process.execPath),
    quote(cli),
    quote(join(dir, 'noop-map.yaml')),
    '--output',
    mode,
    '--results',
    quote(join(dir, `results-${mode}.jsonl`)),
  ].join(' ');
  const started = performance.now();
  const child = spawnSync('script', ['-qec', command, '/dev/null'], {
    env: { ...process.env, CI: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 256 * 1024 * 1024,
  });
  const elapsedMs = performance.now() - started;
  if (child.status !== 0) {
    throw new Error(
      `jobrun --output ${mode} exited ${child.status}:\n${child.stdout}\n${child.stderr}`,
    );
  }
  return { elapsedMs, bytes: child.stdout.length };
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

try {
  runOnce('quiet'); // warm the file cache and tsx's transform cache
  const times = { live: [], quiet: [] };
  const bytes = { live: 0, quiet: 0 };
  for (let i = 0; i < runs; i += 1) {
    for (const mode of i % 2 === 0 ? ['live', 'quiet'] : ['quiet', 'live']) {
      const { elapsedMs, bytes: written } = runOnce(mode);
      times[mode].push(elapsedMs);
      bytes[mode] = written;
    }
  }
  const live = median(times.live);
  const quiet = median(times.quiet);
  const format = (values) => values.map((ms) => ms.toFixed(0)).join(', ');
  console.log(`${items} no-op items on coroutine, ${runs} runs each, in a 100x40 pseudo-terminal`);
  console.log(
    `quiet: median ${quiet.toFixed(0)} ms  (${format(times.quiet)})  ${bytes.quiet} bytes of output`,
  );
  console.log(
    `live:  median ${live.toFixed(0)} ms  (${format(times.live)})  ${bytes.live} bytes of output`,
  );
  console.log(`live / quiet = ${(live / quiet).toFixed(3)}  (target <= 1.10)`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
