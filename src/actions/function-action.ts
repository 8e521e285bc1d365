import type { ModuleRef } from '../job/types.ts';
import { errorMessage } from '../util/error-message.ts';
import { ActionError } from './action-error.ts';
import type { TaskContext } from './action-context.ts';
import { loadedModule, loadModule } from './load-module.ts';
import { toRecordable } from './to-recordable.ts';

/**
 * Calls `fn(input, ctx)` of a user's module, loaded once per worker, and resolves with the
 * awaited value (whether the function returned it or a promise of it) in recordable JSON form. A
 * thrown error or a rejection becomes `TASK_ERROR` with the user's message and stack; a value
 * that cannot be recorded, `NOT_SERIALIZABLE`.
 */
export async function callFunction(
  module: ModuleRef,
  input: unknown,
  ctx: TaskContext,
): Promise<unknown> {
  // Once loaded, a module is read from the cache rather than awaited: with a crash scope on, every
  // promise of the process costs a hook call.
  let exports = loadedModule(module.path);
  if (exports === undefined) {
    try {
      exports = await loadModule(module.path);
    } catch (error) {
      throw taskError(error, `cannot load ${module.source}`);
    }
  }
  const fn = exportedFunction(exports, module);
  let value: unknown;
  try {
    value = await fn(input, ctx);
  } catch (error) {
    throw taskError(error);
  }
  return toRecordable(value);
}

function exportedFunction(
  exports: Record<string, unknown>,
  module: ModuleRef,
): (input: unknown, ctx: TaskContext) => unknown {
  const fn = exports[module.exportName];
  if (typeof fn !== 'function') {
    throw new ActionError(
      'TASK_ERROR',
      `Expected \`${module.source}\` to export a function \`${module.exportName}\`, got \`${typeof fn}\``,
    );
  }
  return fn as (input: unknown, ctx: TaskContext) => unknown;
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
