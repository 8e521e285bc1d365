import { walkStrings } from '../expr/collect-expressions.ts';
import { evaluateCommand, evaluateValue, toText, type Scope } from '../expr/evaluate.ts';
import { hasExpression } from '../expr/parse-template.ts';
import type { ActionRequest, ResolvedAction } from '../actions/types.ts';
import type { Task } from '../job/types.ts';
import type { RunContext } from './run-context.ts';

/** What a request is built from: the run's values that expressions read. */
export type RequestSource = Pick<RunContext, 'job' | 'runId' | 'startedAt' | 'env' | 'outputs'>;

/** The expression scope of one item of a task. */
export function itemScope(run: RequestSource, item: unknown, index: number | null): Scope {
  return {
    item,
    index,
    vars: run.job.vars,
    env: run.env,
    tasks: run.outputs,
    job: { name: run.job.name },
    run: { id: run.runId, startedAt: run.startedAt },
  };
}

function resolveAction(task: Task, scope: Scope, cwd: string): ResolvedAction {
  const action = task.action;
  switch (action.type) {
    case 'function':
      return action;
    case 'run':
      return {
        type: 'run',
        command: evaluateCommand(action.command, scope),
        cwd,
        ...(task.maxOutputBytes === undefined ? {} : { maxOutputBytes: task.maxOutputBytes }),
        ...(task.env === undefined ? {} : { env: evaluateEnv(task.env, scope) }),
      };
    case 'http': {
      const request = evaluateValue(action.request, scope) as typeof action.request;
      return {
        type: 'http',
        url: String(request.url),
        method: (request.method ?? 'GET').toUpperCase(),
        ...(request.headers === undefined ? {} : { headers: request.headers }),
        ...(request.json === undefined ? {} : { json: request.json }),
        ...(request.body === undefined ? {} : { body: request.body }),
        ...(request.timeoutMs === undefined ? {} : { timeoutMs: request.timeoutMs }),
        ...(request.followRedirects === false ? { followRedirects: false } : {}),
        ...(task.maxOutputBytes === undefined ? {} : { maxOutputBytes: task.maxOutputBytes }),
      };
    }
  }
}

/** A task's `env:` for one item: values as text, whatever type an expression gives. */
function evaluateEnv(env: Record<string, string>, scope: Scope): Record<string, string> {
  const values: Record<string, string> = {};
  for (const [name, value] of Object.entries(env))
    values[name] = toText(evaluateValue(value, scope));
  return values;
}

/** Whether a value holds a `${{ … }}` anywhere inside. */
function holdsExpression(value: unknown): boolean {
  let isFound = false;
  walkStrings(value, (text) => {
    if (!isFound && hasExpression(text)) isFound = true;
  });
  return isFound;
}

/**
 * What stays the same for every item of a task: the resolved action when it holds no expression,
 * and a `with:` scalar without one. A no-op map task then builds no scope and evaluates
 * nothing per item.
 */
interface TaskConstants {
  action: ResolvedAction | null;
  hasConstantWith: boolean;
}

const constantsByTask = new WeakMap<Task, TaskConstants>();

function constantsOf(run: RequestSource, task: Task): TaskConstants {
  let constants = constantsByTask.get(task);
  if (constants === undefined) {
    const action = task.action;
    const template =
      action.type === 'run'
        ? [action.command, task.env]
        : action.type === 'http'
          ? action.request
          : null;
    const isConstantAction = template === null || !holdsExpression(template);
    constants = {
      action: isConstantAction
        ? resolveAction(task, itemScope(run, null, null), run.job.dir)
        : null,
      // Objects are evaluated per item even without expressions: each call gets its own copy, so a
      // function that mutates its input cannot change another item's.
      hasConstantWith:
        !task.hasWith ||
        (!holdsExpression(task.with) && (typeof task.with !== 'object' || task.with === null)),
    };
    constantsByTask.set(task, constants);
  }
  return constants;
}

/**
 * The request of one attempt, every expression evaluated as data. `input` is `with:`, else the
 * item of a map task, else `null`. Throws when an expression cannot be evaluated.
 */
export function buildRequest(
  run: RequestSource,
  task: Task,
  item: unknown,
  index: number | null,
  attempt: number,
): ActionRequest {
  const constants = constantsOf(run, task);
  const scope =
    constants.action === null || !constants.hasConstantWith ? itemScope(run, item, index) : null;
  const input = task.hasWith
    ? scope === null || constants.hasConstantWith
      ? task.with
      : evaluateValue(task.with, scope)
    : task.map === undefined
      ? null
      : item;
  return {
    action: constants.action ?? resolveAction(task, scope as Scope, run.job.dir),
    input,
    context: { item, index, task: task.id, job: run.job.name, attempt },
  };
}
