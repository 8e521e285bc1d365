#!/usr/bin/env node
// Does the live listing slow a run down? Runs the built CLI inside a pseudo-terminal (`script`,
// so stdout is a TTY and the listing really draws) with `--output live` and with `--output quiet`,
// alternating, several times each, and prints the medians and their ratio (whole process).
//
// Two jobs, both one coroutine map:
// - `sleep` (the realistic one): 20,000 items of `await sleep(1)` at 64 in flight. Every item
//   waits, so the listing hears of each one starting and finishing. Target: live ≤ 1.05 × quiet.
// - `noop`: 100,000 items that return at once (the listing takes no event per item).
//
//   npm run build && node bench/live-vs-quiet.js [runs=5] [job=sleep|noop] [items]

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const JOBS = {
  sleep: {
    items: 20_000,
    maxWorkers: 64,
    describe: (items) => `${items} items of await sleep(1) on coroutine ×64`,
    source:
      "import { setTimeout as sleep } from 'node:timers/promises';\n" +
      'export default async function nap() {\n  await sleep(1);\n  return null;\n}\n',
  },
  noop: {
    items: 100_000,
    maxWorkers: null,
    describe: (items) => `${items} no-op items on coroutine`,
    source: 'export default function noop() {\n  return null;\n}\n',
  },
};

const runs = Number(process.argv[2] ?? 5);
const jobName = process.argv[3] ?? 'sleep';
const spec = JOBS[jobName];
if (spec === undefined) throw new Error(`Expected a job of ${Object.keys(JOBS).join(', ')}`);
const items = Number(process.argv[4] ?? spec.items);
const cli = fileURLToPath(new URL('../dist/cmd/jobrun.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'jobrun-bench-live-'));

writeFileSync(join(dir, 'item.js'), spec.source);
writeFileSync(
  join(dir, 'job.yaml'),
  [
    `name: ${jobName}-map`,
    spec.maxWorkers === null
      ? 'executor: { kind: coroutine }'
      : `executor: { kind: coroutine, maxWorkers: ${spec.maxWorkers} }`,
    'tasks:',
    '  items:',
    `    map: { range: ${items} }`,
    '    function: ./item.js',
    '',
  ].join('\n'),
);

const quote = (value) => `'${String(value).replace(/'/g, `'\\''`)}'`;

function runOnce(mode) {
  const command = [
    'stty cols 100 rows 40;',
    quote(process.execPath),
    quote(cli),
    quote(join(dir, 'job.yaml')),
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
  runOnce('quiet'); // warm the file cache
  runOnce('live');
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
  console.log(`${spec.describe(items)}, ${runs} runs each, in a 100x40 pseudo-terminal`);
  console.log(
    `quiet: median ${quiet.toFixed(0)} ms  (${format(times.quiet)})  ${bytes.quiet} bytes of output`,
  );
  console.log(
    `live:  median ${live.toFixed(0)} ms  (${format(times.live)})  ${bytes.live} bytes of output`,
  );
  console.log(`live / quiet = ${(live / quiet).toFixed(3)}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
