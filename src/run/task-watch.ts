import type { TaskSummary } from '../results/types.ts';
import type { FlowGate } from './flow-gate.ts';
import type { RunContext } from './run-context.ts';

/** How often a running task is looked at: its counts, and its attempts that have run a while. */
export const WATCH_EVERY_MS = 100;

/**
 * An attempt that has started and not ended, not announced yet (`itemStarted: 'waiting'`): it is
 * announced at the first look after it has run `WATCH_EVERY_MS`.
 */
export interface WatchedAttempt {
  /** When it started (`performance.now()`). */
  readonly attemptStartedMs: number;
  /** Sends its `item-started` event. */
  announce(): void;
}

/**
 * Looks at a running task ten times a second, on a timer that never keeps the process up: sends
 * its counts (`task-progress`) when they changed, and announces the attempts that have been
 * running for `WATCH_EVERY_MS` or more (`item-started` in `'waiting'` mode).
 *
 * Per item this costs a set insertion and removal, never an event: a listing shows items that
 * take long enough to be seen, while a map of items of a millisecond builds no per-item event.
 */
export class TaskWatch {
  readonly #run: RunContext;
  readonly #task: string;
  readonly #counts: TaskSummary;
  readonly #running = new Set<WatchedAttempt>();
  readonly #timer: NodeJS.Timeout;
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
    this.#running.add(attempt);
  }

  ended(attempt: WatchedAttempt): void {
    this.#running.delete(attempt);
  }

  /** The task ended: its final counts go out. */
  stop(): void {
    clearInterval(this.#timer);
    this.#running.clear();
    if (this.#run.wants.progress) this.#sendProgress();
  }

  #look(): void {
    if (this.#run.wants.progress) {
      const { ok, failed, skipped, cancelled } = this.#counts;
      const isWaitChanged = (this.#flow?.waitingOn ?? null) !== this.#lastWaitingOn;
      if (ok + failed + skipped + cancelled !== this.#lastDone || isWaitChanged)
        this.#sendProgress();
    }
    if (this.#running.size === 0) return;
    const sinceMs = performance.now() - WATCH_EVERY_MS;
    for (const attempt of this.#running) {
      if (attempt.attemptStartedMs > sinceMs) continue;
      this.#running.delete(attempt);
      attempt.announce();
    }
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
