import { FloatColumn } from './growable.ts';
import type { ItemSummary, StatusCounts, TaskReport } from './model.ts';
import { durationStats, histogram, round1 } from './stats.ts';

/** The slowest items listed per task. */
export const SLOWEST_PER_TASK = 10;

export function emptyCounts(): StatusCounts {
  return { ok: 0, failed: 0, skipped: 0, cancelled: 0, cached: 0, retried: 0 };
}

export interface TaskSummaryFields {
  status?: unknown;
  total?: unknown;
}

/** What one task's item records add up to, gathered while the file is read. */
export class TaskAccumulator {
  readonly name: string;
  readonly counts = emptyCounts();
  records = 0;
  firstStartMs = Infinity;
  lastEndMs = -Infinity;
  readonly #durations = new FloatColumn();
  /** Ascending by duration, at most `SLOWEST_PER_TASK`. */
  readonly #slowest: ItemSummary[] = [];

  constructor(name: string) {
    this.name = name;
  }

  /**
   * An item that ran (it has a start and was not reused from an earlier run); `startMs` counts
   * from the run's start. `describe` is called only for an item among the slowest so far.
   */
  addRun(startMs: number, durationMs: number, describe: () => ItemSummary): void {
    this.#durations.push(durationMs);
    if (startMs < this.firstStartMs) this.firstStartMs = startMs;
    if (startMs + durationMs > this.lastEndMs) this.lastEndMs = startMs + durationMs;
    const slowest = this.#slowest;
    if (
      slowest.length === SLOWEST_PER_TASK &&
      durationMs <= (slowest[0] as ItemSummary).durationMs
    ) {
      return;
    }
    const entry = describe();
    let at = 0;
    while (at < slowest.length && (slowest[at] as ItemSummary).durationMs < durationMs) at++;
    slowest.splice(at, 0, entry);
    if (slowest.length > SLOWEST_PER_TASK) slowest.shift();
  }

  /** The task's report; `summary` is its entry in the summary record, when there is one. */
  finish(summary: TaskSummaryFields | undefined): TaskReport {
    const sorted = Float64Array.from(this.#durations.view()).sort();
    const hasRun = this.firstStartMs !== Infinity;
    const total = typeof summary?.total === 'number' ? summary.total : this.records;
    return {
      name: this.name,
      status: typeof summary?.status === 'string' ? summary.status : this.#derivedStatus(total),
      total,
      counts: { ...this.counts },
      firstStartMs: hasRun ? round1(this.firstStartMs) : null,
      lastEndMs: hasRun ? round1(this.lastEndMs) : null,
      durations: durationStats(sorted),
      histogram: histogram(sorted),
      slowest: this.#slowest.slice().reverse(),
    };
  }

  /** For a run that has no summary: what the records seen so far say. */
  #derivedStatus(total: number): string {
    const { ok, failed, skipped, cancelled } = this.counts;
    if (failed > 0) return 'failed';
    if (ok + skipped + cancelled < total || this.records === 0) return 'unfinished';
    if (cancelled > 0) return 'cancelled';
    return skipped === this.records ? 'skipped' : 'ok';
  }
}
