import { formatDuration, shortItem, truncate } from './format.ts';
import type { TaskTally } from './run-tally.ts';
import type { Style } from './style.ts';

/** How the live listing lays out one frame. */
export interface RowLayout {
  /** Width of the task id column: the longest id. */
  idWidth: number;
  /** Columns available to a row (after listr2's icon and indentation). */
  width: number;
  nowMs: number;
  style: Style;
}

/**
 * The text of a task's row: id, progress of a map task (`37/100  ✔ 35  ✖ 2`, the total once
 * known), a state word where the icon alone is ambiguous, the executor kind and the elapsed time.
 *
 * @example taskRow(fetch, layout) // 'fetch   37/100  ✔ 35  ✖ 2  coroutine  3.1s'
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
    if (task.failed > 0) add(`✖ ${task.failed}`, style.red);
    if (task.cancelled > 0) add(`⊘ ${task.cancelled}`, style.yellow);
  }
  if (state === 'failed') add('failed', style.red);
  else if (state === 'waiting' || state === 'skipped' || state === 'cancelled') {
    add(state, style.yellow);
  } else if (state === 'ok' && !task.info.isMap) add('done', style.green);
  if (state !== 'skipped') add(task.info.executor.kind, style.dim);
  if (task.startedAtMs !== null) {
    add(formatDuration((task.finishedAtMs ?? layout.nowMs) - task.startedAtMs), style.dim);
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
      const elapsed = formatDuration(layout.nowMs - attempt.sinceMs);
      const itemWidth = Math.max(
        8,
        layout.width - label.length - elapsed.length - retry.length - 6,
      );
      const item = attempt.index === null ? '' : `  ${shortItem(attempt.item, itemWidth)}`;
      lines.push(truncate(`${label}${item}  ${elapsed}${retry}`, layout.width));
    }
  }
  if (inFlight > shown && budget > 0) lines.push(`… ${inFlight - shown} more in flight`);
  if (task.lastLog !== null && limit > 0) {
    lines.push(truncate(`log: ${task.lastLog.replace(/\s+/g, ' ')}`, layout.width));
  }
  return lines;
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
