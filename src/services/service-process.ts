import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { groupReaper } from '../proc/group-reaper.ts';
import { signalGroup } from '../proc/process-group.ts';
import { createDeferred, type Deferred } from '../util/deferred.ts';
import { hasRunningMember } from './group-members.ts';
import { LastLines } from './last-lines.ts';

/** How long a service has between SIGTERM and SIGKILL when jobrun stops it. */
export const SERVICE_STOP_GRACE_MS = 5000;
/** How often a stopping service's process group is checked for members left. */
const GROUP_POLL_MS = 25;
/** How long SIGKILL is given to empty the group. */
const KILL_WAIT_MS = 1000;

/** How a service's shell ended: its exit code, or the signal that ended it. */
export interface ServiceExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface ServiceProcessOptions {
  command: string;
  cwd: string;
  /** Added to jobrun's own environment. */
  env: Record<string, string>;
  /** Receives everything it prints (stdout and stderr). */
  logPath: string;
  /** Called with each complete line it prints, stdout and stderr alike. */
  onLine?: (line: string) => void;
  /** @default SERVICE_STOP_GRACE_MS */
  graceMs?: number;
}

type State =
  | { kind: 'running'; pgid: number }
  | { kind: 'stopping'; pgid: number; done: Promise<void> }
  | { kind: 'ended' };

/**
 * A service's command: `/bin/sh -c command` in its own process group, as a `run` command is, so
 * that stopping it stops whatever it started, and known to the process-wide reaper, so that it
 * is stopped even when jobrun is killed outright. Its output goes to a log file, and its last
 * lines are kept for the message of a service that fails.
 */
export class ServiceProcess {
  readonly #child: ChildProcess;
  readonly #log: WriteStream;
  readonly #lastLines = new LastLines();
  readonly #exited: Deferred<ServiceExit> = createDeferred<ServiceExit>();
  readonly #graceMs: number;
  #state: State;
  #exit: ServiceExit | null = null;

  constructor(options: ServiceProcessOptions) {
    this.#graceMs = options.graceMs ?? SERVICE_STOP_GRACE_MS;
    this.#log = createWriteStream(options.logPath);
    // A log that cannot be written must not crash jobrun: the service still runs.
    this.#log.on('error', () => undefined);
    this.#child = spawn('/bin/sh', ['-c', options.command], {
      detached: true,
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const pgid = this.#child.pid;
    if (pgid === undefined) {
      this.#state = { kind: 'ended' };
    } else {
      this.#state = { kind: 'running', pgid };
      groupReaper.add(pgid);
    }
    const onLine = options.onLine;
    for (const [name, stream] of [
      ['stdout', this.#child.stdout],
      ['stderr', this.#child.stderr],
    ] as const) {
      stream?.on('data', (chunk: Buffer) => {
        this.#log.write(chunk);
        for (const line of this.#lastLines.push(name, chunk)) onLine?.(line);
      });
    }
    this.#child.on('error', (error) => {
      this.#lastLines.note(`cannot start /bin/sh: ${error.message}`);
      this.#settle({ code: null, signal: null });
    });
    this.#child.on('close', (code, signal) => this.#settle({ code, signal }));
  }

  /** Settles when its shell has exited and its output is read to the end. */
  get exited(): Promise<ServiceExit> {
    return this.#exited.promise;
  }

  /** How it ended, or `null` while it runs. */
  get exit(): ServiceExit | null {
    return this.#exit;
  }

  /** Its last lines of output, stdout and stderr in the order they came. */
  lastLines(): string[] {
    return this.#lastLines.lines();
  }

  /**
   * Stops its whole process group: SIGTERM, then SIGKILL to what is left after the grace.
   * Settles once no process of the group is left (so a port it held is free) and its log file
   * is closed. Calling it again returns the same stop.
   */
  stop(): Promise<void> {
    const state = this.#state;
    if (state.kind === 'stopping') return state.done;
    if (state.kind === 'ended') return this.#closeLog();
    const done = this.#stopGroup(state.pgid);
    this.#state = { kind: 'stopping', pgid: state.pgid, done };
    return done;
  }

  async #stopGroup(pgid: number): Promise<void> {
    signalGroup(pgid, 'SIGTERM');
    const deadline = performance.now() + this.#graceMs;
    while (hasRunningMember(pgid) && performance.now() < deadline) await sleep(GROUP_POLL_MS);
    if (hasRunningMember(pgid)) {
      signalGroup(pgid, 'SIGKILL');
      // Bounded: a process stuck in the kernel (uninterruptible I/O) outlives even SIGKILL.
      const killDeadline = performance.now() + KILL_WAIT_MS;
      while (hasRunningMember(pgid) && performance.now() < killDeadline) await sleep(GROUP_POLL_MS);
    }
    // A process outside the group (`setsid`) may still hold the pipes: they are not waited for.
    this.#child.stdout?.destroy();
    this.#child.stderr?.destroy();
    await Promise.race([this.#exited.promise, sleep(this.#graceMs)]);
    groupReaper.delete(pgid);
    this.#state = { kind: 'ended' };
    await this.#closeLog();
  }

  #settle(exit: ServiceExit): void {
    if (this.#exit !== null) return;
    this.#exit = exit;
    this.#exited.resolve(exit);
  }

  #closeLog(): Promise<void> {
    if (this.#log.closed || this.#log.destroyed) return Promise.resolve();
    return new Promise((resolve) => this.#log.end(resolve));
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
