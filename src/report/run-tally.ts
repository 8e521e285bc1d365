import type { ItemRecord, SummaryRecord, TaskSummary } from '../results/types.ts';
import type { RunEvent, TaskInfo, TaskState } from '../run/events.ts';
import type { ServiceState } from '../services/service-set.ts';
import { foldMessage } from '../util/fold-message.ts';
import { formatItemError, itemLabel } from './format.ts';

/** How many distinct error kinds a task keeps for the summary; the rest are only counted. */
export const MAX_ERROR_GROUPS_PER_TASK = 1000;

/**
 * Errors of one kind in one task, counted: the same code and the same first line of message once
 * what varies between items (URLs, paths, ids, numbers) is folded, so ten `ECONNREFUSED` on ten
 * URLs are one group.
 */
export interface ErrorGroup {
  /**
   * `CODE: first line of the message`: the message itself while every error of the group had the
   * same, else its folded form (`ECONNREFUSED 127.0.0.1:<n>`).
   */
  text: string;
  count: number;
  /** Index of the first item that failed this way (its label is e.g. `fetch[3]`). */
  firstIndex: number | null;
}

/**
 * An attempt that has started and not yet finished: its `item-started` event itself, so that an
 * item waiting a millisecond costs the listing no allocation (`at` is read only when shown).
 */
export type InFlightItem = Pick<
  Extract<RunEvent, { type: 'item-started' }>,
  'index' | 'item' | 'attempt' | 'at'
>;

/** What the reporters know of one task, kept up to date from the event stream. */
export interface TaskTally {
  info: TaskInfo;
  state: TaskState;
  total: number | null;
  ok: number;
  failed: number;
  skipped: number;
  cancelled: number;
  /** Of the `ok` items, those reused from the previous run (`--resume`). */
  cached: number;
  /** Epoch ms of the task's `running` state; `null` if it never ran. */
  startedAtMs: number | null;
  /** Epoch ms of its final state; `null` until then. */
  finishedAtMs: number | null;
  /** Keyed by item index (`-1` for a task without `map`); in start order. */
  inFlight: Map<number, InFlightItem>;
  /** `CODE: message` of the first failed item, with its label. */
  firstError: string | null;
  /** Keyed by `CODE: first line` folded (`foldMessage`), in order of first appearance. */
  errorGroups: Map<string, ErrorGroup>;
  /** Failed items whose kind of error did not fit in `errorGroups`. */
  ungroupedErrors: number;
  lastLog: string | null;
  /** What its attempts wait on now (`rate 10/s`, `db`): its `rate:` or a resource it uses. */
  waitingOn?: string | null;
}

/** What the reporters know of one service of the job. */
export interface ServiceTally {
  name: string;
  state: ServiceState;
  /** Milliseconds from its start until it was ready; `null` until then. */
  readyMs: number | null;
  /** What went wrong (`failed`, `exited`), in one line. */
  message: string | null;
  /** Its last lines of output when it failed or exited. */
  lines: string[];
  logPath: string;
}

export interface RunTallyOptions {
  /** Track the attempts in flight (the live listing shows them). @default false */
  trackInFlight?: boolean;
}

const FINAL_STATES: ReadonlySet<TaskState> = new Set(['ok', 'failed', 'skipped', 'cancelled']);

/** Whether a task state is final (`ok`, `failed`, `skipped`, `cancelled`). */
export function isFinalState(state: TaskState): boolean {
  return FINAL_STATES.has(state);
}

/**
 * Folds the event stream into per-task counts, timings and grouped errors: the one model every
 * output mode but `json` renders. Bookkeeping per event is O(1) so that a map of 100,000 items is
 * not slowed by its reporter.
 */
export class RunTally {
  readonly tasks = new Map<string, TaskTally>();
  /** In the order they were first reported (the job file's order). */
  readonly services = new Map<string, ServiceTally>();
  job: string | null = null;
  runId: string | null = null;
  resultsPath: string | null = null;
  startedAtMs: number | null = null;
  summary: SummaryRecord | null = null;
  interrupted: { signal: string; force: boolean } | null = null;
  readonly #trackInFlight: boolean;

  constructor(options: RunTallyOptions = {}) {
    this.#trackInFlight = options.trackInFlight ?? false;
  }

  apply(event: RunEvent): void {
    switch (event.type) {
      case 'run-started':
        this.job = event.job;
        this.runId = event.runId;
        this.resultsPath = event.resultsPath;
        this.startedAtMs = Date.parse(event.startedAt);
        for (const info of event.tasks) this.tasks.set(info.id, newTally(info));
        break;
      case 'task-state': {
        const tally = this.tasks.get(event.task);
        if (tally === undefined) break;
        tally.state = event.state;
        // The final counts also hold what has no record of its own (items never reached).
        if (event.counts !== undefined) applyCounts(tally, event.counts);
        if (event.state === 'running') tally.startedAtMs = Date.parse(event.at);
        else if (isFinalState(event.state)) {
          tally.finishedAtMs = Date.parse(event.at);
          tally.inFlight.clear();
          tally.waitingOn = null;
        }
        break;
      }
      case 'task-progress': {
        // Absolute counts: every item-finished event so far is already in them.
        const tally = this.tasks.get(event.task);
        if (tally === undefined) break;
        tally.ok = event.ok;
        tally.failed = event.failed;
        tally.skipped = event.skipped;
        tally.cancelled = event.cancelled;
        tally.cached = event.cached;
        if (event.waitingOn !== undefined) tally.waitingOn = event.waitingOn;
        break;
      }
      case 'task-waiting': {
        const tally = this.tasks.get(event.task);
        if (tally !== undefined) tally.waitingOn = event.on;
        break;
      }
      case 'service-state': {
        const service = this.services.get(event.service) ?? {
          name: event.service,
          state: event.state,
          readyMs: null,
          message: null,
          lines: [],
          logPath: event.logPath,
        };
        service.state = event.state;
        if (event.readyMs !== undefined) service.readyMs = event.readyMs;
        if (event.message !== undefined) service.message = event.message;
        if (event.lines !== undefined) service.lines = event.lines;
        this.services.set(event.service, service);
        break;
      }
      case 'task-total': {
        const tally = this.tasks.get(event.task);
        if (tally !== undefined) tally.total = event.total;
        break;
      }
      case 'item-started': {
        if (!this.#trackInFlight) break;
        this.tasks.get(event.task)?.inFlight.set(event.index ?? -1, event);
        break;
      }
      case 'item-finished':
        this.#applyRecord(event.record);
        break;
      case 'log': {
        const tally = this.tasks.get(event.task);
        if (tally !== undefined) tally.lastLog = event.message;
        break;
      }
      case 'run-interrupted':
        this.interrupted = { signal: event.signal, force: event.force };
        break;
      case 'run-finished':
        this.summary = event.summary;
        this.resultsPath = event.resultsPath;
        break;
    }
  }

  #applyRecord(record: ItemRecord): void {
    const tally = this.tasks.get(record.task);
    if (tally === undefined) return;
    if (this.#trackInFlight) tally.inFlight.delete(record.index ?? -1);
    tally[record.status] += 1;
    if (record.cached === true) tally.cached += 1;
    if (record.error === null || record.status !== 'failed') return;
    const text = formatItemError(record.error);
    tally.firstError ??= `${text} (${itemLabel(record.task, record.index)})`;
    const key = foldMessage(text);
    const group = tally.errorGroups.get(key);
    if (group !== undefined) {
      group.count += 1;
      if (group.text !== key && group.text !== text) group.text = key;
    } else if (tally.errorGroups.size < MAX_ERROR_GROUPS_PER_TASK) {
      tally.errorGroups.set(key, { text, count: 1, firstIndex: record.index });
    } else tally.ungroupedErrors += 1;
  }
}

function applyCounts(tally: TaskTally, counts: TaskSummary): void {
  tally.ok = counts.ok;
  tally.failed = counts.failed;
  tally.skipped = counts.skipped;
  tally.cancelled = counts.cancelled;
  tally.cached = counts.cached;
  if (counts.total !== undefined) tally.total = counts.total;
}

/** The most frequent kind of error of a task, or `null` when none of its items failed. */
export function topErrorGroup(tally: TaskTally): ErrorGroup | null {
  let top: ErrorGroup | null = null;
  for (const group of tally.errorGroups.values())
    if (top === null || group.count > top.count) top = group;
  return top;
}

function newTally(info: TaskInfo): TaskTally {
  return {
    info,
    state: 'waiting',
    total: info.total,
    ok: 0,
    failed: 0,
    skipped: 0,
    cancelled: 0,
    cached: 0,
    startedAtMs: null,
    finishedAtMs: null,
    inFlight: new Map(),
    firstError: null,
    errorGroups: new Map(),
    ungroupedErrors: 0,
    lastLog: null,
  };
}
