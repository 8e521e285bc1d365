// Times validation of a generated 1,000-task job: `validateJob` in this process (the first call
// compiles the schema; later calls show the steady cost) and `jobrun validate` as a user runs it
// (process start-up included). Run after `npm run build`: node bench/validate.js [tasks] [runs]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const TASKS = Number(process.argv[2] ?? 1000);
const RUNS = Number(process.argv[3] ?? 7);
const root = fileURLToPath(new URL('..', import.meta.url));
const cli = join(root, 'dist', 'cmd', 'jobrun.js');

function jobText(count) {
  const lines = ['name: bench', 'vars:', '  site: https://example.org', '  n: 3', 'tasks:'];
  for (let i = 0; i < count; i += 1) {
    lines.push(`  t${i}:`);
    if (i % 3 === 0) {
      lines.push('    map: { range: 10 }', '    run: echo ${{ item }} ${{ vars.site }}');
    } else if (i % 3 === 1) {
      lines.push(
        `    needs: [t${i - 1}]`,
        `    http: { url: "\${{ vars.site }}/\${{ tasks.t${i - 1}.status }}", timeout: 5s }`,
      );
    } else {
      lines.push(
        `    needs: [t${i - 1}, t${i - 2}]`,
        `    run: echo \${{ tasks.t${i - 2}.result }}`,
      );
    }
    lines.push('    retries: 1', '    timeout: 30s');
  }
  return `${lines.join('\n')}\n`;
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

const dir = mkdtempSync(join(tmpdir(), 'jobrun-bench-'));
try {
  const file = join(dir, 'bench.yaml');
  writeFileSync(file, jobText(TASKS));

  const { validateJob } = await import(join(root, 'dist', 'src', 'job', 'load.js'));
  let started = performance.now();
  const first = await validateJob(file);
  const cold = performance.now() - started;
  if (first.length > 0) throw new Error(`the generated job is invalid: ${first[0].message}`);
  const warm = [];
  for (let run = 0; run < RUNS; run += 1) {
    started = performance.now();
    await validateJob(file);
    warm.push(performance.now() - started);
  }

  const viaCli = [];
  for (let run = 0; run < RUNS; run += 1) {
    started = performance.now();
    const result = spawnSync(process.execPath, [cli, 'validate', file], { encoding: 'utf8' });
    viaCli.push(performance.now() - started);
    if (result.status !== 0)
      throw new Error(`jobrun validate exited ${result.status}: ${result.stderr}`);
  }

  console.log(`validate a ${TASKS}-task job (median of ${RUNS} runs)`);
  console.log(`  validateJob, first call (compiles the schema): ${cold.toFixed(1)} ms`);
  console.log(`  validateJob, warm:                             ${median(warm).toFixed(1)} ms`);
  console.log(`  jobrun validate (new process each time):       ${median(viaCli).toFixed(1)} ms`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
