// Runs one measured child process: wall time, output, and (when asked) its peak resident memory.

import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

const GNU_TIME = '/usr/bin/time';

/** Whether `/usr/bin/time -f %M` is usable here (GNU time); else /proc sampling is used. */
const hasGnuTime = existsSync(GNU_TIME);

/**
 * Runs `command args…` and resolves with `{ code, stdout, stderr, wallMs, peakRssKb }`.
 * `peakRssKb` is measured only with `{ rss: true }`: under GNU time when present, else by
 * sampling the child's VmHWM (its high-water mark) in /proc until it exits.
 * Rejects when the command exits non-zero, unless `{ allowFailure: true }`.
 */
export function runProcess(command, args, options = {}) {
  const { cwd, env, rss = false, allowFailure = false, timeoutMs = 600_000 } = options;
  let argv = [command, ...args];
  let rssFile = null;
  let rssDir = null;
  if (rss && hasGnuTime) {
    rssDir = mkdtempSync(join(tmpdir(), 'jobrun-bench-rss-'));
    rssFile = join(rssDir, 'rss');
    argv = [GNU_TIME, '-f', '%M', '-o', rssFile, ...argv];
  }
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(argv[0], argv.slice(1), {
      cwd,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk) => (stderr += chunk));
    let sampledKb = 0;
    const sampler =
      rss && !hasGnuTime
        ? setInterval(() => {
            try {
              const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
              const match = /VmHWM:\s+(\d+) kB/.exec(status);
              if (match) sampledKb = Math.max(sampledKb, Number(match[1]));
            } catch {
              // The process is gone; the last sample stands.
            }
          }, 10)
        : null;
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      const wallMs = performance.now() - started;
      clearTimeout(timer);
      if (sampler) clearInterval(sampler);
      let peakRssKb = null;
      if (rssFile) {
        const lines = readFileSync(rssFile, 'utf8').trim().split('\n');
        peakRssKb = Number(lines.at(-1));
        rmSync(rssDir, { recursive: true, force: true });
      } else if (rss) {
        peakRssKb = sampledKb;
      }
      if (code !== 0 && !allowFailure) {
        const shown = [command, ...args].join(' ');
        reject(new Error(`${shown} exited ${code ?? signal}:\n${stdout}\n${stderr}`.trim()));
        return;
      }
      resolve({ code, stdout, stderr, wallMs, peakRssKb });
    });
  });
}

/** Runs a Node script (a peer) that prints `{"ms": …}` as its last line; resolves with that ms. */
export async function runTimedScript(script, args = [], options = {}) {
  const { stdout } = await runProcess(process.execPath, [script, ...args.map(String)], options);
  const last = stdout.trim().split('\n').at(-1) ?? '';
  return JSON.parse(last).ms;
}

/** Whether an executable is on the PATH. */
export function hasCommand(name) {
  const dirs = (process.env.PATH ?? '').split(':');
  return dirs.some((dir) => dir !== '' && existsSync(join(dir, name)));
}
