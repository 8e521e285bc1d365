import type { TaskSummary } from '../results/types.ts';
import type { FlowGate } from './flow-gate.ts';
import type { RunContext } from './run-context.ts';

/** How often a running task is looked at: its counts, and its attempts that have run a while. */
export const WATCH_EVERY_MS = 100;

/** An attempt that started, for `itemStarted: 'waiting'`. */
export interface WatchedAttempt {
  /** Sends its `item-started` event if the attempt that started then still runs. */
  announceIfRunning(): void;
}

/**
 * Looks at a running task ten times a second, on a timer that never keeps the process up: sends
 * its counts (`task-progress`) when they changed, and announces the attempts still running one
 * whole period after the look that followed their start, so after 0.1 to 0.2 s (`item-started`
 * in `'waiting'` mode).
 *
 * Per item this costs one array slot, never an event: a listing shows the items that take long
 * enough to be seen, while a map of items of a millisecond builds no event per item. Started
 * attempts go into an array per period rather than a set they leave as they end: a set with
 * thousands of entries coming and going a second is garbage that outlives them.
 */
export class TaskWatch {
  readonly #run: RunContext;
  readonly #task: string;
  readonly #counts: TaskSummary;
  readonly #timer: NodeJS.Timeout;
  /** Attempts started since the last look, and in the period before it. */
  #young: WatchedAttempt[] = [];
  #old: WatchedAttempt[] = [];
  /** ok + failed + skipped + cancelled at the last `task-progress` event; -1 before the first. */
  #lastDone = -1;
  /** Tells what the task's attempts wait on, sent with its counts when it changes. */
  readonly #flow: FlowGate | null;
  #lastWaitingOn: string | null = null;

  constructor(run: RunContext, task: string, counts: TaskSummary, flow: FlowGate | null = null) {
    this.#run = run;
    this.#flow = flow;
    this.#task = task;
    this.#counts = counts;
    this.#timer = setInterval(() => this.#look(), WATCH_EVERY_MS);
    this.#timer.unref();
  }

  started(attempt: WatchedAttempt): void {
    this.#young.push(attempt);
  }

  /** The task ended: its final counts go out. */
  stop(): void {
    clearInterval(this.#timer);
    this.#young = [];
    this.#old = [];
    if (this.#run.wants.progress) this.#sendProgress();
  }

  #look(): void {
    if (this.#run.wants.progress) {
      const { ok, failed, skipped, cancelled } = this.#counts;
      const isWaitChanged = (this.#flow?.waitingOn ?? null) !== this.#lastWaitingOn;
      if (ok + failed + skipped + cancelled !== this.#lastDone || isWaitChanged)
        this.#sendProgress();
    }
    for (const attempt of this.#old) attempt.announceIfRunning();
    this.#old = this.#young;
    this.#young = [];
  }

  #sendProgress(): void {
    const { ok, failed, skipped, cancelled } = this.#counts;
    this.#lastDone = ok + failed + skipped + cancelled;
    if (this.#flow === null) {
      this.#run.emit({ type: 'task-progress', task: this.#task, ok, failed, skipped, cancelled });
      return;
    }
    const waitingOn = this.#flow.waitingOn;
    this.#lastWaitingOn = waitingOn;
    this.#run.emit({
      type: 'task-progress',
      task: this.#task,
      ok,
      failed,
      skipped,
      cancelled,
      waitingOn,
    });
  }
}
