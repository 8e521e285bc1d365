import type { ExecutorConfig, ExecutorKind, ModuleRef } from '../job/types.ts';
import type { ItemErrorCode } from '../results/types.ts';

/**
 * An action ready to run: every `${{ … }}` expression already evaluated by the engine. Crosses
 * thread and process boundaries, so it holds only structured-cloneable data.
 */
export type ResolvedAction =
  | { type: 'function'; module: ModuleRef }
  /**
   * The final shell command; inserted values are already escaped as literal text. It runs in
   * `cwd`, the job file's folder, so relative paths behave the same from cron as from a shell,
   * with `env` (the task's `env:`) added to the environment it inherits.
   */
  | {
      type: 'run';
      command: string;
      cwd: string;
      env?: Record<string, string>;
      maxOutputBytes?: number;
    }
  | {
      type: 'http';
      url: string;
      method: string;
      headers?: Record<string, string>;
      json?: unknown;
      body?: string;
      timeoutMs?: number;
      /** @default true */
      followRedirects?: boolean;
      /** The most bytes of body kept. @default DEFAULT_MAX_OUTPUT_BYTES */
      maxOutputBytes?: number;
    };

/** What an action sees of its call, besides `signal`, `workerId` and `log` added where it runs. */
export interface CallInfo {
  item: unknown;
  /** `null` for a task without `map`. */
  index: number | null;
  task: string;
  job: string;
  /** 1 for the first attempt. */
  attempt: number;
}

export interface ActionRequest {
  action: ResolvedAction;
  /** The `input` of a function action (`with:`, or the item). */
  input: unknown;
  context: CallInfo;
}

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
   * that is still busy with an earlier attempt.
   */
  onStart?: (workerId: string) => void;
  /** Called for each `ctx.log(message)` of the action. */
  onLog?: (message: string) => void;
}

/** Runs actions, at most `maxWorkers` at a time. */
export interface Executor {
  readonly kind: ExecutorKind;
  readonly config: ExecutorConfig;
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
