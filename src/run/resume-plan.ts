import { existsSync } from 'node:fs';
import { collectExpressions } from '../expr/collect-expressions.ts';
import { evaluateValue } from '../expr/evaluate.ts';
import type { Job, Task } from '../job/types.ts';
import { orderTasks } from '../plan/order.ts';
import { previousResultsPath } from '../results/previous-results.ts';
import { ResumeIndexFile, type ResumeIndex } from '../results/resume-index.ts';
import { errorMessage } from '../util/error-message.ts';
import { buildRequest, itemScope, type RequestSource } from './build-request.ts';
import { createItemKeyer } from './item-key.ts';
import { openStaticItemSource } from './item-source.ts';

/** What `--resume` would do with one task: items reused and to run, or why that is not known. */
export type ResumePlanEntry =
  { task: string; reused: number; toRun: number } | { task: string; unknown: string };

/** Whether any expression of `values` reads `tasks.…` (a result known only once upstream ran). */
function readsUpstream(values: unknown[]): boolean {
  return collectExpressions(values).some((ref) => ref.root === 'tasks');
}

/** Why a task's keys cannot be known before running, or `null` when they can. */
function unknownReason(task: Task): string | null {
  const action = task.action;
  const keyed: unknown[] = [task.hasWith && action.type === 'function' ? task.with : null];
  if (action.type === 'run') keyed.push(action.command);
  if (action.type === 'http') keyed.push(action.request);
  if (task.map?.form === 'from') return `streams the results of ${task.map.task}`;
  if (task.map?.form === 'expression' && readsUpstream([task.map.expression]))
    return 'its items are upstream results';
  if (readsUpstream(keyed)) return 'its action depends on upstream results';
  if (collectExpressions(keyed).some((ref) => ref.root === 'run'))
    return 'its action holds run.id or run.startedAt, new on every run: every item runs';
  return null;
}

async function planTask(
  job: Job,
  task: Task,
  index: ResumeIndex,
  source: RequestSource,
): Promise<ResumePlanEntry> {
  const reason = unknownReason(task);
  if (reason !== null) return { task: task.id, unknown: reason };
  let items: Iterable<unknown> | AsyncIterable<unknown>;
  const map = task.map;
  try {
    if (map === undefined) items = [null];
    else if (map.form === 'expression') {
      const value = evaluateValue(map.expression, itemScope(source, undefined, null));
      if (!Array.isArray(value))
        return { task: task.id, unknown: `map: ${map.expression} is no list` };
      items = value;
    } else if (map.form === 'from') return { task: task.id, unknown: 'streamed' };
    else items = (await openStaticItemSource(map)).items;
  } catch (error) {
    return { task: task.id, unknown: errorMessage(error) };
  }
  const keyer = await createItemKeyer(task, job.dir);
  let reused = 0;
  let toRun = 0;
  let position = 0;
  for await (const item of items) {
    const itemIndex = map === undefined ? null : position++;
    let key: string | null;
    try {
      key = keyer.keyOf(buildRequest(source, task, item, itemIndex, 1));
    } catch {
      key = null;
    }
    if (key !== null && index.find(key) !== null) reused++;
    else toRun++;
  }
  return { task: task.id, reused, toRun };
}

/** Finds a key in any of several indexes (the results file and a kept previous one). */
function eitherIndex(indexes: ResumeIndexFile[]): ResumeIndex {
  return {
    size: indexes.reduce((sum, index) => sum + index.size, 0),
    hasKeyless: indexes.some((index) => index.hasKeyless),
    find: (key) => {
      for (const index of indexes) {
        const record = index.find(key);
        if (record !== null) return record;
      }
      return null;
    },
    close: () => {
      for (const index of indexes) index.close();
    },
  };
}

/**
 * Per task, how many items `--resume` would reuse and how many it would run, read from the
 * results file (and the previous one a stopped resume kept) without changing either. Tasks whose
 * items or action depend on upstream results say so instead of a number.
 */
export async function planResume(
  job: Job,
  resultsPath: string,
): Promise<{ entries: ResumePlanEntry[]; hasKeyless: boolean } | null> {
  const files = [previousResultsPath(resultsPath), resultsPath].filter((file) => existsSync(file));
  if (files.length === 0) return null;
  const index = eitherIndex(files.map((file) => new ResumeIndexFile(file)));
  try {
    const source: RequestSource = {
      job,
      runId: '',
      startedAt: '',
      env: process.env,
      outputs: {},
    };
    const entries: ResumePlanEntry[] = [];
    for (const task of orderTasks(job.tasks))
      entries.push(await planTask(job, task, index, source));
    return { entries, hasKeyless: index.hasKeyless };
  } finally {
    index.close();
  }
}

/** `planResume` as the lines `--resume --dry-run` prints after the plan. */
export async function formatResumePlan(job: Job, resultsPath: string): Promise<string> {
  if (/<run-id>|<started-at>/.test(resultsPath)) {
    return `--resume: the results path changes with every run (run.id or run.startedAt in it): every item would run\n`;
  }
  const plan = await planResume(job, resultsPath);
  if (plan === null)
    return `--resume: no previous results file ${resultsPath}; every item would run\n`;
  const width = Math.max(...plan.entries.map((entry) => entry.task.length));
  const lines = [`--resume: from ${resultsPath}`];
  if (plan.hasKeyless) lines.push(`  ${keylessNotice(resultsPath)}`);
  for (const entry of plan.entries) {
    const text =
      'unknown' in entry
        ? `not known before running: ${entry.unknown}`
        : `${entry.reused} reused, ${entry.toRun} to run`;
    lines.push(`  ${entry.task.padEnd(width)}  ${text}`);
  }
  return lines.join('\n') + '\n';
}

/** What `--resume` says of a results file with `ok` records that have no item key. */
export function keylessNotice(resultsPath: string): string {
  return `${resultsPath} has ok records without item keys (written by an older jobrun): their items run again`;
}
