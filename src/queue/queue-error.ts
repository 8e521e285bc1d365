import { JobrunError } from '../errors.ts';

/**
 * The Redis of a `queue` executor cannot be used: a malformed URL, a server that does not answer,
 * or one that may evict keys. One line naming the URL (password hidden) and the cause.
 */
export class QueueConnectionError extends JobrunError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('QUEUE_CONNECTION', message, options);
    this.name = 'QueueConnectionError';
  }
}
