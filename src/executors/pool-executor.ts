import type { ActionRequest } from '../actions/types.ts';
import type { ExecutorConfig } from '../job/types.ts';
import { Attempt } from './pool-attempt.ts';
import { PIPELINE_DEPTH } from './pool-hand-out.ts';
import { Pool } from './pool.ts';
import type { ActionOutcome, ExecuteOptions, Executor } from './types.ts';
import type { WorkerFactory } from './worker-handle.ts';

export { PIPELINE_DEPTH } from './pool-hand-out.ts';

/**
 * The `process` and `thread` executors: one `Pool` of long-lived workers from `startWorker`. The
 * pool only schedules; workers only run. Each worker holds up to `PIPELINE_DEPTH` attempts and
 * runs them one at a time, so at most `maxWorkers` run at once, and an idle worker takes over
 * attempts that a busy one holds and has not started.
 */
export function createPoolExecutor(config: ExecutorConfig, startWorker: WorkerFactory): Executor {
  const pool = new Pool(config, startWorker);
  let nextId = 1;
  let isClosed = false;
  let closed: Promise<void> | undefined;

  return {
    kind: config.kind,
    config,
    inFlightLimit: config.maxWorkers * PIPELINE_DEPTH,
    execute(request: ActionRequest, options: ExecuteOptions = {}): Promise<ActionOutcome> {
      return new Promise((resolve) => {
        const { signal, stopSignal } = options;
        const attempt = new Attempt(nextId++, request, options, (outcome) => {
          signal?.removeEventListener('abort', onAbort);
          stopSignal?.removeEventListener('abort', onStop);
          resolve(outcome);
        });
        const onAbort = (): void => pool.cancel(attempt, 'the attempt was cancelled', false);
        const onStop = (): void =>
          pool.cancel(attempt, 'jobrun is stopping: the attempt had not started', true);
        if (isClosed || signal?.aborted || stopSignal?.aborted) {
          attempt.cancel(isClosed ? 'the executor is shut down' : 'the attempt was cancelled');
          return;
        }
        signal?.addEventListener('abort', onAbort, { once: true });
        stopSignal?.addEventListener('abort', onStop, { once: true });
        pool.submit(attempt);
      });
    },
    shutdown(options = {}) {
      isClosed = true;
      // A second, forced call (Ctrl-C twice) still cancels what the first one waits for.
      if (options.force) pool.cancelAll('jobrun is shutting down');
      closed ??= pool.close();
      return closed;
    },
  };
}
