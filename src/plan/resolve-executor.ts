import { defaultMaxWorkers } from '../job/defaults.ts';
import type { ExecutorConfig, ExecutorSetting } from '../job/types.ts';

/**
 * The executor a task runs on. Precedence: command-line override, then the task's own
 * `executor:`, then the job's. A task that switches kind without naming `maxWorkers` gets the
 * default of its kind, not the job's count for another kind.
 */
export function resolveExecutor(
  jobExecutor: ExecutorConfig,
  taskExecutor: ExecutorSetting | undefined,
  override: ExecutorSetting = {},
): ExecutorConfig {
  const kind = override.kind ?? taskExecutor?.kind ?? jobExecutor.kind;
  const maxWorkers =
    override.maxWorkers ??
    taskExecutor?.maxWorkers ??
    (kind === jobExecutor.kind ? jobExecutor.maxWorkers : defaultMaxWorkers(kind));
  return { kind, maxWorkers };
}
