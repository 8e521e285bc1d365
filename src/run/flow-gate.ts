import type { RateLimit, Task } from '../job/types.ts';
import { formatRoundedDuration } from '../util/format-duration.ts';
import { RateWindow } from './rate-window.ts';
import { ResourcePool } from './resource-pool.ts';
import { isoNow } from './iso-clock.ts';
import type { RunContext } from './run-context.ts';

/** One resource pool per run, shared by all its tasks whatever their executor. */
const pools = new WeakMap<RunContext, ResourcePool>();

function poolOf(run: RunContext): ResourcePool {
  let pool = pools.get(run);
  if (pool === undefined) {
    pool = new ResourcePool(run.job.resources ?? {});
    pools.set(run, pool);
  }
  return pool;
}

/** `rate 10/s`, `rate 100/min`, `rate 3 per 2.5s`: what the listing shows a task waiting on. */
export function rateLabel(rate: RateLimit): string {
  if (rate.perMs === 1000) return `rate ${rate.limit}/s`;
  if (rate.perMs === 60_000) return `rate ${rate.limit}/min`;
  if (rate.perMs === 3_600_000) return `rate ${rate.limit}/h`;
  return `rate ${rate.limit} per ${formatRoundedDuration(rate.perMs)}`;
}

/**
 * An admitted attempt's hold on its task's rate and the resources it uses. `started` when it
 * runs, `ended` once it has an outcome (or never started): each counts once.
 */
export class AttemptPass {
  readonly #rate: RateWindow | null;
  readonly #pool: ResourcePool;
  readonly #uses: readonly string[];
  #state: 'admitted' | 'started' | 'ended' = 'admitted';

  constructor(rate: RateWindow | null, pool: ResourcePool, uses: readonly string[]) {
    this.#rate = rate;
    this.#pool = pool;
    this.#uses = uses;
  }

  started(): void {
    if (this.#state !== 'admitted') return;
    this.#state = 'started';
    this.#rate?.started();
  }

  ended(): void {
    if (this.#state === 'ended') return;
    if (this.#state === 'admitted') this.#rate?.abandoned();
    this.#state = 'ended';
    if (this.#uses.length > 0) this.#pool.release(this.#uses);
  }
}

/**
 * What an attempt of a task with `rate:` or `uses:` passes just before it is handed to its
 * executor, retries included: first a place in the task's rate window, then all its resources.
 * Says once per task and cause that the task waits (`task-waiting`), and knows what it waits on
 * now for the listing.
 */
export class FlowGate {
  readonly #run: RunContext;
  readonly #task: string;
  readonly #rate: RateWindow | null;
  readonly #rateLabel: string;
  readonly #uses: readonly string[];
  readonly #pool: ResourcePool;
  /** How many attempts wait on each cause now. */
  readonly #waiting = new Map<string, number>();
  readonly #told = new Set<string>();

  constructor(run: RunContext, task: Task) {
    this.#run = run;
    this.#task = task.id;
    this.#rate = task.rate === undefined ? null : new RateWindow(task.rate.limit, task.rate.perMs);
    this.#rateLabel = task.rate === undefined ? '' : rateLabel(task.rate);
    this.#uses = task.uses ?? [];
    this.#pool = poolOf(run);
  }

  /** The gate of `task`, or `null` when it has neither `rate:` nor `uses:`. */
  static of(run: RunContext, task: Task): FlowGate | null {
    const hasUses = task.uses !== undefined && task.uses.length > 0;
    return task.rate === undefined && !hasUses ? null : new FlowGate(run, task);
  }

  /** What the task's attempts wait on now (`rate 10/s`, `db`), or `null`. */
  get waitingOn(): string | null {
    for (const [cause, count] of this.#waiting) if (count > 0) return cause;
    return null;
  }

  /** Waits until one more attempt may start; `null` when the run stopped first. */
  async admit(): Promise<AttemptPass | null> {
    const signal = this.#run.stopSignal;
    const rate = this.#rate;
    if (rate !== null) {
      const isAdmitted = rate.isFull
        ? await this.#waitOn(this.#rateLabel, rate.admit(signal))
        : await rate.admit(signal);
      if (!isAdmitted) return null;
    }
    const pass = new AttemptPass(rate, this.#pool, this.#uses);
    if (this.#uses.length > 0) {
      const pool = this.#pool;
      const isHeld = pool.wouldWait(this.#uses)
        ? await this.#waitOn(pool.blocking(this.#uses) ?? '', pool.acquire(this.#uses, signal))
        : await pool.acquire(this.#uses, signal);
      if (!isHeld) {
        rate?.abandoned();
        return null;
      }
    }
    return pass;
  }

  async #waitOn(cause: string, admitted: Promise<boolean>): Promise<boolean> {
    this.#waiting.set(cause, (this.#waiting.get(cause) ?? 0) + 1);
    if (!this.#told.has(cause)) {
      this.#told.add(cause);
      this.#run.emit({ type: 'task-waiting', task: this.#task, on: cause, at: isoNow() });
    }
    try {
      return await admitted;
    } finally {
      this.#waiting.set(cause, (this.#waiting.get(cause) ?? 1) - 1);
    }
  }
}
