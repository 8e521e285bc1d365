import { errorMessage } from '../util/error-message.ts';
import { ActionError } from './action-error.ts';

/**
 * Checks that an action's value can be recorded and returns it in its JSON form, so a result is
 * the same whichever executor produced it: a `Date` becomes its ISO string on every kind, not only
 * on those that cross a boundary. `undefined` becomes `null`.
 *
 * A value must survive both `structuredClone` (what crosses thread and process boundaries) and
 * `JSON.stringify` (what the results file holds); else `NOT_SERIALIZABLE`.
 */
export function toRecordable(value: unknown): unknown {
  if (value === undefined) return null;
  // Scalars are their own JSON form: no clone and round trip for the common small result.
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number' && Number.isFinite(value) && !Object.is(value, -0)) return value;
  let json: string | undefined;
  try {
    structuredClone(value);
    json = JSON.stringify(value);
  } catch (error) {
    throw new ActionError(
      'NOT_SERIALIZABLE',
      `the result cannot be recorded (${describe(value)}): ${errorMessage(error)}`,
      { cause: error },
    );
  }
  // structuredClone rejects functions and symbols, so only exotic toJSON results get here.
  if (json === undefined) {
    throw new ActionError('NOT_SERIALIZABLE', `the result has no JSON form (${describe(value)})`);
  }
  return JSON.parse(json) as unknown;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'object') return value.constructor?.name ?? 'object';
  return typeof value;
}
