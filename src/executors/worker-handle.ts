import type { HostMessage, WorkerMessage } from './protocol.ts';

/**
 * How long a stopped child process has between SIGTERM and SIGKILL: enough to stop its shell
 * commands, short enough that a second Ctrl-C ends the run within 2 s even when the worker is
 * stuck in a loop that never lets its SIGTERM handler run. @default 1000
 */
export const WORKER_KILL_GRACE_MS = 1000;

/** What a pool hears from one of its workers. */
export interface WorkerEvents {
  onMessage(message: WorkerMessage): void;
  /** The worker is gone (and, for a process, reaped); `reason` reads "exited with code 3". */
  onExit(reason: string): void;
}

/**
 * One long-lived pool worker, a thread or a child process: the pool's only view of the transport,
 * so one pool serves both kinds.
 */
export interface WorkerHandle {
  /** `process-<pid>` or `thread-<threadId>`. */
  readonly id: string;
  send(message: HostMessage): void;
  /** Stops the worker now, whatever it runs (a timeout, a cancellation). */
  kill(): void;
  /** Lets an idle worker leave on its own; forced if it does not in time. */
  close(): void;
}

/** Starts a worker; its events arrive asynchronously. */
export type WorkerFactory = (events: WorkerEvents) => WorkerHandle;

/** Worker output goes to jobrun's stderr: jobrun's stdout belongs to its output mode. */
export function forwardOutput(stream: NodeJS.ReadableStream | null | undefined): void {
  stream?.on('data', (chunk: Buffer | string) => process.stderr.write(chunk));
}
