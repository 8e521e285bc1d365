import type { RunEvent, RunEventSelection } from '../run/events.ts';

/**
 * Renders a run from its event stream. A reporter only observes: it never starts, waits for or
 * cancels anything, and `onEvent` never throws for a user's failure.
 */
export interface Reporter {
  /** Called synchronously by the engine for every event, in order. */
  onEvent(event: RunEvent): void;
  /** The per-item events it renders; the engine builds no others. @default every event */
  readonly events?: RunEventSelection;
  /** Finishes the output (the last frame, the summary) and waits until it is written. */
  close(): Promise<void>;
}

/** Where a reporter writes. */
export interface ReporterOptions {
  /** Rows, progress and the summary. `columns`/`rows` bound the live listing. */
  stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number; rows?: number };
  /** Errors of the `quiet` mode. */
  stderr: NodeJS.WritableStream;
  /** Decides colours (`NO_COLOR`, `FORCE_COLOR`, `TERM`). @default process.env */
  env?: NodeJS.ProcessEnv;
}

/** Waits until everything written to `stream` has been handed to the OS. */
export async function waitForFlush(stream: NodeJS.WritableStream): Promise<void> {
  const writable = stream as NodeJS.WritableStream & { writableNeedDrain?: boolean };
  if (writable.writableNeedDrain !== true) return;
  await new Promise<void>((resolve) => {
    const done = (): void => {
      stream.off('drain', done);
      stream.off('close', done);
      stream.off('error', done);
      resolve();
    };
    stream.on('drain', done);
    stream.on('close', done);
    stream.on('error', done);
  });
}
