import type { Issue } from './issue.ts';
import { isObject, rawTasks } from './job-data.ts';

const NO_CONNECTION =
  "a queue executor needs `connection: redis://HOST:PORT` (here, on the job's executor, with " +
  '--connection URL or in JOBRUN_REDIS_URL)';

/**
 * A `queue` executor must know its Redis: from its own `connection:`, from the job's executor
 * (for a task's), or from the command line or environment (`hasConnection`), which wins over both.
 */
export function checkExecutors(data: unknown, hasConnection: boolean): Issue[] {
  if (hasConnection || !isObject(data)) return [];
  const jobExecutor = isObject(data.executor) ? data.executor : {};
  const issues: Issue[] = [];
  if (jobExecutor.kind === 'queue' && jobExecutor.connection === undefined) {
    issues.push({ path: ['executor'], at: 'value', text: NO_CONNECTION });
  }
  for (const [id, task] of rawTasks(data)) {
    const executor = task.executor;
    if (!isObject(executor) || executor.kind !== 'queue') continue;
    if (executor.connection === undefined && jobExecutor.connection === undefined) {
      issues.push({ path: ['tasks', id, 'executor'], at: 'value', text: NO_CONNECTION });
    }
  }
  return issues;
}
