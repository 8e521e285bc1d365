import { formatDuration } from '../util/format-duration.ts';
import { shortItem, truncate } from '../util/short-text.ts';
import { fitWidth, itemLabel } from './format.ts';
import { progressParts } from './progress.ts';
import { topErrorGroup, type RunTally, type ServiceTally, type TaskTally } from './run-tally.ts';
import type { Style } from './style.ts';

/** How the live listing lays out one frame. */
export interface RowLayout {
  /** Width of the task id column: the longest id. */
  idWidth: number;
  /** Columns available to a row's text (after its icon and indentation). */
  width: number;
  nowMs: number;
  style: Style;
  /** The listing's last frame: a row still running then shows no rate or ETA. */
  isFinal?: boolean;
}

/** What a frame of the listing needs besides the tally. */
export interface FrameOptions {
  /** Terminal size; a pseudo-terminal without a size reports 0, read as 80×24. */
  columns: number;
  rows: number;
  nowMs: number;
  style: Style;
  /** The spinner's current character, for running rows. */
  spinner: string;
  /**
   * The last frame: no items in flight, and a row the run never ended (it stopped early) shows as
   * skipped, keeping its last text.
   */
  isFinal: boolean;
}

/** Spinner characters, one per frame (listr2's and ora's `dots`). */
export const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/** Rows the listing keeps free besides tasks and their error lines (prompt, final newline). */
const SPARE_ROWS = 2;
/** The icon and its space before a row's text. */
const ROW_INDENT = 2;
/** `  › ` before the lines under a row. */
const OUTPUT_INDENT = 4;

/**
 * The lines of one frame of the live listing: first a row per service of the job (starting,
 * ready, stopped; failed or exited with what happened under it), then per task in dependency order, an icon (waiting ◼,
 * running spinner, ok ✔, failed ✖, skipped or cancelled ↓) and its row; under a running map task
 * its items in flight, under a failed task its most frequent error. No line is wider than the
 * terminal less two columns, so none wraps.
 */
export function listingLines(tally: RunTally, options: FrameOptions): string[] {
  const { style, isFinal } = options;
  const columns = options.columns || 80;
  const layout: RowLayout = {
    idWidth: Math.max(
      0,
      ...[...tally.tasks.keys(), ...tally.services.keys()].map((id) => id.length),
    ),
    width: Math.max(10, columns - ROW_INDENT - 2),
    nowMs: options.nowMs,
    style,
    isFinal,
  };
  const under = { ...layout, width: layout.width - (OUTPUT_INDENT - ROW_INDENT) };
  const budget = isFinal ? new Map<string, number>() : inFlightBudget(tally, options.rows || 24);
  const lines: string[] = [];
  for (const service of tally.services.values()) {
    lines.push(`${serviceIcon(service, options)} ${serviceRow(service, layout)}`);
    if (service.message !== null) lines.push(`  › ${fitWidth(service.message, under.width)}`);
  }
  for (const task of tally.tasks.values()) {
    const { state } = task;
    const isOpen = state === 'waiting' || state === 'running';
    let icon: string;
    if (isOpen && isFinal) icon = style.yellow('↓');
    else if (state === 'waiting') icon = style.dim('◼');
    else if (state === 'running') icon = style.yellow(options.spinner);
    else if (state === 'ok') icon = style.green('✔');
    else if (state === 'failed') icon = style.red('✖');
    else icon = style.yellow('↓');
    lines.push(`${icon} ${taskRow(task, layout)}`);

    const below: string[] = [];
    if (state === 'failed') below.push(fitWidth(errorLine(task), under.width));
    else if (state === 'running' && !isFinal) {
      if (tally.interrupted !== null) {
        const { signal, force } = tally.interrupted;
        const text = force
          ? `${signal} again: cancelling items in flight`
          : `${signal}: finishing items in flight (again to cancel them)`;
        below.push(fitWidth(text, under.width));
      }
      below.push(...inFlightLines(task, budget.get(task.info.id) ?? 0, under));
    }
    below.forEach((line, i) => lines.push(`${i === 0 ? '  › ' : '    '}${line}`));
  }
  return lines;
}

function serviceIcon(service: ServiceTally, options: FrameOptions): string {
  const { style } = options;
  switch (service.state) {
    case 'starting':
      return options.isFinal ? style.yellow('↓') : style.yellow(options.spinner);
    case 'ready':
      return style.green('●');
    case 'stopped':
      return style.green('✔');
    case 'failed':
    case 'exited':
      return style.red('✖');
    case 'skipped':
      return style.yellow('↓');
  }
}

/**
 * The row of a service, above the tasks: its name, `service`, its state and how long it took
 * to become ready.
 *
 * @example serviceRow(site, layout) // 'site    service  ready in 61.2ms'
 */
export function serviceRow(service: ServiceTally, layout: RowLayout): string {
  const { style } = layout;
  const paint =
    service.state === 'failed' || service.state === 'exited'
      ? style.red
      : service.state === 'starting' || service.state === 'skipped'
        ? style.yellow
        : style.green;
  const state =
    service.state === 'ready' && service.readyMs !== null
      ? `ready in ${formatDuration(service.readyMs)}`
      : service.state;
  const parts: Array<[string, string]> = [
    [service.name.padEnd(layout.idWidth), style.bold(service.name.padEnd(layout.idWidth))],
    ['service', style.dim('service')],
    [state, paint(state)],
  ];
  return fitParts(parts, layout.width);
}

/** Screen rows left for in-flight lines, shared by the running map tasks. */
function inFlightBudget(tally: RunTally, screenRows: number): Map<string, number> {
  const tasks = [...tally.tasks.values()];
  const running = tasks.filter(
    (task) => task.state === 'running' && (task.inFlight.size > 0 || task.lastLog !== null),
  );
  const fixedRows =
    tasks.length +
    tasks.filter((task) => task.state === 'failed').length +
    [...tally.services.values()].reduce((rows, s) => rows + (s.message === null ? 1 : 2), 0);
  const free = Math.max(0, screenRows - fixedRows - SPARE_ROWS);
  const share = running.length === 0 ? 0 : Math.floor(free / running.length);
  return new Map(
    running.map((task) => [task.info.id, Math.min(share, task.info.executor.maxWorkers + 1)]),
  );
}

/**
 * The text of a task's row: id, progress of a map task (`37/100  ✔ 35  ✖ 2`, the total once
 * known), a state word where the icon alone is ambiguous, the executor kind, the elapsed time and,
 * while a map task runs, its rate and the time left (`12 items/s  ETA 5s`, the ETA once the total
 * is known).
 *
 * @example taskRow(fetch, layout) // 'fetch   37/100  ✔ 35  ✖ 2  coroutine  3.1s  12 items/s  ETA 6s'
 */
export function taskRow(task: TaskTally, layout: RowLayout): string {
  const { style } = layout;
  const parts: Array<[plain: string, painted: string]> = [];
  const add = (plain: string, paint: (text: string) => string = (text) => text): void => {
    parts.push([plain, paint(plain)]);
  };
  add(task.info.id.padEnd(layout.idWidth), style.bold);
  const { state } = task;
  if (task.info.isMap && state !== 'waiting' && state !== 'skipped') {
    const done = task.ok + task.failed + task.skipped + task.cancelled;
    add(task.total === null ? `${done}` : `${done}/${task.total}`);
    add(`✔ ${task.ok}`, style.green);
    if (task.cached > 0) add(`${task.cached} cached`, style.dim);
    if (task.failed > 0) add(`✖ ${task.failed}`, style.red);
    if (task.cancelled > 0) add(`⊘ ${task.cancelled}`, style.yellow);
  }
  if (state === 'running' && (task.waitingOn ?? null) !== null && layout.isFinal !== true) {
    add(`waiting: ${task.waitingOn}`, style.yellow);
  }
  if (state === 'failed') add('failed', style.red);
  else if (state === 'waiting' || state === 'skipped' || state === 'cancelled') {
    add(state, style.yellow);
  } else if (state === 'ok' && !task.info.isMap) add('done', style.green);
  if (state !== 'skipped') add(task.info.executor.kind, style.dim);
  if (task.startedAtMs !== null) {
    add(formatDuration((task.finishedAtMs ?? layout.nowMs) - task.startedAtMs), style.dim);
  }
  if (task.info.isMap && state === 'running' && layout.isFinal !== true) {
    for (const part of progressParts(task, layout.nowMs)) add(part);
  }
  return fitParts(parts, layout.width);
}

/**
 * The lines under a running task: the attempts in flight, oldest first (`#3  https://…  1.2s`),
 * at most `limit` of them, then `… 12 more in flight`; and the last `ctx.log` message.
 */
export function inFlightLines(task: TaskTally, limit: number, layout: RowLayout): string[] {
  const lines: string[] = [];
  const budget = task.lastLog === null ? limit : limit - 1;
  const inFlight = task.inFlight.size;
  const shown = inFlight > budget ? Math.max(0, budget - 1) : inFlight;
  if (shown > 0) {
    let count = 0;
    for (const attempt of task.inFlight.values()) {
      if (count === shown) break;
      count += 1;
      const label = attempt.index === null ? 'running' : `#${attempt.index}`;
      const retry = attempt.attempt > 1 ? `  (attempt ${attempt.attempt})` : '';
      const elapsed = formatDuration(layout.nowMs - Date.parse(attempt.at));
      const itemWidth = Math.max(
        8,
        layout.width - label.length - elapsed.length - retry.length - 6,
      );
      const item = attempt.index === null ? '' : `  ${shortItem(attempt.item, itemWidth)}`;
      lines.push(fitWidth(`${label}${item}  ${elapsed}${retry}`, layout.width));
    }
  }
  if (inFlight > shown && budget > 0) lines.push(`… ${inFlight - shown} more in flight`);
  if (task.lastLog !== null && limit > 0) {
    lines.push(fitWidth(`log: ${task.lastLog.replace(/\s+/g, ' ')}`, layout.width));
  }
  return lines;
}

/**
 * The line under a failed task: its most frequent kind of error with its count and first item,
 * e.g. `×98  HTTP_STATUS: Response code 503 (Service Unavailable) (first: fetch[3]; +1 other kind)`.
 */
export function errorLine(task: TaskTally): string {
  const top = topErrorGroup(task);
  if (top === null) return task.firstError ?? 'failed';
  const others = task.errorGroups.size - 1 + (task.ungroupedErrors > 0 ? 1 : 0);
  const label = itemLabel(task.info.id, top.firstIndex);
  if (top.count === 1 && others === 0) return `${top.text} (${label})`;
  const more = others > 0 ? `; +${others} other kind${others === 1 ? '' : 's'}` : '';
  return `×${top.count}  ${top.text} (first: ${label}${more})`;
}

/** Joins parts with two spaces, cutting the plain text to `width` and keeping colours. */
function fitParts(parts: Array<[string, string]>, width: number): string {
  let used = 0;
  const out: string[] = [];
  for (const [plain, painted] of parts) {
    const gap = out.length === 0 ? 0 : 2;
    if (used + gap + plain.length <= width) {
      out.push(painted);
      used += gap + plain.length;
      continue;
    }
    const room = width - used - gap;
    if (room >= 2) out.push(truncate(plain, room));
    break;
  }
  return out.join('  ');
}
