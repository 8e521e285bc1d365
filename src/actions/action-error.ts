import { JobrunError } from '../errors.ts';
import type { ItemErrorCode } from '../results/types.ts';

/**
 * A failure of a user's action (a non-zero exit, an HTTP 404, a value that cannot be recorded).
 * Executors turn it into a failed `ActionOutcome`; it never escapes as an exception.
 */
export class ActionError extends JobrunError {
  declare readonly code: ItemErrorCode;
  /** How long the server asked to wait before trying again (an HTTP `Retry-After`). */
  readonly retryAfterMs?: number;

  constructor(
    code: ItemErrorCode,
    message: string,
    options?: { cause?: unknown; retryAfterMs?: number },
  ) {
    super(code, message, options);
    this.name = 'ActionError';
    if (options?.retryAfterMs !== undefined) this.retryAfterMs = options.retryAfterMs;
    // jobrun's own stack says nothing to a user; a user's error keeps its stack (function-action).
    this.stack = undefined;
  }
}
