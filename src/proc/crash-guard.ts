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

/** Scopes still waiting for an outcome that nothing left in the process could bring. */
const strandable = new Set<CrashScope>();

/**
 * The event loop is empty: no timer, socket or worker is left that could settle a scope still
 * waiting (a promise that is never resolved). Without this, Node would exit in the middle of the
 * run (exit 13) and the run's last records and summary would be lost.
 */
function onLoopEmpty(): void {
  for (const scope of [...strandable]) {
    strandable.delete(scope);
    if (!scope.isSettled()) {
      scope.crash(
        `${scope.subject ?? 'the task'} never settled: nothing was left for it to wait for`,
      );
    }
  }
  if (strandable.size === 0) process.off('beforeExit', onLoopEmpty);
}

/**
 * Fails `scope` if the process runs out of work while it waits; call the returned function once
 * it has its outcome.
 */
export function failIfStranded(scope: CrashScope): () => void {
  if (strandable.size === 0) process.on('beforeExit', onLoopEmpty);
  strandable.add(scope);
  return () => {
    if (!strandable.delete(scope) || strandable.size > 0) return;
    process.off('beforeExit', onLoopEmpty);
  };
}
