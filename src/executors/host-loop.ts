import type { ActionEnvironment } from '../actions/action-context.ts';
import { startAction } from '../actions/perform-action.ts';
import { ActionError } from '../actions/action-error.ts';
import type { HostMessage, RunOrder, WorkerMessage } from './protocol.ts';
import { AbortControllers } from './abort-controllers.ts';
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
  /** Aborts the running attempt, drops the waiting ones, and resolves once it ended, or after `STOP_GRACE_MS`. */
  stop(): Promise<void>;
}

interface Running {
  id: number;
  controller: AbortController;
  done: Promise<void>;
}

/**
 * The one message loop of every pool worker, thread or process: it only runs the actions it is
 * sent, one at a time in arrival order, and replies to each as it ends. The pool does all the
 * scheduling; the worker's FIFO only spares it a round trip between two attempts.
 */
export function startHostLoop(channel: HostChannel): HostLoop {
  const waiting: RunOrder[] = [];
  let running: Running | null = null;
  let isStopping = false;
  // One attempt runs at a time: one spare controller is enough.
  const controllers = new AbortControllers(1);

  function environment(id: number, controller: AbortController): ActionEnvironment {
    return {
      signal: controller.signal,
      workerId: channel.workerId,
      log: (text) => channel.send({ type: 'log', id, message: text }),
      processes: {
        add: (pgid) => channel.send({ type: 'spawned', id, pgid }),
        delete: (pgid) => channel.send({ type: 'reaped', id, pgid }),
      },
    };
  }

  function succeeded(id: number, value: unknown): void {
    // A cancelled attempt still replies: the pool waits for it before the next one counts as started.
    if (!isStopping) sendReply({ type: 'result', id, ok: true, value });
  }

  function failed(id: number, error: unknown): void {
    if (!isStopping) sendReply({ type: 'result', id, ok: false, error: serializeError(error) });
  }

  /** Runs the next waiting attempt, then the one after it, until none is left. */
  function startNext(): void {
    const order = waiting.shift();
    if (order === undefined || isStopping) {
      running = null;
      return;
    }
    const { id } = order;
    const controller = controllers.take();
    const done = startAction(order.request, environment(id, controller)).then(
      (result) => succeeded(id, result),
      (error) => failed(id, error),
    );
    running = { id, controller, done };
    void done.then(() => {
      controllers.giveBack(controller);
      startNext();
    });
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

  /** Removes a waiting attempt, which then never starts; whether it was waiting. */
  function drop(id: number): boolean {
    const index = waiting.findIndex((order) => order.id === id);
    if (index === -1) return false;
    waiting.splice(index, 1);
    channel.send({ type: 'dropped', id });
    return true;
  }

  channel.onMessage((message) => {
    switch (message.type) {
      case 'run':
        for (const order of message.orders) waiting.push(order);
        if (running === null) startNext();
        break;
      case 'cancel':
        if (running?.id === message.id) running.controller.abort();
        else drop(message.id);
        break;
      case 'recall':
        // Too late if it started (or ended): the pool then counts it as run here.
        drop(message.id);
        break;
    }
  });
  channel.send({ type: 'ready' });

  return {
    async stop() {
      isStopping = true;
      waiting.length = 0;
      if (running === null) return;
      running.controller.abort();
      let timer: NodeJS.Timeout | undefined;
      const grace = new Promise((resolve) => (timer = setTimeout(resolve, STOP_GRACE_MS)));
      await Promise.race([running.done, grace]);
      clearTimeout(timer);
    },
  };
}
