import type { ExecutorConfig } from '../job/types.ts';
import type { Executor, ExecutorScope } from './types.ts';

/**
 * Creates the executor of a kind. Implementations load lazily, so a command that runs nothing
 * (`jobrun --version`, `validate`) never loads pool code.
 *
 * @example
 * const executor = await createExecutor({ kind: 'process', maxWorkers: 4 });
 * const outcome = await executor.execute({ action, input, context }, { timeoutMs: 10_000 });
 * await executor.shutdown();
 *
 * `scope` names the run a `queue` executor serves; local kinds ignore it. A queue executor
 * connects first, and rejects with a `QueueConnectionError` when its Redis cannot be used.
 */
export async function createExecutor(
  config: ExecutorConfig,
  scope: ExecutorScope = {},
): Promise<Executor> {
  if (!Number.isInteger(config.maxWorkers) || config.maxWorkers < 1) {
    throw new TypeError(
      `Expected \`maxWorkers\` to be an integer >= 1, got \`${String(config.maxWorkers)}\``,
    );
  }
  switch (config.kind) {
    case 'coroutine': {
      const { createCoroutineExecutor } = await import('./coroutine-executor.ts');
      return createCoroutineExecutor(config);
    }
    case 'thread': {
      const [{ createPoolExecutor }, { startThreadWorker }] = await Promise.all([
        import('./pool-executor.ts'),
        import('./thread-handle.ts'),
      ]);
      return createPoolExecutor(config, startThreadWorker);
    }
    case 'process': {
      const [{ createPoolExecutor }, { startProcessWorker }] = await Promise.all([
        import('./pool-executor.ts'),
        import('./process-handle.ts'),
      ]);
      return createPoolExecutor(config, startProcessWorker);
    }
    case 'queue': {
      // Only a queue run loads BullMQ and ioredis.
      const { createQueueExecutor } = await import('../queue/queue-executor.ts');
      return createQueueExecutor(config, scope);
    }
  }
}
