import type { ExecutorConfig, ExecutorSetting, Job, MapSpec } from '../job/types.ts';
import { formatDuration } from '../util/format-duration.ts';
import { knownItemCount } from './item-count.ts';
import { orderTasks } from './order.ts';
import { resolveExecutor } from './resolve-executor.ts';

/** One task of a plan, as `--dry-run` prints it. */
export interface PlannedTask {
  id: string;
  needs: string[];
  executor: ExecutorConfig;
  action: 'function' | 'run' | 'http';
  /** The map form, or `null` for a task that runs once. */
  map: MapSpec['form'] | null;
  /** Items known before running: 1 for a task without map, `null` when only the run can tell. */
  items: number | null;
}

/** What a run would do, without running anything. */
export function planJob(job: Job, override: ExecutorSetting = {}): PlannedTask[] {
  return orderTasks(job.tasks).map((task) => ({
    id: task.id,
    needs: task.needs,
    executor: resolveExecutor(job.executor, task.executor, override),
    action: task.action.type,
    map: task.map?.form ?? null,
    items: task.map === undefined ? 1 : knownItemCount(task.map),
  }));
}

/**
 * The plan as text: a line per service (started first, all at once), then one line per task in
 * dependency order.
 */
export function formatPlan(
  job: Job,
  plan: readonly PlannedTask[],
  resultsPath: string,
  options: { skipServices?: boolean } = {},
): string {
  const width = Math.max(...plan.map((task) => task.id.length));
  const lines = [
    `job ${job.name}: ${plan.length} task${plan.length === 1 ? '' : 's'}, results ${resultsPath}`,
  ];
  const serviceWidth = Math.max(0, ...job.services.map((service) => service.name.length));
  for (const service of job.services) {
    const ready =
      service.ready.kind === 'http'
        ? `http ${service.ready.url}`
        : service.ready.kind === 'tcp'
          ? `tcp ${service.ready.address}`
          : `log ${JSON.stringify(service.ready.text)}`;
    const state =
      options.skipServices === true
        ? 'skipped (--no-services)'
        : `ready: ${ready} within ${formatDuration(service.timeoutMs)}`;
    lines.push(`  service ${service.name.padEnd(serviceWidth)}  ${service.run}  ${state}`);
  }
  plan.forEach((task, position) => {
    const items =
      task.map === null
        ? 'once'
        : `map ${task.map}, ${task.items === null ? 'items known at run time' : `${task.items} items`}`;
    const needs = task.needs.length > 0 ? `  after ${task.needs.join(', ')}` : '';
    lines.push(
      `${String(position + 1).padStart(3)}. ${task.id.padEnd(width)}  ${task.action.padEnd(8)}  ` +
        `${task.executor.kind} ×${task.executor.maxWorkers}  ${items}${needs}`,
    );
  });
  return lines.join('\n') + '\n';
}
