import type { Executor } from '../executors/types.ts';
import type { TaskSummary } from '../results/types.ts';
import { isoNow } from './iso-clock.ts';
import type { FlowGate } from './flow-gate.ts';
import type { RunContext } from './run-context.ts';

/** How often a running task is looked at: its counts, and its attempts that have run a while. */
export const WATCH_EVERY_MS = 100;

/**
 * A running attempt, for `itemStarted: 'waiting'`: linked into its task's watch through its own
 * fields while it runs, so watching it allocates nothing and holds nothing once it ended.
 */
export interface WatchedAttempt {
  watchPrev: WatchedAttempt | null;
  watchNext: WatchedAttempt | null;
  /** The watch's look count when it started. */
  watchedSince: number;
  /** Sends its `item-started` event. */
  announce(): void;
}

/**
 * Looks at a running task ten times a second, on a timer that never keeps the process up: sends
 * its counts (`task-progress`) when they changed, and announces the attempts that were already
 * running at the previous look, so after 0.1 to 0.2 s (`item-started` in `'waiting'` mode). A
 * listing then shows the items that take long enough to be seen, while a map of items of a
 * millisecond builds no event per item.
 *
 * Running attempts are a list linked through them, not a set: a set with thousands of entries a
 * second coming and going is garbage that outlives them.
 */
export class TaskWatch {
  readonly #run: RunContext;
  readonly #task: string;
  readonly #counts: TaskSummary;
  readonly #timer: NodeJS.Timeout;
  #running: WatchedAttempt | null = null;
  #looks = 0;
  /** ok + failed + skipped + cancelled at the last `task-progress` event; -1 before the first. */
  #lastDone = -1;
  /** Tells what the task's attempts wait on, sent with its counts when it changes. */
  readonly #flow: FlowGate | null;
  /** Also tells it, for a kind that can wait (a queue without workers). */
  readonly #executor: Executor | null;
  #lastWaitingOn: string | null = null;
  /** Whether the executor's wait was told (`task-waiting`), once per task as the flow gate's. */
  #isExecutorWaitTold = false;

  constructor(
    run: RunContext,
    task: string,
    counts: TaskSummary,
    flow: FlowGate | null = null,
    executor: Executor | null = null,
  ) {
    this.#run = run;
    this.#flow = flow;
    this.#executor = executor;
    this.#task = task;
    this.#counts = counts;
    this.#timer = setInterval(() => this.#look(), WATCH_EVERY_MS);
    this.#timer.unref();
  }

  started(attempt: WatchedAttempt): void {
    attempt.watchedSince = this.#looks;
    attempt.watchPrev = null;
    attempt.watchNext = this.#running;
    if (this.#running !== null) this.#running.watchPrev = attempt;
    this.#running = attempt;
  }

  /** The attempt ended (or was announced): it leaves the list. */
  ended(attempt: WatchedAttempt): void {
    const { watchPrev, watchNext } = attempt;
    if (watchPrev !== null) watchPrev.watchNext = watchNext;
    else if (this.#running === attempt) this.#running = watchNext;
    else return;
    if (watchNext !== null) watchNext.watchPrev = watchPrev;
    attempt.watchPrev = null;
    attempt.watchNext = null;
  }

  /** The task ended: its final counts go out. */
  stop(): void {
    clearInterval(this.#timer);
    this.#running = null;
    if (this.#run.wants.progress) this.#sendProgress();
  }

  /** What the task's attempts wait on now: their rate or resources, else their executor. */
  #waitingOn(): string | null {
    return this.#flow?.waitingOn ?? this.#executor?.waitingOn ?? null;
  }

  #look(): void {
    const executorWait = this.#executor?.waitingOn ?? null;
    if (executorWait !== null && !this.#isExecutorWaitTold) {
      this.#isExecutorWaitTold = true;
      this.#run.emit({ type: 'task-waiting', task: this.#task, on: executorWait, at: isoNow() });
    }
    if (this.#run.wants.progress) {
      const { ok, failed, skipped, cancelled } = this.#counts;
      const isWaitChanged = this.#waitingOn() !== this.#lastWaitingOn;
      if (ok + failed + skipped + cancelled !== this.#lastDone || isWaitChanged)
        this.#sendProgress();
    }
    for (let attempt = this.#running; attempt !== null;) {
      const next = attempt.watchNext;
      if (attempt.watchedSince < this.#looks) {
        this.ended(attempt);
        attempt.announce();
      }
      attempt = next;
    }
    this.#looks++;
  }

  #sendProgress(): void {
    const { ok, failed, skipped, cancelled, cached } = this.#counts;
    this.#lastDone = ok + failed + skipped + cancelled;
    // `waitingOn` only for a task that can wait: a rate, resources, or an executor that may.
    const canWait = this.#flow !== null || this.#executor?.waitingOn !== undefined;
    if (canWait) this.#lastWaitingOn = this.#waitingOn();
    this.#run.emit({
      type: 'task-progress',
      task: this.#task,
      ok,
      failed,
      skipped,
      cancelled,
      cached,
      ...(canWait ? { waitingOn: this.#lastWaitingOn } : {}),
    });
  }
}
