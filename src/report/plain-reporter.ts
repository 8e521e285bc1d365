import type { ItemRecord } from '../results/types.ts';
import type { RunEvent } from '../run/events.ts';
import { formatDuration } from '../util/format-duration.ts';
import { truncate } from '../util/short-text.ts';
import { formatClock, formatItemError, itemLabel } from './format.ts';
import { formatEta, formatRate, taskProgress } from './progress.ts';
import { isFinalState, RunTally, type TaskTally } from './run-tally.ts';
import { formatSummary } from './summary.ts';
import { waitForFlush, type Reporter, type ReporterOptions } from './types.ts';

/** On a long run, plain prints a progress line per running task this often. */
export const PROGRESS_LINE_INTERVAL_MS = 10_000;

/**
 * `--output plain`: one timestamped line per task state change (marked `→`), per finished item
 * and per log message, then the summary; no escape codes, so it suits logs, CI and pipes. Every
 * `PROGRESS_LINE_INTERVAL_MS` (`JOBRUN_PROGRESS_INTERVAL_MS` in the environment overrides it) a
 * line per running task says how far it is: a run shorter than that prints none.
 *
 * @example
 * ```text
 * 14:02:07.050  service site  → starting
 * 14:02:07.110  service site  → ready  60.2ms
 * 14:02:07.114  fetch  → running  coroutine ×16, 100 items
 * 14:02:07.160  fetch[3]  ok  41.7ms
 * 14:02:08.201  fetch[7]  failed  TIMEOUT: attempt exceeded 1000ms  after 3 attempts
 * 14:02:08.310  fetch[9]  log  retrying with a smaller page
 * 14:02:17.114  fetch  progress  10.0s  97 ok, 1 failed of 100  9.8 items/s  ETA 1s
 * 14:02:17.950  fetch  → failed  10.8s  98 ok, 2 failed of 100
 * 14:02:17.990  service site  → stopped
 * ```
 */
export function createPlainReporter(options: ReporterOptions): Reporter {
  const { stdout } = options;
  const width = stdout.isTTY === true && stdout.columns ? stdout.columns : Number.POSITIVE_INFINITY;
  const tally = new RunTally();
  const write = (at: Date, text: string): void => {
    stdout.write(`${truncate(`${formatClock(at)}  ${text}`, width)}\n`);
  };
  let ticker: NodeJS.Timeout | undefined;
  const writeProgress = (): void => {
    const now = new Date();
    for (const task of tally.tasks.values()) {
      if (task.state === 'running') write(now, progressText(task, now.getTime()));
    }
  };
  return {
    onEvent(event) {
      tally.apply(event);
      for (const [at, text] of describe(event, tally)) write(at, text);
      if (event.type === 'run-started') {
        ticker = setInterval(writeProgress, progressInterval(options.env ?? process.env));
        // The progress lines alone never keep the process up.
        ticker.unref();
      } else if (event.type === 'run-finished') {
        clearInterval(ticker);
        stdout.write(`\n${formatSummary(tally, { width }).join('\n')}\n`);
      }
    },
    async close() {
      clearInterval(ticker);
      await waitForFlush(stdout);
    },
  };
}

/** `PROGRESS_LINE_INTERVAL_MS`, or the whole number of ms in `JOBRUN_PROGRESS_INTERVAL_MS`. */
function progressInterval(env: NodeJS.ProcessEnv): number {
  const value = Number(env.JOBRUN_PROGRESS_INTERVAL_MS);
  return Number.isSafeInteger(value) && value > 0 ? value : PROGRESS_LINE_INTERVAL_MS;
}

/**
 * How far a running task is: its elapsed time and, for a map task, its counts, rate and ETA
 * (`fetch  progress  10.0s  97 ok, 1 failed of 100  9.8 items/s  ETA 1s`).
 */
export function progressText(task: TaskTally, nowMs: number): string {
  const elapsed = task.startedAtMs === null ? '' : `  ${formatDuration(nowMs - task.startedAtMs)}`;
  let text = `${task.info.id}  progress${elapsed}`;
  if (!task.info.isMap) return text;
  text += `  ${countsText(task)}`;
  const { perSecond, etaMs } = taskProgress(task, nowMs);
  if (perSecond !== null) text += `  ${formatRate(perSecond)}`;
  if (etaMs !== null) text += `  ${formatEta(etaMs)}`;
  return text;
}

function describe(event: RunEvent, tally: RunTally): Array<[Date, string]> {
  switch (event.type) {
    case 'run-started':
      return [
        [
          new Date(event.startedAt),
          `run ${event.job} ${event.runId}  ${event.tasks.length} task${event.tasks.length === 1 ? '' : 's'}  results: ${event.resultsPath}`,
        ],
      ];
    case 'task-state': {
      const task = tally.tasks.get(event.task);
      let detail = '';
      if (task !== undefined && event.state === 'running') {
        const { kind, maxWorkers } = task.info.executor;
        const total =
          task.info.isMap && task.total !== null
            ? `, ${task.total} item${task.total === 1 ? '' : 's'}`
            : '';
        detail = `  ${kind} ×${maxWorkers}${total}`;
      } else if (task !== undefined && isFinalState(event.state)) {
        if (task.startedAtMs !== null && task.finishedAtMs !== null) {
          detail += `  ${formatDuration(task.finishedAtMs - task.startedAtMs)}`;
        }
        if (task.info.isMap) detail += `  ${countsText(task)}`;
      }
      return [[new Date(event.at), `${event.task}  → ${event.state}${detail}`]];
    }
    case 'item-finished': {
      const { startedAt, durationMs } = event.record;
      // A cached record's times are those of the run that made it.
      const at =
        startedAt === null || event.record.cached === true
          ? new Date()
          : new Date(Date.parse(startedAt) + durationMs);
      return [[at, recordText(event.record)]];
    }
    case 'log': {
      const label = itemLabel(event.task, event.index);
      const at = new Date(event.at);
      return event.message.split(/\r?\n/).map((line) => [at, `${label}  log  ${line}`]);
    }
    case 'run-interrupted':
      return [
        [
          new Date(event.at),
          event.force
            ? `interrupted again (${event.signal}): cancelling in-flight items`
            : `interrupted (${event.signal}): no new items start, waiting for in-flight items`,
        ],
      ];
    case 'service-state': {
      const ready = event.readyMs === undefined ? '' : `  ${formatDuration(event.readyMs)}`;
      const message = event.message === undefined ? '' : `  ${event.message}`;
      return [[new Date(event.at), `service ${event.service}  → ${event.state}${ready}${message}`]];
    }
    case 'task-waiting':
      return [[new Date(event.at), `${event.task}  waiting: ${event.on}`]];
    case 'task-total':
    case 'task-progress':
    case 'item-started':
    case 'run-finished':
      return [];
  }
}

function recordText(record: ItemRecord): string {
  const label = itemLabel(record.task, record.index);
  switch (record.status) {
    case 'ok': {
      if (record.cached === true) return `${label}  ok  cached`;
      const attempts = record.attempts > 1 ? `  after ${record.attempts} attempts` : '';
      return `${label}  ok  ${formatDuration(record.durationMs)}${attempts}`;
    }
    case 'failed': {
      const error = record.error === null ? 'no error given' : formatItemError(record.error);
      const { attempts } = record;
      // Nothing was attempted when the task's items could not be read at all.
      const after = attempts > 0 ? `  after ${attempts} attempt${attempts === 1 ? '' : 's'}` : '';
      return `${label}  failed  ${error}${after}`;
    }
    case 'skipped':
    case 'cancelled':
      return `${label}  ${record.status}`;
  }
}

function countsText(task: {
  ok: number;
  failed: number;
  skipped: number;
  cancelled: number;
  cached: number;
  total: number | null;
}): string {
  const cached = task.cached > 0 ? ` (${task.cached} cached)` : '';
  const parts = [`${task.ok} ok${cached}`, `${task.failed} failed`];
  if (task.skipped > 0) parts.push(`${task.skipped} skipped`);
  if (task.cancelled > 0) parts.push(`${task.cancelled} cancelled`);
  return parts.join(', ') + (task.total === null ? '' : ` of ${task.total}`);
}
