import { checkReference, type ReferenceContext } from '../expr/check-reference.ts';
import { walkStrings, type DataPath } from '../expr/collect-expressions.ts';
import { ExpressionSyntaxError } from '../expr/expression-syntax-error.ts';
import { hasExpression, parseTemplate } from '../expr/parse-template.ts';
import { directUpstream, upstreamOf } from './check-graph.ts';
import type { Issue } from './issue.ts';
import { isObject, rawTasks } from './job-data.ts';

/** The parts of a task where `${{ … }}` is evaluated. */
const TASK_PLACES = ['with', 'run', 'http'] as const;

/**
 * Expressions that do not parse or name what will not exist when they are evaluated: unknown
 * roots, undeclared vars, `item` outside a map task, `tasks.X` not upstream. Each issue points at
 * the string holding the expression.
 */
export function checkExpressions(data: unknown): Issue[] {
  if (!isObject(data)) return [];
  const issues: Issue[] = [];
  const tasks = rawTasks(data);
  const graph = directUpstream(data);
  const base = {
    vars: isObject(data.vars) ? Object.keys(data.vars) : [],
    taskIds: tasks.map(([id]) => id),
  };
  const check = (text: string, path: DataPath, context: ReferenceContext): void => {
    if (!hasExpression(text)) return;
    try {
      const template = parseTemplate(text);
      // A map string not starting and ending with the braces is the schema's to report.
      if (context.place === 'map' && !template.isWhole && /^\$\{\{.*\}\}$/s.test(text)) {
        issues.push({
          path,
          at: 'value',
          text: `expected exactly one "\${{ … }}" expression that yields a list, found text around it: ${JSON.stringify(text)}`,
        });
      }
      for (const part of template.parts) {
        if (typeof part === 'string') continue;
        const problem = checkReference(part, context);
        if (problem !== null) issues.push({ path, at: 'value', text: problem });
      }
    } catch (error) {
      if (!(error instanceof ExpressionSyntaxError)) throw error;
      issues.push({ path, at: 'value', text: error.message });
    }
  };

  if (typeof data.results === 'string') {
    check(data.results, ['results'], {
      ...base,
      place: 'results',
      isMapTask: false,
      upstream: new Set(),
    });
  }
  for (const [id, task] of tasks) {
    const context: ReferenceContext = {
      ...base,
      place: 'task',
      taskId: id,
      isMapTask: task.map !== undefined,
      upstream: upstreamOf(graph, id),
    };
    for (const place of TASK_PLACES) {
      walkStrings(task[place], (text, path) => check(text, ['tasks', id, place, ...path], context));
    }
    if (typeof task.map === 'string')
      check(task.map, ['tasks', id, 'map'], { ...context, place: 'map' });
  }
  return issues;
}
