import type { ConnectionOptions } from 'bullmq';
import { Redis } from 'ioredis';
import { errorMessage } from '../util/error-message.ts';
import { QueueConnectionError } from './queue-error.ts';
import { checkRedisUrl, displayUrl } from './redis-url.ts';

/** How long connecting to Redis may take before jobrun gives up with one line. */
export const CONNECT_TIMEOUT_MS = 3000;

/** The connection of BullMQ's queues, workers and event readers. */
export function bullConnection(url: string): ConnectionOptions {
  return { url, connectTimeout: CONNECT_TIMEOUT_MS };
}

/**
 * Opens a connection to `url` and waits until it is ready: it fails at once, with one line, when
 * the URL is malformed, the server does not answer within `CONNECT_TIMEOUT_MS`, refuses the
 * credentials, or may evict keys (BullMQ needs `maxmemory-policy noeviction`). Once open, it
 * reconnects on its own.
 *
 * @throws {QueueConnectionError}
 */
export async function connectRedis(url: string, from = 'connection'): Promise<Redis> {
  checkRedisUrl(url, from);
  const client = new Redis(url, {
    connectTimeout: CONNECT_TIMEOUT_MS,
    lazyConnect: true,
    // The first connection gets one chance; a later loss is retried by ioredis.
    retryStrategy: () => null,
  });
  // connect() rejects with "Connection is closed"; the cause (ECONNREFUSED…) comes as an event.
  let cause: unknown;
  client.on('error', (error) => (cause ??= error));
  try {
    await client.connect();
    await checkEvictionPolicy(client, url);
  } catch (error) {
    client.disconnect();
    if (error instanceof QueueConnectionError) throw error;
    const why = errorMessage(cause ?? error);
    throw new QueueConnectionError(`cannot connect to ${displayUrl(url)}: ${why}`, {
      cause: error,
    });
  }
  client.options.retryStrategy = (times) => Math.min(times * 100, 1000);
  return client;
}

/** Connects, checks the server as `connectRedis` does, and disconnects: `--dry-run`'s check. */
export async function checkRedis(url: string, from?: string): Promise<void> {
  const client = await connectRedis(url, from);
  client.disconnect();
}

async function checkEvictionPolicy(client: Redis, url: string): Promise<void> {
  const info = await client.info('memory');
  const policy = /^maxmemory_policy:(\S+)/m.exec(info)?.[1];
  if (policy === undefined || policy === 'noeviction') return;
  throw new QueueConnectionError(
    `${displayUrl(url)} has maxmemory-policy ${policy}: a queue needs noeviction, or Redis may ` +
      'drop queued attempts (redis-cli config set maxmemory-policy noeviction)',
  );
}
