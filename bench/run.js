#!/usr/bin/env node
// jobrun's benchmark suite: each case runs jobrun (the built CLI, results file on) and the tools a
// user would pick instead, in the same invocation, in alternating rounds; prints one Markdown
// table and writes the figures to bench/results/.
//
//   npm run bench                      all cases, full size (a few minutes)
//   npm run bench -- --quick           small sizes, one round: a smoke check (under a minute)
//   npm run bench -- --only crawl      one case (repeatable); --rounds N sets the repetitions
//
// The figures are never asserted: the suite exits 0 whatever they are, and 1 only when a case
// itself broke.

import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { CLI } from './lib/jobrun.js';
import { summarize } from './lib/stats.js';
import { formatTable } from './lib/table.js';

const CASES = [
  'coroutine-noop',
  'thread-noop',
  'process-noop',
  'uneven-items',
  'sleep-items',
  'run-true',
  'crawl',
  'queue',
  'cpu',
  'startup',
  'memory',
  'resume',
  'live-vs-quiet',
  'report',
];

const { values: flags } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string', multiple: true },
    rounds: { type: 'string' },
  },
});
const quick = flags.quick;
const rounds = Number(flags.rounds ?? (quick ? 1 : 5));
const selected = flags.only ?? CASES;
const unknown = selected.filter((name) => !CASES.includes(name));
if (unknown.length > 0) {
  console.error(
    `Expected \`--only\` to be one of ${CASES.join(', ')}, got \`${unknown.join(', ')}\``,
  );
  process.exit(2);
}

const root = fileURLToPath(new URL('..', import.meta.url));
if (!existsSync(CLI)) {
  // `npm run bench` builds first; a direct `node bench/run.js` on a fresh checkout builds here.
  execFileSync(process.execPath, [join(root, 'scripts', 'build.js')], {
    cwd: root,
    stdio: 'inherit',
  });
}

const machine = `${availableParallelism()} CPUs (${cpus()[0]?.model.trim() ?? 'unknown'}), Node ${process.version}, ${process.platform}`;
console.log(`jobrun bench: ${quick ? 'quick' : 'full'}, ${rounds} round(s), ${machine}\n`);

const results = [];
let isBroken = false;
for (const name of CASES.filter((c) => selected.includes(c))) {
  const module = await import(`./cases/${name}.js`);
  const dir = mkdtempSync(join(tmpdir(), `jobrun-bench-${name}-`));
  const started = Date.now();
  process.stdout.write(`${name}… `);
  try {
    const result = await module.run({ quick, rounds, dir });
    results.push({ name, title: module.title, ...result });
    console.log(`${((Date.now() - started) / 1000).toFixed(1)} s`);
  } catch (error) {
    isBroken = true;
    const message = error instanceof Error ? error.message : String(error);
    results.push({ name, title: module.title, error: message, rows: [], checks: [] });
    console.log(`failed\n${message}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

console.log('\n' + formatTable(results));

const resultsDir = join(root, 'bench', 'results');
mkdirSync(resultsDir, { recursive: true });
const stamp = new Date().toISOString().replace(/[:.]/g, '-');
const file = join(resultsDir, `bench-${stamp}${quick ? '-quick' : ''}.json`);
const report = {
  date: new Date().toISOString(),
  machine,
  quick,
  rounds,
  cases: results.map((result) => ({
    ...result,
    rows: result.rows.map((row) => ({
      ...row,
      ...summarize(row.values.length > 0 ? row.values : [NaN]),
    })),
  })),
};
writeFileSync(file, JSON.stringify(report, null, 2) + '\n');
console.log(`\nfigures: ${file}`);
process.exit(isBroken ? 1 : 0);
