/**
 * The message of anything thrown: an `Error`'s own message, anything else as text. What jobrun
 * shows in its one-line errors, never a stack.
 *
 * @example
 * errorMessage(new Error('no such file')); // 'no such file'
 * errorMessage('plain text'); // 'plain text'
 */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
