/**
 * What a report knows about a run: built in Node from the results file, embedded in the HTML as
 * JSON (`<script type="application/json" id="jobrun-report-data">`) and drawn by the page's
 * script. Times are milliseconds from the run's start unless named otherwise.
 */

/** How a bar of the timeline is coloured; the index into `TIMELINE_STATUSES`. */
export const TIMELINE_STATUSES = ['ok', 'retried', 'failed', 'cancelled'] as const;
export type TimelineStatus = (typeof TIMELINE_STATUSES)[number];

export type ReportStatus = 'ok' | 'failed' | 'cancelled' | 'incomplete';

export interface StatusCounts {
  ok: number;
  failed: number;
  skipped: number;
  cancelled: number;
  /** Items reused from an earlier run (`--resume`); they count as `ok` too. */
  cached: number;
  /** Items that needed more than one attempt, whatever their outcome. */
  retried: number;
}

export interface DurationStats {
  /** Items that ran (a start time, not reused from an earlier run). */
  count: number;
  min: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

export interface Histogram {
  /** `counts.length + 1` bin edges in milliseconds. */
  edges: number[];
  counts: number[];
  /** Geometric bins, for durations spread over orders of magnitude. */
  isLog: boolean;
}

/** One item in full: the slowest of a task, or one hit by a failure. */
export interface ItemSummary {
  task: string;
  index: number | null;
  /** A short text form of the item (strings as they are, anything else as JSON), cut. */
  item: string;
  status: string;
  durationMs: number;
  attempts: number;
  worker: string | null;
  /** The start, ms from the run's start; `null` when it never ran. */
  startMs: number | null;
  /** The first line of its error, when it has one. */
  error: string | null;
}

export interface TaskReport {
  name: string;
  /** From the summary record; from the items' outcomes when the run has no summary. */
  status: string;
  /** How many items the task had, when the summary says; else the records seen. */
  total: number;
  counts: StatusCounts;
  /** First start and last end of its items, ms from the run's start; `null` when none ran. */
  firstStartMs: number | null;
  lastEndMs: number | null;
  durations: DurationStats | null;
  histogram: Histogram | null;
  slowest: ItemSummary[];
}

export interface ServiceReport {
  name: string;
  status: string;
  readyMs: number | null;
  exitCode: number | null;
}

export interface FailureGroup {
  code: string;
  /** The message with URLs, paths, numbers and ids folded (`HTTP 404 from GET <url>`). */
  pattern: string;
  /** The first message of the group as it was. */
  sample: string;
  /** The stack of the first failure that had one, cut. */
  stack: string | null;
  count: number;
  /** Failures per task. */
  tasks: Record<string, number>;
  /** The first items the failure hit (at most `ITEMS_PER_FAILURE_GROUP`). */
  items: ItemSummary[];
}

/**
 * The bars of the timeline as parallel arrays (one entry per bar, sorted by start), so 100,000
 * items stay a few megabytes: `startDelta` holds each start minus the previous one, and every time
 * is in tenths of a millisecond.
 */
export interface TimelineData {
  lanes: { name: string; worker: string }[];
  tasks: string[];
  /** Bars drawn; fewer than `itemsRan` when a very large run was thinned. */
  shown: number;
  itemsRan: number;
  startDelta: number[];
  duration: number[];
  lane: number[];
  /** Index into `TIMELINE_STATUSES`. */
  status: number[];
  task: number[];
  /** The item's index in its task, `-1` for a task without `map`. */
  index: number[];
  /** A short text form of the item; `''` when it would only repeat the index. */
  label: string[];
  /** Index into the report's `failures`, `-1` when the item did not fail. */
  failure: number[];
}

/** Activity over time in equal bins from the run's start. */
export interface SeriesData {
  binMs: number;
  /** Items finished in each bin, per task. */
  finished: Record<string, number[]>;
  /** Average items running during each bin, per task. */
  running: Record<string, number[]>;
}

export interface ReportData {
  version: 1;
  generatedAt: string;
  resultsFile: string;
  job: string | null;
  runId: string | null;
  status: ReportStatus;
  /** Why the run is incomplete (`null` when it finished): no summary, a cut-off last line. */
  incomplete: string | null;
  /** The summary's status, when there is a summary (`incomplete` is about the file). */
  runStatus: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  durationMs: number | null;
  executor: { kind: string; maxWorkers: number | null } | null;
  /** Distinct workers seen per kind (`process`, `thread`, `coroutine`, …). */
  workers: Record<string, number>;
  counts: StatusCounts & { items: number };
  tasks: TaskReport[];
  services: ServiceReport[];
  failures: FailureGroup[];
  /** Failures beyond those listed (too many distinct messages). */
  failuresFolded: number;
  timeline: TimelineData;
  series: SeriesData;
}
