import type { Issue } from './issue.ts';
import { isObject, rawTasks } from './job-data.ts';
import { didYouMean, listWords } from './suggest.ts';

/** Each name under a task's `uses:` must be one of the job's `resources:`. */
export function checkResources(data: unknown): Issue[] {
  const declared = isObject(data) && isObject(data.resources) ? Object.keys(data.resources) : [];
  const listed =
    declared.length === 0
      ? 'this job declares no resources (add them under resources:)'
      : `resources are ${listWords(declared)}`;
  const issues: Issue[] = [];
  for (const [id, task] of rawTasks(data)) {
    if (!Array.isArray(task.uses)) continue;
    task.uses.forEach((name: unknown, index) => {
      if (typeof name !== 'string' || declared.includes(name)) return;
      issues.push({
        path: ['tasks', id, 'uses', index],
        at: 'value',
        text: `unknown resource "${name}"; ${listed}${didYouMean(name, declared)}`,
      });
    });
  }
  return issues;
}
