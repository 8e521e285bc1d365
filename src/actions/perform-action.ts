import type { ActionEnvironment, TaskContext } from './action-context.ts';
import { callFunction } from './function-action.ts';
import { performHttp } from './http-action.ts';
import { performRun } from './run-action.ts';
import { toRecordable } from './to-recordable.ts';
import type { ActionRequest, CallInfo } from './types.ts';

/**
 * Runs one attempt of an action where it is called (a pool worker, or the main thread for
 * coroutines) and resolves with its value in recordable JSON form; rejects with an error carrying
 * an `ItemErrorCode` (an `ActionError`) when the action fails. Never throws: every failure is a
 * rejection.
 *
 * @example
 * const value = await startAction(
 *   { action: { type: 'run', command: 'echo hi', cwd }, input: null, context },
 *   { signal, workerId: 'coroutine', log: console.error },
 * );
 * // value: { exitCode: 0, stdout: 'hi\n', stderr: '' }
 */
export function startAction(
  request: ActionRequest,
  environment: ActionEnvironment,
): Promise<unknown> {
  const { action, context } = request;
  switch (action.type) {
    case 'function':
      return callFunction(action.module, request.input, new FunctionContext(context, environment));
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
 * The `ctx` of a function: plain own properties, so `{ ...ctx }` and `Object.keys(ctx)` hold them
 * all, `signal` included. A class rather than an object literal only to give each `ctx` the same
 * shape; `log` is an own function so that `const { log } = ctx` works.
 */
class FunctionContext implements TaskContext {
  readonly item: unknown;
  readonly index: number | null;
  readonly task: string;
  readonly job: string;
  readonly attempt: number;
  readonly signal: AbortSignal;
  readonly workerId: string;
  readonly log: (message: string) => void;

  constructor(context: CallInfo, environment: ActionEnvironment) {
    this.item = context.item;
    this.index = context.index;
    this.task = context.task;
    this.job = context.job;
    this.attempt = context.attempt;
    this.signal = environment.signal;
    this.workerId = environment.workerId;
    this.log = (message) => environment.log(String(message));
  }
}
