import { shortItem } from '../util/short-text.ts';
import { clipFirstLine, FailureGrouper } from './failure-groups.ts';
import type { ItemSummary, ReportData, ServiceReport, TaskReport } from './model.ts';
import { buildSeries } from './series.ts';
import { round1 } from './stats.ts';
import { TaskAccumulator, emptyCounts, type TaskSummaryFields } from './task-accumulator.ts';
import { TimelineBuilder } from './timeline-builder.ts';

/** How long an item's text may be in the timeline's data (it is repeated per bar). */
const BAR_LABEL_CHARS = 48;
/** How long an item's text may be where it is listed in full (slowest items, failures). */
const ITEM_TEXT_CHARS = 200;
/** How long an item's error may be in its summary. */
const ERROR_LINE_CHARS = 300;

const STATUS_CODE = { ok: 0, retried: 1, failed: 2, cancelled: 3 } as const;
const ITEM_STATUSES = new Set(['ok', 'failed', 'skipped', 'cancelled']);

type Fields = Record<string, unknown>;

const text = (value: unknown): string | null => (typeof value === 'string' ? value : null);
const finite = (value: unknown): number | null =>
  typeof value === 'number' && Number.isFinite(value) ? value : null;

function workerKind(worker: string): string {
  const match = /^(process|thread|coroutine)\b/.exec(worker);
  return match ? (match[1] as string) : 'other';
}

/**
 * Adds up a results file record by record, as it is read: counts, durations, the slowest items
 * and failures per task, and the bars of the timeline. Records of types it does not know, and
 * fields it does not know, are passed over, so files from later versions still make a report.
 */
export class RunAggregator {
  #run: Fields | null = null;
  #summary: Fields | null = null;
  /** Epoch ms every time is counted from: the run's start (else the first item's). */
  #origin: number | null = null;
  readonly #tasks = new Map<string, TaskAccumulator>();
  readonly #taskIndex = new Map<string, number>();
  readonly #services: ServiceReport[] = [];
  readonly #failures = new FailureGrouper();
  readonly #timeline = new TimelineBuilder();
  #items = 0;
  #lastEndMs = 0;

  add(record: Fields): void {
    switch (record.type) {
      case 'run':
        this.#run ??= record;
        this.#origin ??= Date.parse(text(record.startedAt) ?? '') || null;
        return;
      case 'item':
        this.#addItem(record);
        return;
      case 'summary':
        this.#summary = record;
        return;
      case 'service':
        this.#services.push({
          name: text(record.name) ?? '?',
          status: text(record.status) ?? '?',
          readyMs: finite(record.readyMs),
          exitCode: finite(record.exitCode),
        });
        return;
      default:
        return;
    }
  }

  get hasRunRecord(): boolean {
    return this.#run !== null;
  }

  #task(name: string): TaskAccumulator {
    let task = this.#tasks.get(name);
    if (task === undefined) {
      task = new TaskAccumulator(name);
      this.#tasks.set(name, task);
      this.#taskIndex.set(name, this.#taskIndex.size);
    }
    return task;
  }

  #addItem(record: Fields): void {
    this.#items++;
    const name = text(record.task) ?? '?';
    const task = this.#task(name);
    task.records++;
    const status = text(record.status) ?? '';
    const isCached = record.cached === true;
    const attempts = finite(record.attempts) ?? 0;
    if (ITEM_STATUSES.has(status)) task.counts[status as 'ok']++;
    if (isCached) task.counts.cached++;
    if (attempts > 1) task.counts.retried++;

    // A cached record keeps the start of the earlier run that made it: it did not run in this one,
    // so it has no place on this run's time axis.
    const startedAt = isCached ? NaN : Date.parse(text(record.startedAt) ?? '');
    const hasStart = Number.isFinite(startedAt);
    if (hasStart) this.#origin ??= startedAt;
    const startMs = hasStart ? startedAt - (this.#origin as number) : null;
    const durationMs = Math.max(0, finite(record.durationMs) ?? 0);
    const index = finite(record.index);
    const worker = text(record.worker);
    const error =
      record.error !== null && typeof record.error === 'object' ? (record.error as Fields) : null;
    const message = error === null ? null : (text(error.message) ?? '');
    const describe = (): ItemSummary => ({
      task: name,
      index,
      item: shortItem(record.item, ITEM_TEXT_CHARS),
      status: isCached ? 'cached' : status,
      durationMs: round1(durationMs),
      attempts,
      worker,
      startMs: startMs === null ? null : round1(startMs),
      error:
        message === null
          ? null
          : `${text(error?.code) ?? 'ERROR'}: ${clipFirstLine(message, ERROR_LINE_CHARS)}`,
    });

    let failure = -1;
    if (status === 'failed') {
      failure = this.#failures.add(
        text(error?.code) ?? 'UNKNOWN',
        message ?? '(no error message)',
        text(error?.stack),
        describe(),
      );
    }
    if (startMs === null) return;
    this.#lastEndMs = Math.max(this.#lastEndMs, startMs + durationMs);
    task.addRun(startMs, durationMs, describe);
    const barStatus =
      status === 'failed'
        ? STATUS_CODE.failed
        : status === 'cancelled'
          ? STATUS_CODE.cancelled
          : attempts > 1
            ? STATUS_CODE.retried
            : STATUS_CODE.ok;
    const label = shortItem(record.item, BAR_LABEL_CHARS);
    this.#timeline.add({
      startMs,
      durationMs,
      worker: worker ?? '(no worker)',
      status: barStatus,
      task: this.#taskIndex.get(name) as number,
      index: index ?? -1,
      label: index !== null && label === String(index) ? '' : label,
      failure,
    });
  }

  /** The report's data; `resultsFile` is shown in it, `isCutOff` marks a killed run's file. */
  finish(resultsFile: string, isCutOff: boolean): ReportData {
    const run = this.#run ?? {};
    const summary = this.#summary;
    const summaryTasks = (summary?.tasks ?? {}) as Record<string, TaskSummaryFields>;
    // Dependency order, as the summary lists the tasks; tasks it does not name after them.
    for (const name of Object.keys(summaryTasks)) this.#task(name);
    const names = [...Object.keys(summaryTasks), ...this.#tasks.keys()].filter(
      (name, at, all) => all.indexOf(name) === at,
    );
    const tasks: TaskReport[] = names.map((name) =>
      (this.#tasks.get(name) as TaskAccumulator).finish(summaryTasks[name]),
    );

    const counts = { items: this.#items, ...emptyCounts() };
    for (const task of tasks) {
      for (const key of Object.keys(task.counts) as (keyof typeof task.counts)[]) {
        counts[key] += task.counts[key];
      }
    }
    const workers: Record<string, number> = {};
    for (const worker of this.#timeline.workerNames) {
      const kind = workerKind(worker);
      workers[kind] = (workers[kind] ?? 0) + 1;
    }

    const incomplete = isCutOff
      ? 'the last line of the results file is cut off: the run was stopped while writing it'
      : summary === null
        ? 'the results file has no summary: the run was stopped before it finished, or is still running'
        : null;
    const runStatus = text(summary?.status);
    const durationMs = finite(summary?.durationMs);
    const executor =
      run.executor !== null && typeof run.executor === 'object' ? (run.executor as Fields) : null;
    // Bars were numbered by task as items were first seen; the page shows tasks in `names` order.
    const renumber = [...this.#taskIndex.keys()].map((name) => names.indexOf(name));
    const starts = this.#timeline.starts;
    const spanMs = Math.max(durationMs ?? 0, this.#lastEndMs);

    return {
      version: 1,
      generatedAt: new Date().toISOString(),
      resultsFile,
      job: text(run.job),
      runId: text(run.runId),
      status:
        incomplete !== null
          ? 'incomplete'
          : runStatus === 'ok' || runStatus === 'failed' || runStatus === 'cancelled'
            ? runStatus
            : 'failed',
      incomplete,
      runStatus,
      startedAt: text(run.startedAt),
      finishedAt: text(summary?.finishedAt),
      durationMs: durationMs ?? (starts.length > 0 ? round1(this.#lastEndMs) : null),
      executor:
        executor === null
          ? null
          : { kind: text(executor.kind) ?? '?', maxWorkers: finite(executor.maxWorkers) },
      workers,
      counts,
      tasks,
      services: this.#services,
      failures: this.#failures.groups,
      failuresFolded: this.#failures.folded,
      timeline: this.#timeline.build(names, renumber),
      series: buildSeries(
        names,
        this.#timeline.taskIndexes(renumber),
        starts,
        this.#timeline.durations,
        spanMs,
      ),
    };
  }
}
