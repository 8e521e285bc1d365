import type { ModuleRef } from '../job/types.ts';
import { errorMessage } from '../util/error-message.ts';
import { isThenable } from '../util/is-thenable.ts';
import { ActionError } from './action-error.ts';
import type { TaskContext } from './action-context.ts';
import { loadedModule, loadModule } from './load-module.ts';

/**
 * Calls `fn(input, ctx)` of a user's module. A thrown error becomes `TASK_ERROR` with the user's
 * message and stack; the value is checked by the caller. Once the module is loaded, a function
 * that returns a plain value gives it back synchronously (a sync throw is thrown as the
 * `ActionError`); otherwise it returns a promise of the awaited value. The coroutine executor's
 * hot path: a no-op item then costs no promise turn at all.
 */
export function callFunction(module: ModuleRef, input: unknown, ctx: TaskContext): unknown {
  const exports = loadedModule(module.path);
  if (exports === undefined) {
    return loadModule(module.path).then(
      () => callFunction(module, input, ctx),
      (error: unknown) => {
        throw taskError(error, `cannot load ${module.source}`);
      },
    );
  }
  const fn = exports[module.exportName];
  if (typeof fn !== 'function') {
    throw new ActionError(
      'TASK_ERROR',
      `Expected \`${module.source}\` to export a function \`${module.exportName}\`, got \`${typeof fn}\``,
    );
  }
  let value: unknown;
  try {
    value = (fn as (input: unknown, ctx: TaskContext) => unknown)(input, ctx);
  } catch (error) {
    throw taskError(error);
  }
  if (!isThenable(value)) return value;
  return Promise.resolve(value).then(undefined, (error: unknown) => {
    throw taskError(error);
  });
}

function taskError(error: unknown, prefix?: string): ActionError {
  if (error instanceof ActionError) return error;
  const message = errorMessage(error);
  const failure = new ActionError('TASK_ERROR', prefix ? `${prefix}: ${message}` : message, {
    cause: error instanceof Error ? error.cause : undefined,
  });
  // Keep the user's stack: it points into their module, not into jobrun.
  if (error instanceof Error && error.stack !== undefined) {
    failure.stack = prefix ? `${prefix}: ${error.stack}` : error.stack;
  }
  if (error instanceof Error && error.name !== 'Error') failure.name = error.name;
  return failure;
}
