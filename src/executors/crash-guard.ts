import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Makes coroutine attempts behave like pool workers when they crash: a task that calls
 * `process.exit()` or throws asynchronously (a `setTimeout` callback, an unhandled rejection)
 * fails only its own item with `WORKER_CRASHED`, never jobrun. Each attempt runs in an
 * `AsyncLocalStorage` scope, so an uncaught error is attributed to the attempt whose callback
 * threw it.
 */
export interface CrashScope {
  /** Fails the attempt; a no-op once it has an outcome. */
  crash(message: string, error?: unknown): void;
  /** Whether the attempt already has an outcome (a late throw then only warns). */
  isSettled(): boolean;
}

const storage = new AsyncLocalStorage<CrashScope>();
let guards = 0;
let originalExit: typeof process.exit | undefined;

/** Thrown by the guarded `process.exit` to unwind the task's code after it failed its attempt. */
class TaskExitSignal extends Error {
  constructor(code: number | string | null | undefined) {
    super(`the task called process.exit(${code ?? ''})`);
    this.name = 'TaskExitSignal';
  }
}

function onUncaught(error: unknown): void {
  const scope = storage.getStore();
  // Not from a coroutine attempt: a bug of jobrun itself, which must not be swallowed.
  if (scope === undefined) throw error;
  if (error instanceof TaskExitSignal) return;
  const message = error instanceof Error ? error.message : String(error);
  if (scope.isSettled()) {
    process.stderr.write(`jobrun: a task threw after its item had finished: ${message}\n`);
    return;
  }
  scope.crash(`the task crashed: ${message}`, error);
}

function guardedExit(code?: number | string | null): never {
  const scope = storage.getStore();
  if (scope === undefined) return (originalExit as typeof process.exit).call(process, code);
  const signal = new TaskExitSignal(code);
  scope.crash(signal.message);
  throw signal;
}

/** Installs the handlers and the `process.exit` guard; pair each call with `releaseCrashGuard`. */
export function acquireCrashGuard(): void {
  if (guards++ > 0) return;
  process.on('uncaughtException', onUncaught);
  process.on('unhandledRejection', onUncaught);
  // The very function is put back on release; it is only ever called with `process` as `this`.
  // eslint-disable-next-line @typescript-eslint/unbound-method
  originalExit = process.exit;
  process.exit = guardedExit;
}

export function releaseCrashGuard(): void {
  if (--guards > 0) return;
  process.off('uncaughtException', onUncaught);
  process.off('unhandledRejection', onUncaught);
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
