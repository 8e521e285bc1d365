import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ActionRequest, ResolvedAction } from '../../src/actions/types.ts';
import type { ActionOutcome } from '../../src/executors/types.ts';
import type { ExecutorConfig } from '../../src/job/types.ts';

export { eventually, isAlive } from '../helpers/processes.ts';

/** The executor kinds, in the order the conformance suite runs them. */
export const KINDS = ['process', 'thread', 'coroutine'] as const;

export const MODULES_DIR = fileURLToPath(new URL('../fixtures/modules/', import.meta.url));

/** A `function` action calling `exportName` of a fixture module. */
export function fn(file: string, exportName = 'default'): ResolvedAction {
  return {
    type: 'function',
    module: { path: `${MODULES_DIR}${file}`, exportName, source: `./${file}#${exportName}` },
  };
}

/** A request for item `item` at `index` of task `t` in job `j`. */
export function request(
  action: ResolvedAction,
  item: unknown = null,
  index: number | null = null,
): ActionRequest {
  return { action, input: item, context: { item, index, task: 't', job: 'j', attempt: 1 } };
}

export function valueOf(outcome: ActionOutcome): unknown {
  if (!outcome.ok) throw new Error(`expected success, got ${JSON.stringify(outcome.error)}`);
  return outcome.value;
}

export function errorOf(outcome: ActionOutcome): { code: string; message: string } {
  if (outcome.ok) throw new Error(`expected failure, got ${JSON.stringify(outcome.value)}`);
  return outcome.error;
}

/** The most attempts that ran at once, from the time spans the workers measured themselves. */
export function maxOverlap(outcomes: ActionOutcome[]): number {
  const spans = outcomes.map(valueOf) as { start: number; end: number }[];
  return Math.max(
    ...spans.map((s) => spans.filter((o) => o.start <= s.start && s.start < o.end).length),
  );
}

export const DRIVER = fileURLToPath(new URL('./execute-in-child.js', import.meta.url));

/** Runs requests on a fresh executor in a child process; fails if that process does not end well. */
export function executeInChild(
  config: ExecutorConfig,
  requests: (ActionRequest & { timeoutMs?: number })[],
): Promise<ActionOutcome[]> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [DRIVER, JSON.stringify({ config, requests })],
      { timeout: 60_000 },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`driver failed: ${error.message}\n${stderr}`));
        else resolve(JSON.parse(stdout) as ActionOutcome[]);
      },
    );
  });
}
