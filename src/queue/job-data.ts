import { isAbsolute, relative, resolve } from 'node:path';
import type { ActionRequest, ResolvedAction } from '../actions/types.ts';

/**
 * One attempt as it travels through BullMQ, JSON only. Paths (a function's module, a `run`
 * command's folder) are relative to the job folder, so a worker whose copy of the job lies
 * elsewhere (`--root`) finds them in its own copy.
 */
export interface QueueJobData {
  /** The request, its paths relative to `root`. */
  request: ActionRequest;
  /** The coordinator's job folder, absolute. */
  root: string;
  timeoutMs?: number;
  /** A function's module: the SHA-256 of the coordinator's copy. */
  digest?: string;
}

/** A path as it travels: relative to the job folder. */
function toRelative(root: string, path: string): string {
  return relative(root, path) || '.';
}

/** The job data of an attempt, paths made relative to `root`, a command with the job's `env:`. */
export function toJobData(
  request: ActionRequest,
  root: string,
  timeoutMs: number | undefined,
  digest: string | undefined,
  jobEnv: Record<string, string> = {},
): QueueJobData {
  const action = request.action;
  let travelling: ResolvedAction = action;
  if (action.type === 'function') {
    travelling = {
      ...action,
      module: { ...action.module, path: toRelative(root, action.module.path) },
    };
  } else if (action.type === 'run') {
    // The job's `env:` reaches a local command through jobrun's own environment; a worker has
    // its own, so the values travel with the command, the task's `env:` over them.
    const env = { ...jobEnv, ...action.env };
    travelling = {
      ...action,
      cwd: toRelative(root, action.cwd),
      ...(Object.keys(env).length === 0 ? {} : { env }),
    };
  }
  return {
    request: { ...request, action: travelling },
    root,
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
    ...(digest === undefined ? {} : { digest }),
  };
}

/**
 * The request as a worker runs it: paths resolved against its own job folder, `localRoot` (from
 * `--root`) or else the coordinator's.
 */
export function requestOf(data: QueueJobData, localRoot: string | undefined): ActionRequest {
  const root = localRoot ?? data.root;
  const { action } = data.request;
  const local = (path: string): string => (isAbsolute(path) ? path : resolve(root, path));
  let mapped: ResolvedAction = action;
  if (action.type === 'function') {
    mapped = { ...action, module: { ...action.module, path: local(action.module.path) } };
  } else if (action.type === 'run') {
    mapped = { ...action, cwd: local(action.cwd) };
  }
  return { ...data.request, action: mapped };
}
