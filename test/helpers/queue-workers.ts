import { startCli, type StartedCli } from './cli.ts';

/** A `jobrun worker` process started by a test, standing in for another machine. */
export interface StartedWorker extends StartedCli {
  pid: number;
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
  const args = ['worker', '--connection', url, '--concurrency', String(options.concurrency ?? 2)];
  if (options.kind !== undefined) args.push('--kind', options.kind);
  if (options.root !== undefined) args.push('--root', options.root);
  if (options.lockDurationMs !== undefined) {
    args.push('--lock-duration', String(options.lockDurationMs));
  }
  const cli = startCli(args, { env: { NO_COLOR: '1', ...options.env } });
  const { child, exited } = cli;
  const worker: StartedWorker = {
    ...cli,
    pid: child.pid as number,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
  await worker.waitFor(/ready on redis:/);
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
