// Peer of the `run: true` row: Node's own spawn of `/bin/sh -c true` with piped output, a fixed
// number at a time, output collected as jobrun does.
//   node bench/peers/spawn-true.js COMMANDS AT_ONCE  → {"ms": …}
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';

const commands = Number(process.argv[2]);
const atOnce = Number(process.argv[3]);

function runOne() {
  return new Promise((resolve, reject) => {
    const child = spawn('/bin/sh', ['-c', 'true'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (chunk) => (output += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk) => (output += chunk));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(output) : reject(new Error(`exit ${code}`))));
  });
}

const started = performance.now();
let next = 0;
async function lane() {
  while (next < commands) {
    next++;
    await runOne();
  }
}
await Promise.all(Array.from({ length: atOnce }, lane));
console.log(JSON.stringify({ ms: performance.now() - started }));
