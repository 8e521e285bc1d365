import { isAbsolute, relative, resolve } from 'node:path';
import type { ActionRequest, ResolvedAction } from '../actions/types.ts';

/**
 * What the attempts of one task share, stored once per run in Redis (`headsKeyOf`) rather than
 * with each attempt: the job folder, the names, the timeout, and the action of its first attempt
 * (with a function's module digest), which the others share unless they carry their own (a command
 * with `${{ }}`). Paths (a function's module, a `run` command's folder) are relative to the job folder, so a
 * worker whose copy of the job lies elsewhere (`--root`) finds them in its own copy. JSON only.
 */
export interface QueueHead {
  /** The coordinator's job folder, absolute. */
  root: string;
  job: string;
  task: string;
  timeoutMs?: number;
  action: ResolvedAction;
  /** A function's module: the SHA-256 of the coordinator's copy. */
  digest?: string;
}

/** One attempt as it travels through BullMQ, in a job's `attempts`; JSON only. */
export interface QueueAttemptData {
  /** The attempt's id in its run (`a1`, `a2`, …): what cancellations and messages name. */
  id: string;
  /** Its head's id. */
  head: string;
  input: unknown;
  /** `ctx.item`, left out when it is the input. */
  item?: unknown;
  index: number | null;
  attempt: number;
  /** Its own action, when it differs from its head's (a command with `${{ }}`). */
  action?: ResolvedAction;
}

/**
 * A BullMQ job's data: one attempt, or several quick ones of a task together (each is still
 * started, timed, cancelled and answered on its own).
 */
export interface QueueJobData {
  attempts: QueueAttemptData[];
}

/** A path as it travels: relative to the job folder. */
function toRelative(root: string, path: string): string {
  return relative(root, path) || '.';
}

/** An action as it travels: paths relative to `root`, a command with the job's `env:`. */
export function travellingAction(
  action: ResolvedAction,
  root: string,
  jobEnv: Record<string, string>,
): ResolvedAction {
  if (action.type === 'function') {
    return { ...action, module: { ...action.module, path: toRelative(root, action.module.path) } };
  }
  if (action.type === 'run') {
    // The job's `env:` reaches a local command through jobrun's own environment; a worker has
    // its own, so the values travel with the command, the task's `env:` over them.
    const env = { ...jobEnv, ...action.env };
    return {
      ...action,
      cwd: toRelative(root, action.cwd),
      ...(Object.keys(env).length === 0 ? {} : { env }),
    };
  }
  return action;
}

/** How attempt `id` of `head` travels; `action` when the head has none or another one. */
export function toAttemptData(
  id: string,
  request: ActionRequest,
  head: string,
  action: ResolvedAction | undefined,
): QueueAttemptData {
  const { input, context } = request;
  return {
    id,
    head,
    input,
    ...(context.item === input ? {} : { item: context.item }),
    index: context.index,
    attempt: context.attempt,
    ...(action === undefined ? {} : { action }),
  };
}

/**
 * An action as a worker runs it: paths resolved against its own job folder, `localRoot` (from
 * `--root`) or else the coordinator's.
 */
export function localAction(
  action: ResolvedAction,
  root: string,
  localRoot: string | undefined,
): ResolvedAction {
  const base = localRoot ?? root;
  const local = (path: string): string => (isAbsolute(path) ? path : resolve(base, path));
  if (action.type === 'function') {
    return { ...action, module: { ...action.module, path: local(action.module.path) } };
  }
  if (action.type === 'run') return { ...action, cwd: local(action.cwd) };
  return action;
}

/** The request a worker runs: its head's names, and `action` (already made local). */
export function requestOf(
  data: QueueAttemptData,
  head: QueueHead,
  action: ResolvedAction,
): ActionRequest {
  const item = 'item' in data ? data.item : data.input;
  return {
    action,
    input: data.input,
    context: { item, index: data.index, task: head.task, job: head.job, attempt: data.attempt },
  };
}
