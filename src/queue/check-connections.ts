import { UsageError } from '../errors.ts';
import type { ExecutorSetting, Job } from '../job/types.ts';
import { planJob } from '../plan/plan-job.ts';

/**
 * Checks the Redis of every task that runs on a `queue` executor, before anything of the run is
 * touched (no lock, no results file): a task without a connection is a `UsageError`, a Redis that
 * cannot be used (a malformed URL, no answer, an eviction policy) a `QueueConnectionError`, each
 * one line. A job without queue tasks loads nothing here.
 */
export async function checkQueueConnections(job: Job, override: ExecutorSetting): Promise<void> {
  const queues = planJob(job, override).filter((task) => task.executor.kind === 'queue');
  if (queues.length === 0) return;
  const missing = queues.find((task) => task.executor.connection === undefined);
  if (missing !== undefined) {
    throw new UsageError(
      `task ${missing.id} runs on a queue executor without a connection: give --connection ` +
        'redis://HOST:PORT, set JOBRUN_REDIS_URL, or add connection: to its executor',
    );
  }
  const { checkRedis } = await import('./connect.ts');
  const urls = new Set(queues.map((task) => task.executor.connection as string));
  await Promise.all([...urls].map((url) => checkRedis(url)));
}
