/**
 * The messages between the live reporter (on the run's thread) and the listing thread that runs
 * listr2 (`live-worker.ts`). The reporter folds events and composes every row's text; the listing
 * thread only lays them out with listr2 and sends the frames back to be written.
 */

/** What the listing shows once the run has started: its tasks in dependency order, the screen. */
export interface ListingSetup {
  tasks: string[];
  columns: number;
  rows: number;
}

/** What a task's row shows now. */
export interface RowView {
  id: string;
  /** Waiting rows keep listr2's waiting icon; every other unfinished row spins. */
  waiting: boolean;
  title: string;
  /** The lines under the row (items in flight), `\n`-separated. */
  output: string;
}

/** How a task's row ends: the task function of its listr2 task returns, throws or skips. */
export interface RowEnd {
  id: string;
  outcome: 'ok' | 'failed' | 'skipped';
  title: string;
  /** The line under a failed task, already cut to the screen's width. */
  error: string;
}

/** From the reporter to the listing thread. */
export type ToListing =
  /** The run has started: list its tasks. The thread is started earlier, and waits for this. */
  | { type: 'start'; setup: ListingSetup }
  | { type: 'rows'; rows: RowView[] }
  | { type: 'end-row'; row: RowEnd }
  /** Every row has ended: draw the final frame, send `ended` and stop. */
  | { type: 'finish' };

/** From the listing thread to the reporter. */
export type FromListing =
  /** Text for the terminal, in order. */
  | { type: 'write'; stream: 'stdout' | 'stderr'; text: string }
  /** The final frame has been sent. */
  | { type: 'ended' };
