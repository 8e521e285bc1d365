import { defaultMaxWorkers } from '../job/defaults.ts';
import type { ExecutorConfig, ExecutorSetting } from '../job/types.ts';

/**
 * The executor a task runs on. Precedence: command-line override, then the task's own
 * `executor:`, then the job's. A task that switches kind without naming `maxWorkers` gets the
 * default of its kind, not the job's count for another kind. A `queue` executor's `connection`
 * follows the same precedence (`--connection` or `JOBRUN_REDIS_URL` come as the override).
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
  if (kind !== 'queue') return { kind, maxWorkers };
  // A queue's Redis: the command line's, else the nearest level that names one.
  const connection = override.connection ?? taskExecutor?.connection ?? jobExecutor.connection;
  return connection === undefined ? { kind, maxWorkers } : { kind, maxWorkers, connection };
}
