import { ITEM_ERROR_CODES, type ItemErrorCode } from '../results/types.ts';
import type { SerializedError } from './types.ts';

const MAX_CAUSE_DEPTH = 4;

/**
 * Turns anything thrown into plain data that survives `postMessage`, IPC and JSON alike: name,
 * message, stack, code and cause, explicitly. A `code` that is not an item error code (a user's
 * `ENOENT`) becomes `fallbackCode`.
 */
export function serializeError(
  error: unknown,
  fallbackCode: ItemErrorCode = 'TASK_ERROR',
  depth = 0,
): SerializedError {
  if (!(error instanceof Error)) {
    return { name: 'Error', message: String(error), code: fallbackCode };
  }
  const code: unknown = (error as { code?: unknown }).code;
  const serialized: SerializedError = {
    name: error.name,
    message: error.message,
    code: isItemErrorCode(code) ? code : fallbackCode,
  };
  if (error.stack !== undefined) serialized.stack = error.stack;
  const retryAfterMs: unknown = (error as { retryAfterMs?: unknown }).retryAfterMs;
  if (typeof retryAfterMs === 'number' && Number.isFinite(retryAfterMs)) {
    serialized.retryAfterMs = retryAfterMs;
  }
  if (error.cause !== undefined && depth < MAX_CAUSE_DEPTH) {
    serialized.cause = serializeError(error.cause, fallbackCode, depth + 1);
  }
  return serialized;
}

/** A failure made by jobrun itself (timeout, crash, cancellation), without a stack. */
export function itemError(code: ItemErrorCode, message: string): SerializedError {
  return { name: 'JobrunError', message, code };
}

function isItemErrorCode(code: unknown): code is ItemErrorCode {
  return (ITEM_ERROR_CODES as readonly unknown[]).includes(code);
}
