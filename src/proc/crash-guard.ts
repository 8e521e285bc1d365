import { AsyncLocalStorage } from 'node:async_hooks';
import { errorMessage } from '../util/error-message.ts';

/**
 * Makes user code that runs in jobrun's own process (coroutine attempts, callbacks) behave like
 * pool workers when it crashes: code that calls `process.exit()` or throws asynchronously (a
 * `setTimeout` callback, an unhandled rejection) fails only its own item, never jobrun. Each call
 * runs in an `AsyncLocalStorage` scope, so an uncaught error is attributed to the call whose code
 * threw it.
 */
export interface CrashScope {
  /** Fails the call; a no-op once it has an outcome. */
  crash(message: string, error?: unknown): void;
  /** Whether the call already has an outcome (a late throw then only warns). */
  isSettled(): boolean;
  /** Who the messages name. @default 'the task' */
  readonly subject?: string;
}

const storage = new AsyncLocalStorage<CrashScope>();
let guards = 0;
let originalExit: typeof process.exit | undefined;

/** Thrown by the guarded `process.exit` to unwind the task's code after it failed its attempt. */
class TaskExitSignal extends Error {
  constructor(subject: string, code: number | string | null | undefined) {
    super(`${subject} called process.exit(${code ?? ''})`);
    this.name = 'TaskExitSignal';
  }
}

function onUncaught(error: unknown): void {
  const scope = storage.getStore();
  // Not from a coroutine attempt: a bug of jobrun itself, which must not be swallowed.
  if (scope === undefined) throw error;
  if (error instanceof TaskExitSignal) return;
  const message = errorMessage(error);
  const subject = scope.subject ?? 'the task';
  if (scope.isSettled()) {
    process.stderr.write(`jobrun: ${subject} threw after its item had finished: ${message}\n`);
    return;
  }
  scope.crash(`${subject} crashed: ${message}`, error);
}

function guardedExit(code?: number | string | null): never {
  const scope = storage.getStore();
  if (scope === undefined) return (originalExit as typeof process.exit).call(process, code);
  const signal = new TaskExitSignal(scope.subject ?? 'the task', code);
  scope.crash(signal.message);
  throw signal;
}

/**
 * Installs the handlers, the `process.exit` guard and the check for stranded calls (see
 * `failIfStranded`); pair each call with `releaseCrashGuard`.
 */
export function acquireCrashGuard(): void {
  if (guards++ > 0) return;
  process.on('uncaughtException', onUncaught);
  process.on('unhandledRejection', onUncaught);
  process.on('beforeExit', onLoopEmpty);
  // The very function is put back on release; it is only ever called with `process` as `this`.
  // eslint-disable-next-line @typescript-eslint/unbound-method
  originalExit = process.exit;
  process.exit = guardedExit;
}

export function releaseCrashGuard(): void {
  if (--guards > 0) return;
  process.off('uncaughtException', onUncaught);
  process.off('unhandledRejection', onUncaught);
  process.off('beforeExit', onLoopEmpty);
  if (originalExit !== undefined) process.exit = originalExit;
  originalExit = undefined;
}

/**
 * Runs `fn(...args)` as the attempt of `scope`: its uncaught errors and `process.exit` calls fail
 * it. Arguments are passed through rather than closed over, so an attempt allocates no closure.
 */
export function runInCrashScope<A extends unknown[], R>(
  scope: CrashScope,
  fn: (...args: A) => R,
  ...args: A
): R {
  return storage.run(scope, fn, ...args);
}

/**
 * A call waiting on user code (or a set of them) that can be failed when nothing is left to
 * settle it.
 */
export interface Strandable {
  /** Whether the call already has an outcome (for a set: whether none is waiting). */
  isSettled(): boolean;
  /** Fails what waits: the process ran out of work meanwhile (`message` says so). */
  failStranded(message: string): void;
  /** Who the message names. @default 'the task' */
  readonly subject?: string;
}

/** Calls still waiting for an outcome that nothing left in the process could bring. */
const strandable = new Set<Strandable>();

/**
 * The event loop is empty: no timer, socket or worker is left that could settle a call still
 * waiting (a promise that is never resolved). Without this, Node would exit in the middle of the
 * run (exit 13) and the run's last records and summary would be lost. Failing the calls lets the
 * run go on to its end.
 */
function onLoopEmpty(): void {
  for (const call of [...strandable]) {
    if (!call.isSettled()) {
      call.failStranded(
        `${call.subject ?? 'the task'} never settled: nothing was left for it to wait for`,
      );
    }
  }
}

/**
 * Fails `call` if the process runs out of work while it waits, until `clearStranded(call)`. Only while a crash guard is held (`acquireCrashGuard`), which listens for the
 * event loop running empty.
 */
export function failIfStranded(call: Strandable): void {
  strandable.add(call);
}

export function clearStranded(call: Strandable): void {
  strandable.delete(call);
}
