/**
 * The typed, normalized model of a job file: what `loadJob` returns after parsing, schema
 * validation and the semantic checks. Defaults are applied, durations are milliseconds and every
 * relative path is resolved against the job file's folder.
 */

export const EXECUTOR_KINDS = ['process', 'thread', 'coroutine', 'queue'] as const;
export type ExecutorKind = (typeof EXECUTOR_KINDS)[number];

/** Where a task's action runs. */
export interface ExecutorConfig {
  /** @default 'coroutine' */
  kind: ExecutorKind;
  /**
   * At most this many actions at once (on `queue`: attempts handed to the queue, waiting or
   * running). @default CPUs for process/thread, 64 for coroutine and queue
   */
  maxWorkers: number;
  /**
   * The Redis of a `queue` executor, `redis://[user:password@]host:port[/db]` (or `rediss://`).
   * `--connection` and `JOBRUN_REDIS_URL` override it.
   * @example 'redis://127.0.0.1:6379'
   */
  connection?: string;
}

/** An executor as written in the file: either field may be missing. */
export interface ExecutorSetting {
  kind?: ExecutorKind;
  maxWorkers?: number;
  connection?: string;
}

/** A JS or TS module export, `./path/mod.ts#name`. */
export interface ModuleRef {
  /** Absolute path of the module file. */
  path: string;
  /** The export to call; `default` when the reference has no `#name`. */
  exportName: string;
  /** The reference as written in the job file. */
  source: string;
}

/** An HTTP request as written; string values may hold `${{ … }}` expressions. */
export interface HttpRequestSpec {
  url: string;
  /** @default 'GET' */
  method?: string;
  headers?: Record<string, string>;
  json?: unknown;
  body?: string;
  /** Per-request timeout in milliseconds. */
  timeoutMs?: number;
  /** `false`: a 3xx response is the result, not followed. @default true */
  followRedirects?: boolean;
}

/** A task's one action. Values may still hold `${{ … }}` expressions, evaluated per item. */
export type ActionSpec =
  | { type: 'function'; module: ModuleRef }
  | { type: 'run'; command: string }
  | { type: 'http'; request: HttpRequestSpec };

/** Where a map task's items come from. */
export type MapSpec =
  | { form: 'list'; items: unknown[] }
  | { form: 'range'; start: number; stop: number; step: number }
  /** `path` is absolute. */
  | { form: 'lines'; path: string }
  /** `pattern` is relative to `cwd` (the job file's folder). */
  | { form: 'glob'; pattern: string; cwd: string }
  /** A string that is exactly one `${{ … }}`; it must yield a list at run time. */
  | { form: 'expression'; expression: string }
  /** Streaming: each result of task `task` becomes an item as soon as it is ready. */
  | { form: 'from'; task: string };

export interface Task {
  id: string;
  action: ActionSpec;
  /** The `with:` value (expressions allowed); `undefined` when absent. */
  with?: unknown;
  hasWith: boolean;
  map?: MapSpec;
  /** Upstream task ids: `needs` plus the `map.from` task, without duplicates. */
  needs: string[];
  callback?: ModuleRef;
  /** @default 0 */
  retries: number;
  /** Delay before the first retry, doubled each further attempt. @default 200 */
  retryDelayMs: number;
  /** How failed attempts are retried: `retries:` in either form, `retryDelay` applied. */
  retryPolicy: RetryPolicy;
  /** At most `limit` attempts of this task start in any window of `perMs`. */
  rate?: RateLimit;
  /** Names of the job's `resources` that each attempt holds while it runs. @default [] */
  uses?: string[];
  /** Per-attempt timeout; `undefined` means none. */
  timeoutMs?: number;
  /**
   * The most bytes kept of a `run` command's stdout, of its stderr, and of an `http` body; more
   * fails the item with `OUTPUT_TOO_LARGE`. `undefined`: the default, 16 MB.
   */
  maxOutputBytes?: number;
  /** @default false */
  continueOnError: boolean;
  /** The task's own `executor:`, as written; resolved against the job's by `resolveExecutor`. */
  executor?: ExecutorSetting;
  /**
   * Extra environment variables of the task's `run` command, over the job's `env`. Values may
   * hold `${{ … }}` expressions, evaluated per item. @default {}
   */
  env?: Record<string, string>;
}

/** When a service counts as ready. Values may still hold `${{ … }}` expressions. */
export type ServiceReadySpec =
  /** Any HTTP answer from this URL, whatever its status. */
  | { kind: 'http'; url: string }
  /** A connection accepted at `HOST:PORT`. */
  | { kind: 'tcp'; address: string }
  /** A line of the service's output (stdout or stderr) that contains this text. */
  | { kind: 'log'; text: string };

/** A long-running command the tasks need, started before the first task, stopped after the last. */
export interface Service {
  name: string;
  /** The shell command, as written (no expressions), run in the job file's folder. */
  run: string;
  ready: ServiceReadySpec;
  /** How long it may take to become ready. @default 30000 */
  timeoutMs: number;
  /** Extra environment variables of its command; values may hold `${{ … }}`. @default {} */
  env: Record<string, string>;
}

/**
 * `retries:` as a policy. `retries: N` is `{ limit: N, delayMs: retryDelay, backoff: 'exponential' }`.
 */
export interface RetryPolicy {
  /** Up to this many more attempts of a failed item. */
  limit: number;
  /** The wait before the first retry. @default 200 */
  delayMs: number;
  /** `exponential`: `delayMs × 2^(n−1)` before attempt n+1; `fixed`: `delayMs` each time. */
  backoff: 'exponential' | 'fixed';
  /** No wait is longer, `Retry-After` included. `undefined`: no cap. */
  maxDelayMs?: number;
  /** Each wait drawn uniformly from 0 to its computed value (full jitter). @default false */
  jitter: boolean;
  /** Error codes that are retried; the others fail at once. */
  on: readonly string[];
}

/** `rate: { limit, per }` of a task. */
export interface RateLimit {
  limit: number;
  perMs: number;
}

export interface Job {
  name: string;
  description?: string;
  /** Absolute path of the job file. */
  file: string;
  /** Absolute path of the job file's folder; relative paths resolve against it. */
  dir: string;
  /** The job's default executor, defaults applied. */
  executor: ExecutorConfig;
  /**
   * Absolute path of the results file. May hold `${{ run.id }}` or `${{ run.startedAt }}`,
   * expanded at the start of each run.
   */
  results: string;
  schedule?: string;
  timezone?: string;
  /** @default false */
  failFast: boolean;
  vars: Record<string, unknown>;
  /**
   * Extra environment variables of the whole run (`run` commands, workers, functions). Values
   * may hold `${{ vars.… }}`, `${{ env.… }}` and `${{ job.name }}`, evaluated when the run starts.
   * @default {}
   */
  env?: Record<string, string>;
  /**
   * Names of environment variables whose values are masked as `***` in records and output.
   * @default []
   */
  secrets?: string[];
  /** Services in file order. @default [] */
  services: Service[];
  /** Shared resources, name to how many attempts may hold it at once. @default {} */
  resources?: Record<string, number>;
  /** Tasks in file order. */
  tasks: Task[];
}
