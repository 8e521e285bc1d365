// 2,000 GETs of a local 10 KB page answered after 20 ms, 100 in flight: jobrun's http action on
// coroutines against got in a hand-written bounded loop. The site runs in its own process.

import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { runTimedScript } from '../lib/process.js';
import { runJobrun, writeJob } from '../lib/jobrun.js';
import { check, inRounds } from '../lib/rounds.js';

export const title = 'crawl: GETs of a 10 KB page with 20 ms latency';

function startSite() {
  const child = spawn(
    process.execPath,
    [fileURLToPath(new URL('../fixtures/page-server.js', import.meta.url))],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.stdout
      .setEncoding('utf8')
      .once('data', (line) => resolve({ port: Number(line.trim()), child }));
  });
}

export async function run({ quick, rounds, dir }) {
  const requests = quick ? 200 : 2000;
  const inFlight = 100;
  const { port, child } = await startSite();
  try {
    const base = `http://127.0.0.1:${port}`;
    const job = writeJob(dir, 'crawl', [
      `executor: { kind: coroutine, maxWorkers: ${inFlight} }`,
      'tasks:',
      '  fetch:',
      `    map: { range: ${requests} }`,
      `    http: { url: "${base}/pages/\${{ item }}" }`,
    ]);
    const samples = await inRounds(rounds, {
      jobrun: async () => (await runJobrun(job, dir)).ms,
      got: async () =>
        runTimedScript(new URL('../peers/got-crawl.js', import.meta.url).pathname, [
          base,
          requests,
          inFlight,
        ]),
    });
    return {
      description: `${requests.toLocaleString('en')} GETs, ${inFlight} in flight (ideal ${((requests / inFlight) * 20).toFixed(0)} ms)`,
      rows: [
        { label: 'jobrun http, coroutine', unit: 'ms', values: samples.jobrun },
        { label: 'got, bounded loop', unit: 'ms', values: samples.got },
      ],
      checks: [check('jobrun / got', samples.jobrun, samples.got, '<=', 1.05)],
    };
  } finally {
    child.kill();
  }
}
