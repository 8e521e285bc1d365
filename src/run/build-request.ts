import { evaluateValue, type Scope } from '../expr/evaluate.ts';
import type { ActionRequest, ResolvedAction } from '../executors/types.ts';
import type { Task } from '../job/types.ts';
import type { RunContext } from './run-context.ts';

/** The expression scope of one item of a task. */
export function itemScope(run: RunContext, item: unknown, index: number | null): Scope {
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
        command: String(evaluateValue(action.command, scope, { shell: true })),
        cwd,
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
      };
    }
  }
}

/**
 * The request of one attempt, every expression evaluated as data. `input` is `with:`, else the
 * item of a map task, else `null`. Throws when an expression cannot be evaluated.
 */
export function buildRequest(
  run: RunContext,
  task: Task,
  item: unknown,
  index: number | null,
  attempt: number,
): ActionRequest {
  const scope = itemScope(run, item, index);
  const input = task.hasWith
    ? evaluateValue(task.with, scope)
    : task.map === undefined
      ? null
      : item;
  return {
    action: resolveAction(task, scope, run.job.dir),
    input,
    context: { item, index, task: task.id, job: run.job.name, attempt },
  };
}
