import { JobrunError } from '../errors.ts';
import { loadModule } from '../actions/load-module.ts';
import type { ModuleRef } from '../job/types.ts';
import type { CallbackFn } from './item-runner.ts';

/** Loads a task's callback in the main process, where callbacks run. */
export async function loadCallback(ref: ModuleRef): Promise<CallbackFn> {
  let value: unknown;
  try {
    value = (await loadModule(ref.path))[ref.exportName];
  } catch (error) {
    throw new JobrunError('CALLBACK_LOAD', `cannot load callback ${ref.source}: ${String(error)}`, {
      cause: error,
    });
  }
  if (typeof value !== 'function') {
    throw new JobrunError('CALLBACK_LOAD', `callback ${ref.source} is not a function`);
  }
  return value as CallbackFn;
}
