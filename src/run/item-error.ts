import type { ItemError } from '../results/types.ts';
import { errorMessage } from '../util/error-message.ts';

/** The `error` of an item's record for anything thrown: its message, the code, its stack if any. */
export function itemErrorFrom(code: ItemError['code'], thrown: unknown): ItemError {
  return {
    message: errorMessage(thrown),
    code,
    ...(thrown instanceof Error && thrown.stack !== undefined ? { stack: thrown.stack } : {}),
  };
}
