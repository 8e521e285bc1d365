import type { ProcessTracker } from '../proc/process-group.ts';

/**
 * Where an action runs: the pieces a worker (or the coroutine executor) adds to a call.
 */
export interface ActionEnvironment {
  /** Fires on timeout and on cancellation. */
  signal: AbortSignal;
  /**
   * Calls `cancel` when the attempt is aborted, at once if it already is: for jobrun's own
   * actions, a cheaper way than `signal` to hear of it (an `AbortController` per attempt and a
   * listener on it are a measurable share of a short request). Optional: `signal` otherwise.
   */
  whenAborted?: (cancel: () => void) => void;
  /** `process-<pid>`, `thread-<n>` or `coroutine`. */
  workerId: string;
  /** Forwards `ctx.log(message)` to jobrun. */
  log: (message: string) => void;
  /**
   * Told about every process group a `run` action starts and reaps, so that whoever owns the
   * worker can kill them if the worker dies first: a shell command never outlives its worker.
   */
  processes?: ProcessTracker;
}

/** The `ctx` argument of a user's function. */
export interface TaskContext {
  item: unknown;
  index: number | null;
  task: string;
  job: string;
  attempt: number;
  signal: AbortSignal;
  workerId: string;
  log: (message: string) => void;
}
