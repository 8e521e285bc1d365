import PQueue from 'p-queue';
import { performAction } from '../actions/perform-action.ts';
import type { ExecutorConfig } from '../job/types.ts';
import type { ItemErrorCode } from '../results/types.ts';
import { acquireCrashGuard, releaseCrashGuard, runInCrashScope } from './crash-guard.ts';
import { lazyAbort } from './lazy-abort.ts';
import { itemError, serializeError } from './serialize-error.ts';
import type { ActionOutcome, ActionRequest, ExecuteOptions, Executor } from './types.ts';

const WORKER_ID = 'coroutine';

/**
 * Runs actions on the main event loop, at most `maxWorkers` at once. A timeout or cancellation
 * aborts `ctx.signal` and resolves at once: a function that ignores its signal keeps running but
 * no longer holds a slot, as there is no worker to kill.
 */
export function createCoroutineExecutor(config: ExecutorConfig): Executor {
  const queue = new PQueue({ concurrency: config.maxWorkers });
  /** Stops every attempt not yet settled, queued or running. */
  const stoppers = new Set<(code: ItemErrorCode, message: string) => void>();
  let isClosed = false;
  let isGuarded = false;
  let shutdownDone: Promise<void> | undefined;

  function execute(request: ActionRequest, options: ExecuteOptions = {}): Promise<ActionOutcome> {
    const { signal, timeoutMs, onStart, onLog } = options;
    if (isClosed || signal?.aborted) {
      const why = isClosed ? 'the executor is shut down' : 'the attempt was cancelled';
      return Promise.resolve({ ok: false, error: itemError('CANCELLED', why), workerId: null });
    }
    if (!isGuarded) {
      isGuarded = true;
      acquireCrashGuard();
    }
    return new Promise((resolve) => {
      let isSettled = false;
      let hasStarted = false;
      let timer: NodeJS.Timeout | undefined;
      // Frees the queue slot: held until the outcome is known, not until a runaway function returns.
      let release = (): void => {};
      const controller = lazyAbort();

      const finish = (outcome: ActionOutcome): void => {
        if (isSettled) return;
        isSettled = true;
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        stoppers.delete(stop);
        resolve(outcome);
        release();
      };
      const fail = (code: ItemErrorCode, message: string, error?: unknown): void => {
        const serialized = error === undefined ? itemError(code, message) : serializeError(error);
        finish({
          ok: false,
          error: { ...serialized, code, message },
          workerId: hasStarted ? WORKER_ID : null,
        });
      };
      const stop = (code: ItemErrorCode, message: string): void => {
        if (isSettled) return;
        fail(code, message);
        controller.abort();
      };
      const onAbort = (): void => stop('CANCELLED', 'the attempt was cancelled');
      signal?.addEventListener('abort', onAbort, { once: true });
      stoppers.add(stop);

      void queue.add(async () => {
        if (isSettled) return;
        const slot = new Promise<void>((resolveSlot) => (release = resolveSlot));
        hasStarted = true;
        onStart?.(WORKER_ID);
        // onStart may have cancelled it already.
        if (isSettled) return;
        if (timeoutMs !== undefined) {
          timer = setTimeout(
            () => stop('TIMEOUT', `the attempt timed out after ${timeoutMs} ms`),
            timeoutMs,
          );
        }
        const scope = {
          crash: (message: string, error?: unknown) => {
            fail('WORKER_CRASHED', message, error);
            controller.abort();
          },
          isSettled: () => isSettled,
        };
        runInCrashScope(scope, () =>
          performAction(request, {
            get signal() {
              return controller.signal;
            },
            workerId: WORKER_ID,
            log: (message) => onLog?.(message),
          }),
        ).then(
          (value) => finish({ ok: true, value, workerId: WORKER_ID }),
          (error: unknown) =>
            finish({ ok: false, error: serializeError(error), workerId: WORKER_ID }),
        );
        await slot;
      });
    });
  }

  async function drain(): Promise<void> {
    await queue.onIdle();
    if (isGuarded) releaseCrashGuard();
  }

  return {
    kind: 'coroutine',
    config,
    execute,
    shutdown(options = {}) {
      isClosed = true;
      if (options.force) {
        for (const stop of [...stoppers]) stop('CANCELLED', 'jobrun is shutting down');
      }
      shutdownDone ??= drain();
      return shutdownDone;
    },
  };
}
