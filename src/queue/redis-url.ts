import { QueueConnectionError } from './queue-error.ts';

/**
 * Checks a queue's connection string: a `redis://` or `rediss://` URL with a host.
 *
 * @throws {QueueConnectionError} naming what was expected and what was found.
 */
export function checkRedisUrl(url: string, from = 'connection'): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new QueueConnectionError(
      `Expected \`${from}\` to be a URL like redis://HOST:PORT, got \`${url}\``,
    );
  }
  if ((parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') || parsed.hostname === '') {
    throw new QueueConnectionError(
      `Expected \`${from}\` to be a URL like redis://HOST:PORT, got \`${displayUrl(url)}\``,
    );
  }
}

/**
 * The URL as jobrun shows it in messages and the listing: any password replaced by `***`.
 *
 * @example
 * displayUrl('redis://:s3cret@cache:6379'); // 'redis://:***@cache:6379'
 */
export function displayUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password === '') return url;
    parsed.password = '***';
    return parsed.toString();
  } catch {
    return url;
  }
}
