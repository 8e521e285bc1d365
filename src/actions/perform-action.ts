import type { ActionRequest } from '../executors/types.ts';
import type { ActionEnvironment, TaskContext } from './action-context.ts';
import { performFunction } from './function-action.ts';
import { performHttp } from './http-action.ts';
import { performRun } from './run-action.ts';
import { toRecordable } from './to-recordable.ts';

/**
 * Runs one attempt of an action where it is called (a pool worker, or the main thread for
 * coroutines) and returns its value in recordable JSON form. Throws an error carrying an
 * `ItemErrorCode` (an `ActionError`) when the action fails.
 *
 * @example
 * const value = await performAction(
 *   { action: { type: 'run', command: 'echo hi' }, input: null, context },
 *   { signal, workerId: 'coroutine', log: console.error },
 * );
 * // value: { exitCode: 0, stdout: 'hi\n', stderr: '' }
 */
export async function performAction(
  request: ActionRequest,
  environment: ActionEnvironment,
): Promise<unknown> {
  const { action, context } = request;
  switch (action.type) {
    case 'function': {
      const ctx: TaskContext = {
        ...context,
        // Read through: the executor creates the signal only if the function looks at it.
        get signal() {
          return environment.signal;
        },
        workerId: environment.workerId,
        log: (message) => environment.log(String(message)),
      };
      return toRecordable(await performFunction(action.module, request.input, ctx));
    }
    case 'run':
      return toRecordable(
        await performRun(action.command, context, {
          signal: environment.signal,
          cwd: action.cwd,
          processes: environment.processes,
        }),
      );
    case 'http':
      return toRecordable(await performHttp(action, environment.signal));
  }
}
