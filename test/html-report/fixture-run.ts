import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.ts';
import type { ReportData } from '../../src/html-report/model.ts';

const JOB = `name: report-fixture
executor: { kind: process, maxWorkers: 2 }
tasks:
  square:
    map: { range: 12 }
    function: ./square.mjs#square
    retries: 1
    retryDelay: 500ms
  shell:
    executor: { kind: coroutine, maxWorkers: 3 }
    map: [a, b, c, d, e, f]
    run: 'sleep 0.05; test \${{ item }} != c && test \${{ item }} != e'
  after:
    needs: [square]
    run: echo done
`;

// Items 3, 7 and 11 fail on every attempt, with messages that differ only by number and path.
const MODULE = `export async function square(n) {
  await new Promise((resolve) => setTimeout(resolve, 30));
  if (n % 4 === 3) throw new Error(\`item \${n} is unlucky (see /tmp/unlucky/\${n}.txt)\`);
  return n * n;
}
`;

export interface FixtureRun {
  dir: string;
  results: string;
}

/**
 * Runs a small job through the real CLI in a fresh folder outside the repository: 12 items on two
 * processes (3 fail after a retry), 6 shell commands on three coroutines (2 fail), and a task
 * skipped because of the failures.
 */
export async function runFixtureJob(): Promise<FixtureRun> {
  const dir = mkdtempSync(join(tmpdir(), 'jobrun-html-report-'));
  writeFileSync(join(dir, 'job.yaml'), JOB);
  writeFileSync(join(dir, 'square.mjs'), MODULE);
  const run = await runCli([join(dir, 'job.yaml'), '--output', 'quiet'], { cwd: dir });
  assert.equal(run.code, 1, run.stdout + run.stderr);
  return { dir, results: join(dir, 'results', 'report-fixture.jsonl') };
}

/** The data a report page embeds, as its script reads it. */
export function embeddedData(htmlPath: string): ReportData {
  const html = readFileSync(htmlPath, 'utf8');
  const match =
    /<script type="application\/json" id="jobrun-report-data">([\s\S]*?)<\/script>/.exec(html);
  assert.ok(match, `${htmlPath} embeds no report data`);
  return JSON.parse(match[1] as string) as ReportData;
}
