import { performAction } from '../actions/perform-action.ts';
import { ActionError } from '../actions/action-error.ts';
import type { HostMessage, WorkerMessage } from './protocol.ts';
import { lazyAbort, type LazyAbort } from './lazy-abort.ts';
import { serializeError } from './serialize-error.ts';

/** How long a stopping worker waits for its attempts to end after aborting them. @default 2500 */
export const STOP_GRACE_MS = 2500;

/** How a worker talks to its pool: a thread's `parentPort` or a child process's IPC channel. */
export interface HostChannel {
  /** `process-<pid>` or `thread-<threadId>`. */
  workerId: string;
  send(message: WorkerMessage): void;
  onMessage(listener: (message: HostMessage) => void): void;
}

export interface HostLoop {
  /** Aborts every running attempt and resolves once they ended, or after `STOP_GRACE_MS`. */
  stop(): Promise<void>;
}

/**
 * The one message loop of every pool worker, thread or process: it only runs the actions it is
 * sent and replies. The pool does all the scheduling.
 */
export function startHostLoop(channel: HostChannel): HostLoop {
  const running = new Map<number, { controller: LazyAbort; done: Promise<void> }>();

  async function run(
    id: number,
    message: Extract<HostMessage, { type: 'run' }>,
    controller: LazyAbort,
  ): Promise<void> {
    let reply: WorkerMessage;
    try {
      const value = await performAction(message.request, {
        get signal() {
          return controller.signal;
        },
        workerId: channel.workerId,
        log: (text) => channel.send({ type: 'log', id, message: text }),
        processes: {
          add: (pgid) => channel.send({ type: 'spawned', id, pgid }),
          delete: (pgid) => channel.send({ type: 'reaped', id, pgid }),
        },
      });
      reply = { type: 'result', id, ok: true, value };
    } catch (error) {
      reply = { type: 'result', id, ok: false, error: serializeError(error) };
    }
    if (!controller.aborted) sendReply(reply);
  }

  function sendReply(reply: WorkerMessage): void {
    try {
      channel.send(reply);
    } catch (error) {
      // Values are checked before, so this is a channel that broke; report what we can.
      const failure = new ActionError(
        'NOT_SERIALIZABLE',
        `cannot send the result: ${String(error)}`,
      );
      if (reply.type === 'result') {
        channel.send({ type: 'result', id: reply.id, ok: false, error: serializeError(failure) });
      }
    }
  }

  channel.onMessage((message) => {
    switch (message.type) {
      case 'run': {
        const controller = lazyAbort();
        const done = run(message.id, message, controller).finally(() => running.delete(message.id));
        running.set(message.id, { controller, done });
        break;
      }
    }
  });
  channel.send({ type: 'ready' });

  return {
    async stop() {
      for (const { controller } of running.values()) controller.abort();
      const all = Promise.all([...running.values()].map(({ done }) => done));
      let timer: NodeJS.Timeout | undefined;
      const grace = new Promise((resolve) => (timer = setTimeout(resolve, STOP_GRACE_MS)));
      await Promise.race([all, grace]);
      clearTimeout(timer);
    },
  };
}
