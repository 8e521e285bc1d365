import type { ModuleRef } from '../job/types.ts';

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

/** One attempt of an action, as an executor carries it to where the action runs. */
export interface ActionRequest {
  action: ResolvedAction;
  /** The `input` of a function action (`with:`, or the item). */
  input: unknown;
  context: CallInfo;
}
