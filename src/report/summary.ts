import type { TaskSummary } from '../results/types.ts';
import type { TaskState } from '../run/events.ts';
import { formatDuration } from '../util/format-duration.ts';
import { truncate } from '../util/short-text.ts';
import { itemLabel } from './format.ts';
import type { RunTally, TaskTally } from './run-tally.ts';
import { createStyle, type Style } from './style.ts';

/** At most this many kinds of error are listed per task; the rest are counted in one line. */
export const MAX_ERROR_GROUPS_SHOWN = 10;

export interface SummaryOptions {
  /** Lines are cut to this many columns. @default Infinity */
  width?: number;
  /** @default no colour */
  style?: Style;
  /** The clock for tasks still running when the summary is drawn. @default Date.now() */
  nowMs?: number;
}

type Counts = Omit<TaskSummary, 'status'> & { status: TaskState };

interface Column {
  title: string;
  /** Dropped first when the table is too wide; 0 is never dropped. */
  dropOrder: number;
  isLeft: boolean;
  cell(task: TaskTally, counts: Counts, durationMs: number | null): string;
}

const COLUMNS: readonly Column[] = [
  { title: 'task', dropOrder: 0, isLeft: true, cell: (task) => task.info.id },
  { title: 'status', dropOrder: 0, isLeft: true, cell: (_task, counts) => counts.status },
  { title: 'ok', dropOrder: 0, isLeft: false, cell: (_task, counts) => String(counts.ok) },
  { title: 'failed', dropOrder: 0, isLeft: false, cell: (_task, counts) => String(counts.failed) },
  // Of the ok ones: reused by --resume. Shown only when some were.
  { title: 'cached', dropOrder: 3, isLeft: false, cell: (_t, counts) => String(counts.cached) },
  { title: 'skipped', dropOrder: 4, isLeft: false, cell: (_t, counts) => String(counts.skipped) },
  { title: 'cancelled', dropOrder: 3, isLeft: false, cell: (_t, c) => String(c.cancelled) },
  // ok + failed + skipped + cancelled = total, when the number of items is known.
  { title: 'total', dropOrder: 2, isLeft: false, cell: (_t, c) => String(c.total ?? '–') },
  {
    title: 'duration',
    dropOrder: 5,
    isLeft: false,
    cell: (_task, _counts, durationMs) => (durationMs === null ? '–' : formatDuration(durationMs)),
  },
  {
    title: 'items/s',
    dropOrder: 1,
    isLeft: false,
    cell: (task, counts, durationMs) => formatRate(task, counts, durationMs),
  },
];

const GAP = '  ';

/**
 * The end-of-run summary: a line with the run's status and duration, a table per task (status,
 * ok, failed, skipped, cancelled, total, duration, items/s), the results file's path, then the
 * errors.
 *
 * @example
 * ```text
 * run crawl failed in 3.4s
 * task    status   ok  failed  skipped  cancelled  total  duration  items/s
 * fetch   failed   98       2        0          0    100      3.1s     32.3
 * report  skipped   0       0        1          0      1         –        –
 * results: /home/me/crawl/results/crawl.jsonl
 *
 * errors in fetch (2 failed):
 *   ×2  TIMEOUT: attempt exceeded 1000ms (first: fetch[3])
 * ```
 */
export function formatSummary(tally: RunTally, options: SummaryOptions = {}): string[] {
  const errors = formatErrorGroups(tally, options);
  return [...formatSummaryTable(tally, options), ...(errors.length > 0 ? ['', ...errors] : [])];
}

/** The status line, the task table and the results path (no errors). */
export function formatSummaryTable(tally: RunTally, options: SummaryOptions = {}): string[] {
  const width = options.width ?? Number.POSITIVE_INFINITY;
  const style = options.style ?? createStyle(false);
  const nowMs = options.nowMs ?? Date.now();
  const lines: string[] = [];
  const status = tally.summary?.status ?? 'unfinished';
  const runDuration =
    tally.summary !== null ? ` in ${formatDuration(tally.summary.durationMs)}` : '';
  const head = truncate(`run ${tally.job ?? ''} ${status}${runDuration}`, width);
  lines.push(head.replace(` ${status}`, ` ${paint(style, status, status)}`));

  const tasks = [...tally.tasks.values()];
  const countsByTask = tasks.map((task) => tally.summary?.tasks[task.info.id] ?? countsOf(task));
  const rows = tasks.map((task, t) => {
    const counts = countsByTask[t] as Counts;
    const durationMs =
      task.startedAtMs === null ? null : (task.finishedAtMs ?? nowMs) - task.startedAtMs;
    return COLUMNS.map((column) => column.cell(task, counts, durationMs));
  });
  const hasCached = countsByTask.some((counts) => counts.cached > 0);
  let columns = COLUMNS.map((column, i) => ({ column, i })).filter(
    ({ column }) => hasCached || column.title !== 'cached',
  );
  const measure = (): number[] =>
    columns.map(({ column, i }) =>
      Math.max(column.title.length, ...rows.map((row) => (row[i] ?? '').length)),
    );
  let widths = measure();
  const total = (): number =>
    widths.reduce((sum, w) => sum + w, 0) + GAP.length * (widths.length - 1);
  for (const dropOrder of [1, 2, 3, 4, 5]) {
    if (total() <= width) break;
    columns = columns.filter(({ column }) => column.dropOrder !== dropOrder);
    widths = measure();
  }
  const render = (cells: string[], isHeader: boolean): string => {
    const text = cells
      .map((cell, c) => {
        const { column } = columns[c]!;
        const padded = column.isLeft ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!);
        return c === cells.length - 1 && column.isLeft ? padded.trimEnd() : padded;
      })
      .join(GAP);
    const cut = truncate(text, width);
    if (isHeader) return style.dim(cut);
    const statusCell = cells[1] ?? '';
    return cut.replace(
      /^(\S+\s+)(\S+)/,
      (_m, head: string) => head + paint(style, statusCell, statusCell),
    );
  };
  lines.push(
    render(
      columns.map(({ column }) => column.title),
      true,
    ),
  );
  for (const row of rows)
    lines.push(
      render(
        columns.map(({ i }) => row[i] ?? ''),
        false,
      ),
    );
  if (tally.resultsPath !== null) lines.push(`results: ${tally.resultsPath}`);
  return lines;
}

/**
 * The errors of the run, grouped by task and by code + first line of message with what varies
 * between items folded (URLs, paths, ids, numbers), most frequent first: 100 timeouts are one line
 * `×100  TIMEOUT: …`, ten `ECONNREFUSED` on ten ports one line `×10  …127.0.0.1:<n>`.
 */
export function formatErrorGroups(tally: RunTally, options: SummaryOptions = {}): string[] {
  const width = options.width ?? Number.POSITIVE_INFINITY;
  const style = options.style ?? createStyle(false);
  const lines: string[] = serviceErrors(tally, width);
  for (const task of tally.tasks.values()) {
    if (task.errorGroups.size === 0) continue;
    const failed = tally.summary?.tasks[task.info.id]?.failed ?? task.failed;
    lines.push(truncate(`errors in ${task.info.id} (${failed} failed):`, width));
    const groups = [...task.errorGroups.values()].sort((a, b) => b.count - a.count);
    const shown = groups.slice(0, MAX_ERROR_GROUPS_SHOWN);
    const countWidth = Math.max(...shown.map((group) => String(group.count).length)) + 1;
    for (const group of shown) {
      const count = `×${group.count}`.padEnd(countWidth);
      const first = task.info.isMap ? ` (first: ${itemLabel(task.info.id, group.firstIndex)})` : '';
      const text = truncate(`  ${count}  ${group.text}${first}`, width);
      lines.push(text.replace(count, style.red(count)));
    }
    const hidden = groups.slice(MAX_ERROR_GROUPS_SHOWN);
    const hiddenItems = hidden.reduce((sum, group) => sum + group.count, 0) + task.ungroupedErrors;
    if (hiddenItems > 0) {
      const kinds = hidden.length + (task.ungroupedErrors > 0 ? 1 : 0);
      lines.push(
        truncate(
          `  … ${task.ungroupedErrors > 0 ? 'more' : kinds} other kind${kinds === 1 ? '' : 's'} of error (${hiddenItems} items)`,
          width,
        ),
      );
    }
  }
  return lines;
}

/**
 * A service that failed to start or exited while tasks ran: what happened, then its last lines
 * of output and where its whole log is.
 */
function serviceErrors(tally: RunTally, width: number): string[] {
  const lines: string[] = [];
  for (const service of tally.services.values()) {
    if (service.message === null) continue;
    lines.push(truncate(`service ${service.name}: ${service.message}`, width));
    const what = service.lines.length === 0 ? 'no output' : 'its last lines of output';
    lines.push(truncate(`  ${what} (all of it in ${service.logPath}):`, width));
    for (const line of service.lines) lines.push(truncate(`    ${line}`, width));
  }
  return lines;
}

/** Counts from the items seen, for a summary drawn before (or without) `run-finished`. */
function countsOf(task: TaskTally): Counts {
  const { state: status, ok, failed, skipped, cancelled, cached, total } = task;
  return { status, ok, failed, skipped, cancelled, cached, ...(total === null ? {} : { total }) };
}

function formatRate(task: TaskTally, counts: Counts, durationMs: number | null): string {
  if (!task.info.isMap || durationMs === null || durationMs <= 0) return '–';
  const rate = ((counts.ok + counts.failed) * 1000) / durationMs;
  return rate < 10 ? rate.toFixed(1) : String(Math.round(rate));
}

function paint(style: Style, status: string, text: string): string {
  if (status === 'ok') return style.green(text);
  if (status === 'failed') return style.red(text);
  if (status === 'skipped' || status === 'cancelled') return style.yellow(text);
  return text;
}
