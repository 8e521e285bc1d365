import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { tempDir } from './files.ts';

/**
 * Why the tests that need `redis-server` cannot run here, else `false`. On CI (`CI` set) the
 * server is installed by `.ci/run`, so a missing one is an error there, never a silent skip.
 */
export function missingRedis(): string | false {
  const probe = spawnSync('redis-server', ['--version'], { stdio: 'ignore' });
  if (probe.error === undefined) return false;
  if (process.env.CI) throw new Error('redis-server is not installed, and CI must run these tests');
  return 'redis-server is not installed (apt-get install -y redis-server): the queue tests need it';
}

/** A private Redis on 127.0.0.1, started for one test file. */
export interface LocalRedis {
  /** `redis://127.0.0.1:PORT`, with `:PASSWORD@` when it has one */
  url: string;
  port: number;
  process: ChildProcess;
  /** Stops the server and waits for it to exit. */
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/**
 * Starts `redis-server` on a free port of 127.0.0.1 with no persistence, and resolves once it
 * accepts connections. `maxmemoryPolicy` sets its eviction policy (BullMQ needs `noeviction`,
 * the default).
 */
export async function startRedis(
  options: { maxmemoryPolicy?: string; password?: string } = {},
): Promise<LocalRedis> {
  const dir = tempDir('redis');
  const port = await freePort();
  const child = spawn(
    'redis-server',
    [
      '--bind',
      '127.0.0.1',
      '--port',
      String(port),
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      dir,
      '--logfile',
      join(dir, 'redis.log'),
      '--maxmemory-policy',
      options.maxmemoryPolicy ?? 'noeviction',
      ...(options.password === undefined ? [] : ['--requirepass', options.password]),
    ],
    { stdio: 'ignore' },
  );
  const exited = once(child, 'exit');
  const deadline = Date.now() + 10_000;
  for (;;) {
    const ping = spawnSync('redis-cli', ['-h', '127.0.0.1', '-p', String(port), 'ping'], {
      encoding: 'utf8',
      env: {
        ...process.env,
        ...(options.password === undefined ? {} : { REDISCLI_AUTH: options.password }),
      },
    });
    if (ping.stdout?.trim() === 'PONG') break;
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`redis-server did not start on port ${port} (log: ${dir}/redis.log)`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    url:
      options.password === undefined
        ? `redis://127.0.0.1:${port}`
        : `redis://:${encodeURIComponent(options.password)}@127.0.0.1:${port}`,
    port,
    process: child,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
