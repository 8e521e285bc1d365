import type { Issue } from './issue.ts';
import { isObject, rawTasks } from './job-data.ts';

/**
 * Rules between fields that the schema states poorly: `json` with `body`, a `range` step of 0,
 * `env:` on a task that runs no command.
 */
export function checkShapes(data: unknown): Issue[] {
  const issues: Issue[] = [];
  for (const [id, task] of rawTasks(data)) {
    if (isObject(task.http) && 'json' in task.http && 'body' in task.http) {
      issues.push({
        path: ['tasks', id, 'http'],
        at: 'value',
        text: 'expected either json or body, found both; json sends a value as JSON, body sends text',
      });
    }
    if (isObject(task.env) && !('run' in task)) {
      // A function may run beside others in one process (coroutine): a per-task environment
      // could not be its alone. The job's env: reaches every function.
      issues.push({
        path: ['tasks', id, 'env'],
        at: 'key',
        text: "expected env: only on a run task (it is the command's environment); functions read the job's env: from process.env, so move the variables there",
      });
    }
    if (isObject(task.map) && Array.isArray(task.map.range) && task.map.range[2] === 0) {
      issues.push({
        path: ['tasks', id, 'map', 'range', 2],
        at: 'value',
        text: 'expected a step other than 0 in [start, stop, step], found 0',
      });
    }
  }
  return issues;
}
