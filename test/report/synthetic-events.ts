import { PassThrough } from 'node:stream';
import type { ItemRecord, SummaryRecord, TaskSummary } from '../../src/results/types.ts';
import type { RunEvent, TaskInfo } from '../../src/run/events.ts';

/** A stream that keeps what is written to it, posing as a terminal of the given size or not. */
export function captureStream(tty?: { columns: number; rows: number }): PassThrough & {
  text(): string;
  isTTY?: boolean;
  columns?: number;
  rows?: number;
} {
  const stream = new PassThrough() as PassThrough & {
    text(): string;
    isTTY?: boolean;
    columns?: number;
    rows?: number;
  };
  let text = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => (text += chunk));
  stream.text = () => text;
  if (tty !== undefined) Object.assign(stream, { isTTY: true, ...tty });
  return stream;
}

const AT = '2026-03-01T12:00:00.000Z';
const at = (ms: number): string => new Date(Date.parse(AT) + ms).toISOString();

export function mapTask(id: string, total: number | null, needs: string[] = []): TaskInfo {
  return { id, needs, executor: { kind: 'coroutine', maxWorkers: 4 }, isMap: true, total };
}

export function singleTask(id: string, needs: string[] = []): TaskInfo {
  return { id, needs, executor: { kind: 'process', maxWorkers: 2 }, isMap: false, total: 1 };
}

export function itemRecord(
  task: string,
  index: number | null,
  status: ItemRecord['status'],
  error: ItemRecord['error'] = null,
): ItemRecord {
  return {
    type: 'item',
    task,
    index,
    item: index === null ? null : `item-${index}`,
    status,
    result: status === 'ok' ? index : null,
    error,
    attempts: status === 'skipped' ? 0 : 1,
    startedAt: status === 'skipped' ? null : AT,
    durationMs: status === 'skipped' ? 0 : 41.73,
    worker: status === 'skipped' ? null : 'coroutine',
    key: null,
  };
}

/**
 * A whole run: map task `fetch` of `total` items where items listed in `failing` time out, and
 * task `report` needing it (skipped when `fetch` failed).
 */
export function fetchThenReport(
  total: number,
  failing: ReadonlySet<number> = new Set(),
): RunEvent[] {
  const events: RunEvent[] = [
    {
      type: 'run-started',
      job: 'crawl',
      runId: 'run-1',
      startedAt: AT,
      resultsPath: '/tmp/results/crawl.jsonl',
      tasks: [mapTask('fetch', total), singleTask('report', ['fetch'])],
    },
    { type: 'task-state', task: 'fetch', state: 'running', at: at(0) },
    { type: 'task-state', task: 'report', state: 'waiting', at: at(0) },
  ];
  for (let index = 0; index < total; index += 1) {
    events.push({
      type: 'item-started',
      task: 'fetch',
      index,
      item: `item-${index}`,
      attempt: 1,
      worker: 'coroutine',
      at: at(index),
    });
    const isFailing = failing.has(index);
    const error = isFailing
      ? { code: 'TIMEOUT' as const, message: 'attempt exceeded 1000ms' }
      : null;
    events.push({
      type: 'item-finished',
      record: itemRecord('fetch', index, isFailing ? 'failed' : 'ok', error),
    });
  }
  const fetchFailed = failing.size > 0;
  const fetch: TaskSummary = {
    status: fetchFailed ? 'failed' : 'ok',
    ok: total - failing.size,
    failed: failing.size,
    skipped: 0,
    cancelled: 0,
    cached: 0,
    total,
  };
  events.push({
    type: 'task-state',
    task: 'fetch',
    state: fetch.status,
    at: at(2000),
    counts: fetch,
  });
  let report: TaskSummary;
  if (fetchFailed) {
    events.push({ type: 'item-finished', record: itemRecord('report', null, 'skipped') });
    report = { status: 'skipped', ok: 0, failed: 0, skipped: 1, cancelled: 0, cached: 0, total: 1 };
    events.push({
      type: 'task-state',
      task: 'report',
      state: 'skipped',
      at: at(2000),
      counts: report,
    });
  } else {
    events.push({ type: 'task-state', task: 'report', state: 'running', at: at(2000) });
    events.push({
      type: 'item-started',
      task: 'report',
      index: null,
      item: null,
      attempt: 1,
      worker: 'process-42',
      at: at(2000),
    });
    events.push({ type: 'item-finished', record: itemRecord('report', null, 'ok') });
    report = { status: 'ok', ok: 1, failed: 0, skipped: 0, cancelled: 0, cached: 0, total: 1 };
    events.push({ type: 'task-state', task: 'report', state: 'ok', at: at(2300), counts: report });
  }
  const summary: SummaryRecord = {
    type: 'summary',
    status: fetchFailed ? 'failed' : 'ok',
    tasks: { fetch, report },
    durationMs: 2300,
    finishedAt: at(2300),
  };
  events.push({ type: 'run-finished', summary, resultsPath: '/tmp/results/crawl.jsonl' });
  return events;
}

/** Any ANSI escape sequence. */
export const ESCAPE = /\u001B\[/;
