import assert from 'node:assert/strict';
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable } from 'node:stream';
import { CLI_PATH } from './cli.ts';

/** A `jobrun worker` process started by a test, standing in for another machine. */
export interface StartedWorker {
  child: ChildProcessByStdio<null, Readable, Readable>;
  pid: number;
  /** Its stdout and stderr so far. */
  output(): string;
  /** Resolves once `pattern` appears in its output; fails after 30 s. */
  waitFor(pattern: RegExp): Promise<void>;
  /** Its exit code, once it has exited (`null` when a signal ended it). */
  exited: Promise<number | null>;
  /** Sends SIGTERM (or `signal`) and waits for it to exit. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export interface WorkerOptions {
  kind?: 'process' | 'thread' | 'coroutine';
  concurrency?: number;
  root?: string;
  lockDurationMs?: number;
  /** Extra environment. */
  env?: NodeJS.ProcessEnv;
}

/** Starts `jobrun worker --connection URL …` and waits for its ready line. */
export async function startWorker(
  url: string,
  options: WorkerOptions = {},
): Promise<StartedWorker> {
  const args = [
    CLI_PATH,
    'worker',
    '--connection',
    url,
    '--concurrency',
    String(options.concurrency ?? 2),
  ];
  if (options.kind !== undefined) args.push('--kind', options.kind);
  if (options.root !== undefined) args.push('--root', options.root);
  if (options.lockDurationMs !== undefined) {
    args.push('--lock-duration', String(options.lockDurationMs));
  }
  const child = spawn(process.execPath, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1', ...options.env },
  });
  let output = '';
  const onData = (chunk: Buffer): void => {
    output += chunk.toString();
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const exited = new Promise<number | null>((resolve) =>
    child.on('close', (code) => resolve(code)),
  );
  const waitFor = async (pattern: RegExp): Promise<void> => {
    for (let i = 0; i < 600 && !pattern.test(output); i++) {
      if (child.exitCode !== null) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.match(output, pattern);
  };
  const worker: StartedWorker = {
    child,
    pid: child.pid as number,
    output: () => output,
    waitFor,
    exited,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
  await waitFor(/ready on redis:/);
  return worker;
}

/** Starts `count` workers at once. */
export function startWorkers(
  url: string,
  count: number,
  options: WorkerOptions = {},
): Promise<StartedWorker[]> {
  return Promise.all(Array.from({ length: count }, () => startWorker(url, options)));
}

/** Stops workers, forcefully (twice SIGTERM) if they do not end on their own within 10 s. */
export async function stopWorkers(workers: readonly StartedWorker[]): Promise<void> {
  await Promise.all(
    workers.map(async (worker) => {
      const timer = setTimeout(() => worker.child.kill('SIGKILL'), 10_000);
      await worker.stop();
      clearTimeout(timer);
    }),
  );
}
