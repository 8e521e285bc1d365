import { spawn } from 'node:child_process';
import { isGroupAlive, signalGroup, type ProcessTracker } from '../proc/process-group.ts';
import { ActionError } from './action-error.ts';
import { OutputBuffer, outputLimit, outputTooLarge } from './output-limit.ts';
import type { CallInfo } from './types.ts';

/** How long a shell command has between SIGTERM and SIGKILL. @default 2000 */
export const DEFAULT_KILL_GRACE_MS = 2000;

/** The result of a `run` action. */
export interface CommandResult {
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
  /** The most bytes kept of stdout, and of stderr. @default DEFAULT_MAX_OUTPUT_BYTES */
  maxOutputBytes?: number;
}

/**
 * Runs `/bin/sh -c command` in its own process group, so that stopping it also stops whatever it
 * started (`sleep 30 | cat`), and so a terminal's Ctrl-C reaches jobrun first, which decides.
 * The group is stopped when the command ends too: a background child (`cmd &`, `nohup cmd &`)
 * does not outlive its item. Only a process that left the group (`setsid`) escapes.
 *
 * stdout and stderr are each kept up to `maxOutputBytes`; past it the command's group is stopped,
 * nothing more is read, and the attempt fails with `OUTPUT_TOO_LARGE`.
 */
export function performRun(
  command: string,
  context: CallInfo,
  options: RunOptions,
): Promise<CommandResult> {
  const { signal, processes } = options;
  const graceMs = options.killGraceMs ?? DEFAULT_KILL_GRACE_MS;
  const limit = outputLimit(options.maxOutputBytes);
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
    const stdout = new OutputBuffer(limit);
    const stderr = new OutputBuffer(limit);
    let overflowed: 'stdout' | 'stderr' | undefined;
    let isForgotten = pgid === undefined;
    let stopTimer: NodeJS.Timeout | undefined;

    // Told only once the group is empty: until then the reaper still stops it if jobrun dies.
    const forget = (): void => {
      if (isForgotten) return;
      isForgotten = true;
      processes?.delete(pgid as number);
    };
    // SIGTERM to the whole group, SIGKILL to what is left after the grace. Then the pipes are
    // closed even if a process outside the group (`setsid`) still holds them, so the item ends.
    const stopGroup = (): void => {
      if (stopTimer !== undefined || isForgotten) return;
      if (!signalGroup(pgid, 'SIGTERM')) {
        forget();
        return;
      }
      stopTimer = setTimeout(() => {
        signalGroup(pgid, 'SIGKILL');
        forget();
        child.stdout.destroy();
        child.stderr.destroy();
      }, graceMs);
      // Once jobrun is otherwise done, the reaper finishes the job: it still knows the group.
      stopTimer.unref();
    };
    const collect = (name: 'stdout' | 'stderr', buffer: OutputBuffer) => (chunk: Buffer) => {
      if (buffer.push(chunk) || overflowed !== undefined) return;
      overflowed = name;
      child.stdout.destroy();
      child.stderr.destroy();
      stopGroup();
    };
    child.stdout.on('data', collect('stdout', stdout));
    child.stderr.on('data', collect('stderr', stderr));

    signal.addEventListener('abort', stopGroup, { once: true });
    // The shell is gone: whatever it left running in its group is stopped with the item.
    child.on('exit', stopGroup);

    child.on('error', (error) => {
      signal.removeEventListener('abort', stopGroup);
      forget();
      reject(new ActionError('EXIT_CODE', `cannot start /bin/sh: ${error.message}`));
    });
    child.on('close', (code, exitSignal) => {
      signal.removeEventListener('abort', stopGroup);
      if (signal.aborted || overflowed !== undefined) {
        // A stopped command gets no grace beyond its shell's: no straggler keeps running.
        clearTimeout(stopTimer);
        signalGroup(pgid, 'SIGKILL');
        forget();
      } else if (stopTimer !== undefined && !isGroupAlive(pgid)) {
        // Its background children ended on SIGTERM: nothing is left for the timer to stop.
        clearTimeout(stopTimer);
        forget();
      }
      if (signal.aborted) {
        reject(abortError(signal));
      } else if (overflowed !== undefined) {
        reject(outputTooLarge(overflowed, limit, 'the command was stopped'));
      } else if (code === 0) {
        resolve({ exitCode: 0, stdout: stdout.text(), stderr: stderr.text() });
      } else {
        const how = code === null ? `was killed by ${exitSignal}` : `exited with code ${code}`;
        const last = lastLine(stderr.text());
        reject(new ActionError('EXIT_CODE', `command ${how}${last ? `: ${last}` : ''}`));
      }
    });
  });
}

/** The variables a shell command sees about its call. */
function runEnv(context: CallInfo): Record<string, string> {
  return {
    JOBRUN_ITEM:
      typeof context.item === 'string' ? context.item : (JSON.stringify(context.item) ?? ''),
    JOBRUN_INDEX: context.index === null ? '' : String(context.index),
    JOBRUN_TASK: context.task,
    JOBRUN_JOB: context.job,
  };
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
