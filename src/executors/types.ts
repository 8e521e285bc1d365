import type { ActionRequest } from '../actions/types.ts';
import type { ExecutorConfig, ExecutorKind } from '../job/types.ts';
import type { ItemErrorCode } from '../results/types.ts';

/** An error as it crosses a thread or process boundary. */
export interface SerializedError {
  name: string;
  message: string;
  code: ItemErrorCode;
  stack?: string;
  cause?: SerializedError;
  /** How long the server asked to wait before trying again (an HTTP `Retry-After`). */
  retryAfterMs?: number;
}

/** The outcome of one attempt: a failure is data, never a rejected promise. */
export type ActionOutcome =
  | { ok: true; value: unknown; workerId: string }
  | { ok: false; error: SerializedError; workerId: string | null };

export interface ExecuteOptions {
  /** Aborting cancels the attempt: queued, it never starts; running, it is stopped (`CANCELLED`). */
  signal?: AbortSignal;
  /**
   * Aborting lets the attempt finish if it runs, but it never starts if it is still waiting
   * (queued, or behind another attempt on its worker): it resolves `CANCELLED` at once. The run's
   * `stopSignal` (Ctrl-C once, fail-fast), after which no item starts. Executors that hold no
   * waiting attempts beyond `maxWorkers` may ignore it.
   */
  stopSignal?: AbortSignal;
  /**
   * Per-attempt limit, counted from the moment it starts running; on expiry the worker is stopped
   * and replaced (`TIMEOUT`).
   */
  timeoutMs?: number;
  /**
   * Called once when the attempt starts running on a worker: not when it is handed to a worker
   * that is still busy with an earlier attempt. `startedAgoMs`: it started that long before the
   * call (a remote worker's start, learnt later); 0 when left out.
   */
  onStart?: (workerId: string, startedAgoMs?: number) => void;
  /** Called for each `ctx.log(message)` of the action. */
  onLog?: (message: string) => void;
}

/** What a run tells the executors it creates; a local kind needs none of it. */
export interface ExecutorScope {
  /** Names the run's queue (`queue`). @default a random id */
  runId?: string;
  /**
   * The job file's folder: paths travel to `queue` workers relative to it.
   * @default the working directory
   */
  jobDir?: string;
  /**
   * The job's `env:` values. Local kinds inherit them from jobrun's own environment; a `queue`
   * worker adds them to each `run` command's (under the task's own `env:`).
   */
  jobEnv?: Record<string, string>;
}

/** Runs actions, at most `maxWorkers` at a time. */
export interface Executor {
  readonly kind: ExecutorKind;
  readonly config: ExecutorConfig;
  /**
   * What its attempts wait on now, for the listing (`workers on redis://…` while a queue has no
   * worker); `null` or absent when they wait on nothing.
   */
  readonly waitingOn?: string | null;
  /**
   * How many attempts to keep submitted for the executor to stay busy; more than `maxWorkers`
   * when workers hold a few waiting attempts each (pools), so none waits for a round trip. Still
   * at most `maxWorkers` run at once. `undefined`: `maxWorkers`.
   */
  readonly inFlightLimit?: number;
  /** Never rejects for a failure of the action; see `ActionOutcome`. */
  execute(request: ActionRequest, options?: ExecuteOptions): Promise<ActionOutcome>;
  /**
   * Stops accepting work and reaps every worker. Waits for running attempts unless `force`,
   * which stops them at once (they resolve `CANCELLED`).
   */
  shutdown(options?: { force?: boolean }): Promise<void>;
}
