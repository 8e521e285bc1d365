import type { Issue } from './issue.ts';
import { rawFrom, rawNeeds, rawTasks } from './job-data.ts';
import { didYouMean, listWords } from './suggest.ts';

/** The direct upstream tasks of each task (`needs` plus `map.from`), known ids only. */
export function directUpstream(data: unknown): Map<string, string[]> {
  const tasks = rawTasks(data);
  const ids = new Set(tasks.map(([id]) => id));
  const graph = new Map<string, string[]>();
  for (const [id, task] of tasks) {
    const from = rawFrom(task);
    const deps = [...rawNeeds(task).map(([, need]) => need), ...(from === undefined ? [] : [from])];
    graph.set(id, [...new Set(deps.filter((dep) => ids.has(dep)))]);
  }
  return graph;
}

/** Every task upstream of `id`, transitively. Safe on cycles. */
export function upstreamOf(graph: ReadonlyMap<string, readonly string[]>, id: string): Set<string> {
  const seen = new Set<string>();
  const stack = [...(graph.get(id) ?? [])];
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    if (seen.has(next)) continue;
    seen.add(next);
    stack.push(...(graph.get(next) ?? []));
  }
  return seen;
}

/** Unknown `needs` and `map.from` targets (with a did-you-mean) and dependency cycles. */
export function checkGraph(data: unknown): Issue[] {
  const tasks = rawTasks(data);
  const ids = tasks.map(([id]) => id);
  const issues: Issue[] = [];
  const unknown = (target: string): string =>
    `unknown task "${target}"; tasks are ${listWords(ids)}${didYouMean(target, ids)}`;
  for (const [id, task] of tasks) {
    for (const [index, need] of rawNeeds(task)) {
      if (!ids.includes(need))
        issues.push({ path: ['tasks', id, 'needs', index], at: 'value', text: unknown(need) });
    }
    const from = rawFrom(task);
    if (from !== undefined && !ids.includes(from)) {
      issues.push({ path: ['tasks', id, 'map', 'from'], at: 'value', text: unknown(from) });
    }
  }
  for (const cycle of findCycles(directUpstream(data), ids)) {
    issues.push({
      path: ['tasks', cycle[0] ?? ''],
      at: 'key',
      text: `dependency cycle ${cycle.join(' → ')}; a task cannot wait for itself, remove one of these needs`,
    });
  }
  return issues;
}

/** Each cycle once, as a path that returns to its start, e.g. `[a, b, a]`; starts in file order. */
function findCycles(
  graph: ReadonlyMap<string, readonly string[]>,
  ids: readonly string[],
): string[][] {
  const cycles: string[][] = [];
  const done = new Set<string>();
  const onPath: string[] = [];
  const visit = (id: string): void => {
    const at = onPath.indexOf(id);
    if (at !== -1) {
      cycles.push([...onPath.slice(at), id]);
      return;
    }
    if (done.has(id)) return;
    onPath.push(id);
    for (const dep of graph.get(id) ?? []) visit(dep);
    onPath.pop();
    done.add(id);
  };
  for (const id of ids) visit(id);
  return cycles;
}
