// `jobrun report` on a results file of 100,000 items (written here, synthetically, in the shape a
// crawl leaves: URLs, small results, a few failures and retries over 16 coroutines and 8
// processes): the time of the whole command and the size of the HTML it writes.

import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runProcess } from '../lib/process.js';
import { CLI } from '../lib/jobrun.js';
import { bound, inRounds } from '../lib/rounds.js';

export const title = '`jobrun report`';

const RUN_START = Date.parse('2026-01-01T00:00:00.000Z');

/** A deterministic pseudo-random stream, so every round reads the same file. */
function random(seed) {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
}

/** Writes a results file of `items` items over two tasks; returns its path. */
export function writeResults(dir, items) {
  const next = random(42);
  const lines = [
    JSON.stringify({
      type: 'run',
      job: 'bench-report',
      runId: 'bench',
      executor: { kind: 'coroutine', maxWorkers: 16 },
      startedAt: new Date(RUN_START).toISOString(),
    }),
  ];
  const fetchItems = Math.round(items * 0.8);
  const tasks = [
    {
      name: 'fetch',
      count: fetchItems,
      workers: 16,
      worker: () => 'coroutine',
      ms: () => 5 + next() * 60,
    },
    {
      name: 'parse',
      count: items - fetchItems,
      workers: 8,
      worker: (slot) => `process-${1000 + slot}`,
      ms: () => 2 + next() * next() * 40,
    },
  ];
  const summary = {};
  let end = 0;
  for (const task of tasks) {
    const free = Array.from({ length: task.workers }, () => 0);
    const counts = { status: 'ok', ok: 0, failed: 0, skipped: 0, cancelled: 0, total: task.count };
    for (let index = 0; index < task.count; index++) {
      const slot = free.indexOf(Math.min(...free));
      const start = free[slot];
      const durationMs = Math.round(task.ms() * 10) / 10;
      free[slot] = start + durationMs;
      end = Math.max(end, free[slot]);
      const url = `https://example.org/pages/${index}?q=${Math.floor(next() * 1e6)}`;
      const roll = next();
      const failed = roll < 0.01;
      const attempts = failed ? 3 : roll < 0.03 ? 2 : 1;
      const error = !failed
        ? null
        : roll < 0.005
          ? { code: 'HTTP_STATUS', message: `HTTP 503 Service Unavailable from GET ${url}` }
          : { code: 'TIMEOUT', message: `the attempt timed out after ${5000 + index} ms` };
      counts[failed ? 'failed' : 'ok']++;
      if (failed) counts.status = 'failed';
      lines.push(
        JSON.stringify({
          type: 'item',
          task: task.name,
          index,
          item: url,
          status: failed ? 'failed' : 'ok',
          result: failed ? null : { url, status: 200, size: Math.floor(next() * 50_000) },
          error,
          attempts,
          startedAt: new Date(RUN_START + Math.floor(start)).toISOString(),
          durationMs,
          worker: task.worker(slot),
        }),
      );
    }
    summary[task.name] = counts;
  }
  lines.push(
    JSON.stringify({
      type: 'summary',
      status: Object.values(summary).some((task) => task.failed > 0) ? 'failed' : 'ok',
      tasks: summary,
      durationMs: end,
      finishedAt: new Date(RUN_START + end).toISOString(),
    }),
  );
  const path = join(dir, 'results.jsonl');
  writeFileSync(path, lines.join('\n') + '\n');
  return path;
}

export async function run({ quick, rounds, dir }) {
  const items = 100_000;
  const results = writeResults(dir, items);
  const output = join(dir, 'report.html');
  const sizes = [];
  const samples = await inRounds(quick ? 1 : Math.min(rounds, 3), {
    report: async () => {
      const { wallMs } = await runProcess(process.execPath, [CLI, 'report', results, '-o', output]);
      sizes.push(statSync(output).size / 1024 / 1024);
      return wallMs / 1000;
    },
  });
  return {
    description: `${items.toLocaleString('en')} items, ${(statSync(results).size / 1024 / 1024).toFixed(0)} MB of results`,
    rows: [
      { label: 'jobrun report, whole command', unit: 's', values: samples.report },
      { label: 'report size', unit: 'MB', values: sizes },
    ],
    checks: [bound('time', samples.report, '<=', 10, 's'), bound('size', sizes, '<=', 20, 'MB')],
  };
}
