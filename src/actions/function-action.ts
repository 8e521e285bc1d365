import type { ModuleRef } from '../job/types.ts';
import { ActionError } from './action-error.ts';
import type { TaskContext } from './action-context.ts';
import { loadModule } from './load-module.ts';

/**
 * Calls `fn(input, ctx)` of a user's module. A thrown error becomes `TASK_ERROR` with the user's
 * message and stack; the value is checked by the caller.
 */
export async function performFunction(
  module: ModuleRef,
  input: unknown,
  ctx: TaskContext,
): Promise<unknown> {
  let exports: Record<string, unknown>;
  try {
    exports = await loadModule(module.path);
  } catch (error) {
    throw taskError(error, `cannot load ${module.source}`);
  }
  const fn = exports[module.exportName];
  if (typeof fn !== 'function') {
    throw new ActionError(
      'TASK_ERROR',
      `Expected \`${module.source}\` to export a function \`${module.exportName}\`, got \`${typeof fn}\``,
    );
  }
  try {
    return await (fn as (input: unknown, ctx: TaskContext) => unknown)(input, ctx);
  } catch (error) {
    throw taskError(error);
  }
}

function taskError(error: unknown, prefix?: string): ActionError {
  if (error instanceof ActionError) return error;
  const message = error instanceof Error ? error.message : String(error);
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
