import { walkStrings, type DataPath } from '../expr/collect-expressions.ts';
import { ExpressionSyntaxError } from '../expr/expression-syntax-error.ts';
import {
  hasExpression,
  parseTemplate,
  type ExpressionRef,
  type Template,
} from '../expr/parse-template.ts';
import { REFUSED_SPOTS, shellSlots } from '../expr/shell-context.ts';
import { directUpstream, upstreamOf } from './check-graph.ts';
import { checkReference, type ReferenceContext } from './check-reference.ts';
import type { Issue } from './issue.ts';
import { isObject, rawTasks } from './job-data.ts';

/** The parts of a task where `${{ … }}` is evaluated. */
const TASK_PLACES = ['with', 'run', 'http', 'env'] as const;

/**
 * Expressions that do not parse or name what will not exist when they are evaluated: unknown
 * roots, undeclared vars, `item` outside a map task, `tasks.X` not upstream; and expressions of a
 * `run:` command standing where their value cannot be inserted as literal text. Each issue
 * points at the string holding the expression, or at the expression itself.
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
  const check = (
    text: string,
    path: DataPath,
    context: ReferenceContext,
    isCommand = false,
  ): void => {
    if (!hasExpression(text)) return;
    try {
      const template = parseTemplate(text);
      if (isCommand) issues.push(...shellIssues(template, path));
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
  if (isObject(data.env)) {
    const context: ReferenceContext = {
      ...base,
      place: 'env',
      isMapTask: false,
      upstream: new Set(),
    };
    walkStrings(data.env, (text, path) => check(text, ['env', ...path], context));
  }
  if (isObject(data.services)) {
    const context: ReferenceContext = {
      ...base,
      place: 'service',
      isMapTask: false,
      upstream: new Set(),
    };
    for (const [name, service] of Object.entries(data.services)) {
      if (!isObject(service)) continue;
      for (const place of ['env', 'ready'] as const) {
        walkStrings(service[place], (text, path) =>
          check(text, ['services', name, place, ...path], context),
        );
      }
    }
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
      walkStrings(task[place], (text, path) =>
        check(text, ['tasks', id, place, ...path], context, place === 'run' && path.length === 0),
      );
    }
    if (typeof task.map === 'string')
      check(task.map, ['tasks', id, 'map'], { ...context, place: 'map' });
  }
  return issues;
}

/** The expressions of a `run:` command that stand where no escaping makes a value literal. */
function shellIssues(template: Template, path: DataPath): Issue[] {
  const issues: Issue[] = [];
  const refs = template.parts.filter((part): part is ExpressionRef => typeof part !== 'string');
  shellSlots(template).forEach((slot, position) => {
    const ref = refs[position];
    if (slot.kind !== 'refused' || ref === undefined) return;
    issues.push({
      path,
      at: 'value',
      offset: ref.offset,
      text: `"\${{ ${ref.source} }}" stands ${slot.spot}, where jobrun cannot insert a value as literal text; ${shellFix(ref, slot.spot)}`,
    });
  });
  return issues;
}

/** How to get the same value into the command safely. */
function shellFix(ref: ExpressionRef, spot: string): string {
  if (spot === REFUSED_SPOTS.comment) return 'remove it from the comment';
  if (spot === REFUSED_SPOTS.heredocWord) return 'write the here-document delimiter as plain text';
  const first = ref.steps[0];
  if (ref.root === 'env' && ref.steps.length === 1 && first !== undefined && 'key' in first) {
    return `write "$${first.key}" there instead: it is in the command's environment already`;
  }
  const name = envNameFor(ref);
  const viaEnv = `pass the value with env: (env: { ${name}: "\${{ ${ref.source} }}" }) and write "$${name}" there instead`;
  if (ref.steps.length === 0 && ref.root === 'item') {
    return `write "$JOBRUN_ITEM" there instead (the item as text, JSON for a non-string), or ${viaEnv}`;
  }
  if (ref.steps.length === 0 && ref.root === 'index') {
    return `write "$JOBRUN_INDEX" there instead, or ${viaEnv}`;
  }
  return viaEnv;
}

/** A variable name for a value: its last key in capitals (`vars.outDir` → `OUTDIR`). */
function envNameFor(ref: ExpressionRef): string {
  const keys = [ref.root, ...ref.steps.map((step) => ('key' in step ? step.key : ''))];
  const last = keys.filter((key) => key !== '' && key !== 'result').pop() ?? 'value';
  const name = last.toUpperCase().replace(/[^A-Z0-9_]/g, '_');
  return /^[A-Z_]/.test(name) ? name : `VALUE_${name}`;
}
