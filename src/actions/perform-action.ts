import type { ActionEnvironment, TaskContext } from './action-context.ts';
import { callFunction } from './function-action.ts';
import { performHttp } from './http-action.ts';
import { performRun } from './run-action.ts';
import { toRecordable } from './to-recordable.ts';
import type { ActionRequest, CallInfo } from './types.ts';

/**
 * Runs one attempt of an action where it is called (a pool worker, or the main thread for
 * coroutines) and gives its value in recordable JSON form; fails with an error carrying an
 * `ItemErrorCode` (an `ActionError`) when the action fails. A function that returns a plain value
 * has its recordable value returned synchronously, and a synchronous failure is thrown. Anything
 * that waits returns a `Promise` (of the recordable value) instead. Recordable values are JSON
 * data, never a `Promise`, so `instanceof Promise` tells the two apart.
 *
 * @example
 * const value = await startAction(
 *   { action: { type: 'run', command: 'echo hi', cwd }, input: null, context },
 *   { signal, workerId: 'coroutine', log: console.error },
 * );
 * // value: { exitCode: 0, stdout: 'hi\n', stderr: '' }
 */
export function startAction(request: ActionRequest, environment: ActionEnvironment): unknown {
  const { action, context } = request;
  switch (action.type) {
    case 'function': {
      const value = callFunction(
        action.module,
        request.input,
        new FunctionContext(context, environment),
      );
      return value instanceof Promise ? value.then(toRecordable) : toRecordable(value);
    }
    case 'run':
      return performRun(action.command, context, {
        signal: environment.signal,
        cwd: action.cwd,
        ...(action.env === undefined ? {} : { env: action.env }),
        processes: environment.processes,
        maxOutputBytes: action.maxOutputBytes,
      }).then(toRecordable);
    case 'http': {
      const whenAborted = environment.whenAborted;
      // Built from strings, numbers and plain objects only: recordable as it is.
      return performHttp(
        action,
        whenAborted === undefined
          ? environment.signal
          : (cancel) => whenAborted.call(environment, cancel),
      );
    }
  }
}

/**
 * The `ctx` of a function. A class rather than an object literal with a getter: a literal's
 * getter is a new function per call, the largest allocation of a no-op item. `signal` is read
 * through to the environment, which creates it only if the function looks at it; `log` is an own
 * function so that `const { log } = ctx` works.
 */
class FunctionContext implements TaskContext {
  readonly item: unknown;
  readonly index: number | null;
  readonly task: string;
  readonly job: string;
  readonly attempt: number;
  readonly workerId: string;
  readonly log: (message: string) => void;
  readonly #environment: ActionEnvironment;

  constructor(context: CallInfo, environment: ActionEnvironment) {
    this.item = context.item;
    this.index = context.index;
    this.task = context.task;
    this.job = context.job;
    this.attempt = context.attempt;
    this.workerId = environment.workerId;
    this.#environment = environment;
    this.log = (message) => environment.log(String(message));
  }

  get signal(): AbortSignal {
    return this.#environment.signal;
  }
}
