import { EXPRESSION_ROOTS, type ExpressionRef, type PathStep } from '../expr/parse-template.ts';
import { didYouMean, listWords } from './suggest.ts';

/** Where an expression sits, which decides the names it may use. */
export interface ReferenceContext {
  /**
   * `task`: a task's `with`, `run`, `http` or `env`; `map`: a task's `map:` expression;
   * `results`: the job's results path, expanded before any task runs; `env`: the job's `env:`,
   * evaluated when the run starts; `service`: a service's `env:` or `ready:`, evaluated before
   * any task runs.
   */
  place: 'task' | 'map' | 'results' | 'env' | 'service';
  /** The task holding the expression (not for `results`). */
  taskId?: string;
  /** Whether that task has `map:` (so `item` and `index` exist). */
  isMapTask: boolean;
  /** The names declared under `vars:`. */
  vars: readonly string[];
  /** Every task id of the job. */
  taskIds: readonly string[];
  /** The tasks upstream of `taskId` through `needs` and `map.from`, transitively. */
  upstream: ReadonlySet<string>;
}

const TASK_FIELDS = ['result', 'status'];
const RUN_FIELDS = ['id', 'startedAt'];
const RESULTS_ROOTS = ['run', 'job', 'vars', 'env'];
const ENV_ROOTS = ['vars', 'env', 'job'];

/**
 * Checks that an expression names only what will exist when it is evaluated: a declared var, a
 * task upstream through `needs`/`from`, `item` and `index` inside a map task.
 * Returns the problem as one sentence, or `null` when the reference is fine.
 *
 * @example
 * checkReference(parseTemplate('${{ tasks.a.result }}').parts[0], { place: 'task', taskId: 'b', … });
 * // 'tasks.a is not upstream of tasks.b; add it to needs'
 */
export function checkReference(ref: ExpressionRef, context: ReferenceContext): string | null {
  const written = `"\${{ ${ref.source} }}"`;
  const { root, steps } = ref;
  const roots: readonly string[] =
    context.place === 'results'
      ? RESULTS_ROOTS
      : context.place === 'env' || context.place === 'service'
        ? ENV_ROOTS
        : EXPRESSION_ROOTS;
  if (!roots.includes(root)) {
    if (context.place === 'results' && (EXPRESSION_ROOTS as readonly string[]).includes(root)) {
      return `${written} cannot be used in results: only run, job, vars and env are known before the run starts`;
    }
    if (context.place === 'env' && (EXPRESSION_ROOTS as readonly string[]).includes(root)) {
      return `${written} cannot be used in the job's env: only vars, env and job are known before the run starts; use a task's env: for per-item values`;
    }
    if (context.place === 'service' && (EXPRESSION_ROOTS as readonly string[]).includes(root)) {
      return `${written} cannot be used in a service: only vars, env and job are known before the services start`;
    }
    return `unknown name "${root}" in ${written}; expected ${listWords(roots, 'or')}${didYouMean(root, roots)}`;
  }
  switch (root) {
    case 'item':
    case 'index':
      if (context.place === 'map') {
        return `${written} cannot be used in map: the items are not known until map is evaluated`;
      }
      if (!context.isMapTask) {
        return `${written} is only defined in a map task; add map: to tasks.${context.taskId ?? ''} or remove the reference`;
      }
      if (root === 'index' && steps.length > 0) {
        return `${written}: index is a number and has no ${describeStep(steps[0])}`;
      }
      return null;
    case 'vars': {
      const first = steps[0];
      if (first === undefined) return null;
      if (!('key' in first)) return `expected vars.NAME in ${written}, found an index`;
      if (context.vars.includes(first.key)) return null;
      const declared =
        context.vars.length === 0
          ? 'this job declares no vars'
          : `declared vars are ${listWords(context.vars)}`;
      return `unknown var "${first.key}" in ${written}; ${declared}${didYouMean(first.key, context.vars)}`;
    }
    case 'env':
      return null;
    case 'tasks':
      return checkTaskReference(ref, written, context);
    case 'job':
      return steps.length === 1 && keyOf(steps[0]) === 'name'
        ? null
        : `expected job.name, found ${written}`;
    case 'run': {
      const key = keyOf(steps[0]);
      if (steps.length === 1 && key !== undefined && RUN_FIELDS.includes(key)) return null;
      return `expected run.id or run.startedAt, found ${written}${key === undefined ? '' : didYouMean(key, RUN_FIELDS)}`;
    }
    default:
      return null;
  }
}

function checkTaskReference(
  ref: ExpressionRef,
  written: string,
  context: ReferenceContext,
): string | null {
  const id = keyOf(ref.steps[0]);
  if (id === undefined) return `expected tasks.ID.result or tasks.ID.status, found ${written}`;
  if (!context.taskIds.includes(id)) {
    return `unknown task "${id}" in ${written}; tasks are ${listWords(context.taskIds)}${didYouMean(id, context.taskIds)}`;
  }
  if (id === context.taskId) return `${written}: a task cannot read its own result or status`;
  const field = keyOf(ref.steps[1]);
  if (field === undefined || !TASK_FIELDS.includes(field)) {
    const found = field === undefined ? written : `"${field}"`;
    return `expected tasks.${id}.result or tasks.${id}.status, found ${found}${field === undefined ? '' : didYouMean(field, TASK_FIELDS)}`;
  }
  if (field === 'status' && ref.steps.length > 2) {
    return `${written}: tasks.${id}.status is a string and has no ${describeStep(ref.steps[2])}`;
  }
  if (!context.upstream.has(id)) {
    return `tasks.${id} is not upstream of tasks.${context.taskId ?? ''}; add it to needs`;
  }
  return null;
}

function keyOf(step: PathStep | undefined): string | undefined {
  return step !== undefined && 'key' in step ? step.key : undefined;
}

function describeStep(step: PathStep | undefined): string {
  if (step === undefined) return 'steps';
  return 'key' in step ? `".${step.key}"` : `"[${step.index}]"`;
}
