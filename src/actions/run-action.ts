import { spawn } from 'node:child_process';
import type { CallContext } from '../executors/types.ts';
import { ActionError } from './action-error.ts';
import type { ProcessTracker } from './action-context.ts';

/** How long a shell command has between SIGTERM and SIGKILL. @default 2000 */
export const DEFAULT_KILL_GRACE_MS = 2000;

/** The result of a `run` action. */
export interface RunResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  signal: AbortSignal;
  /** The working directory: the job file's folder. @default process.cwd() */
  cwd?: string;
  processes?: ProcessTracker;
  /** Variables added to the inherited environment (a task's `env:`); `JOBRUN_*` still win. */
  env?: Record<string, string>;
  /** @default DEFAULT_KILL_GRACE_MS */
  killGraceMs?: number;
}

/**
 * Runs `/bin/sh -c command` in its own process group, so that stopping it also stops whatever it
 * started (`sleep 30 | cat`), and so a terminal's Ctrl-C reaches jobrun first, which decides.
 */
export function performRun(
  command: string,
  context: CallContext,
  options: RunOptions,
): Promise<RunResult> {
  const { signal, processes } = options;
  const graceMs = options.killGraceMs ?? DEFAULT_KILL_GRACE_MS;
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(abortError(signal));
      return;
    }
    const child = spawn('/bin/sh', ['-c', command], {
      detached: true,
      cwd: options.cwd,
      env: { ...process.env, ...options.env, ...runEnv(context) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const pgid = child.pid;
    if (pgid !== undefined) processes?.add(pgid);
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));

    let killTimer: NodeJS.Timeout | undefined;
    const onAbort = (): void => {
      killGroup(pgid, 'SIGTERM');
      killTimer = setTimeout(() => killGroup(pgid, 'SIGKILL'), graceMs);
    };
    signal.addEventListener('abort', onAbort, { once: true });

    const settle = (): void => {
      signal.removeEventListener('abort', onAbort);
      clearTimeout(killTimer);
      if (pgid !== undefined) processes?.delete(pgid);
    };
    child.on('error', (error) => {
      settle();
      reject(new ActionError('EXIT_CODE', `cannot start /bin/sh: ${error.message}`));
    });
    child.on('close', (code, exitSignal) => {
      settle();
      if (signal.aborted) {
        // The group is gone with its leader; make sure no straggler keeps running.
        killGroup(pgid, 'SIGKILL');
        reject(abortError(signal));
      } else if (code === 0) {
        resolve({ exitCode: 0, stdout, stderr });
      } else {
        const how = code === null ? `was killed by ${exitSignal}` : `exited with code ${code}`;
        const last = lastLine(stderr);
        reject(new ActionError('EXIT_CODE', `command ${how}${last ? `: ${last}` : ''}`));
      }
    });
  });
}

/** The variables a shell command sees about its call. */
export function runEnv(context: CallContext): Record<string, string> {
  return {
    JOBRUN_ITEM:
      typeof context.item === 'string' ? context.item : (JSON.stringify(context.item) ?? ''),
    JOBRUN_INDEX: context.index === null ? '' : String(context.index),
    JOBRUN_TASK: context.task,
    JOBRUN_JOB: context.job,
  };
}

/** Sends `signal` to a whole process group; a group that is already gone is fine. */
export function killGroup(pgid: number | undefined, signal: NodeJS.Signals): void {
  if (pgid === undefined) return;
  try {
    process.kill(-pgid, signal);
  } catch {
    // ESRCH: every member has exited already.
  }
}

function lastLine(text: string): string {
  const lines = text.trimEnd().split('\n');
  return (lines[lines.length - 1] ?? '').trim();
}

function abortError(signal: AbortSignal): ActionError {
  const reason: unknown = signal.reason;
  if (reason instanceof ActionError) return reason;
  return new ActionError('CANCELLED', 'the command was cancelled');
}
