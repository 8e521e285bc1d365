import type { Task } from '../job/types.ts';

/**
 * Tasks in dependency order: each after everything it needs, otherwise in file order. The job is
 * validated first, so there are no cycles; a cycle here is a bug and throws.
 */
export function orderTasks(tasks: readonly Task[]): Task[] {
  const placed = new Set<string>();
  const ordered: Task[] = [];
  while (ordered.length < tasks.length) {
    const next = tasks.find(
      (task) => !placed.has(task.id) && task.needs.every((need) => placed.has(need)),
    );
    if (next === undefined) throw new Error('jobrun: dependency cycle in a validated job');
    placed.add(next.id);
    ordered.push(next);
  }
  return ordered;
}
