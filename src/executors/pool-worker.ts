import { groupReaper } from '../proc/group-reaper.ts';
import { signalGroup } from '../proc/process-group.ts';
import type { Attempt } from './pool-attempt.ts';
import type { HostMessage, RunOrder, WorkerMessage } from './protocol.ts';
import { itemError } from './serialize-error.ts';
import type { ActionOutcome, SerializedError } from './types.ts';
import type { WorkerFactory, WorkerHandle } from './worker-handle.ts';

/** Where one worker of a pool stands. */
export type WorkerState =
  /** Loading: it takes attempts once it said `ready`. */
  | { name: 'starting' }
  | { name: 'ready' }
  /** Killed or closing: it never gets another attempt; its exit is awaited. */
  | { name: 'stopping' }
  | { name: 'exited' };

/** What a pool hears from its worker, once the worker kept its own bookkeeping. */
export interface PoolWorkerEvents {
  onReady(worker: PoolWorker): void;
  /** It ran `attempt` (which it still owes), with this outcome. */
  onResult(worker: PoolWorker, attempt: Attempt, outcome: ActionOutcome): void;
  /** It removed `attempt` unstarted, after a `cancel` or a `recall`. */
  onDropped(worker: PoolWorker, attempt: Attempt): void;
  onExit(worker: PoolWorker, reason: string, previous: WorkerState): void;
}

/**
 * One worker of a pool as the pool sees it: its transport, its state, and the attempts it owes a
 * reply for, in the order it runs them. The first owed attempt without a reply is the one it runs.
 */
export class PoolWorker {
  readonly #handle: WorkerHandle;
  #state: WorkerState = { name: 'starting' };
  /** Sent to it and not yet replied for (or replied, waiting to be delivered), in its run order. */
  #owed: Attempt[] = [];
  /** Attempts handed over since the last `flush`, sent together in one message. */
  #outbox: RunOrder[] = [];
  /** Process groups of the shell commands it runs, killed if it dies first. */
  readonly #pgids = new Set<number>();
  #crash: SerializedError | null = null;
  #graceTimer: NodeJS.Timeout | undefined;

  constructor(startWorker: WorkerFactory, events: PoolWorkerEvents) {
    this.#handle = startWorker({
      onMessage: (message) => this.#onMessage(message, events),
      onExit: (reason) => {
        const previous = this.#state;
        this.#state = { name: 'exited' };
        clearTimeout(this.#graceTimer);
        // A shell command never outlives its worker.
        for (const pgid of this.#pgids) {
          signalGroup(pgid, 'SIGKILL');
          groupReaper.delete(pgid);
        }
        events.onExit(this, reason, previous);
      },
    });
  }

  get id(): string {
    return this.#handle.id;
  }

  get state(): WorkerState {
    return this.#state;
  }

  get isReady(): boolean {
    return this.#state.name === 'ready';
  }

  /** Attempts it holds or runs, including cancelled ones it still owes a reply for. */
  get load(): number {
    return this.#owed.length;
  }

  get head(): Attempt | undefined {
    return this.#owed[0];
  }

  /** The attempt it runs now (or has just replied for): the first owed one without a reply. */
  get current(): Attempt | undefined {
    return this.#owed.find((attempt) => attempt.state.name !== 'replied');
  }

  /** Held attempts behind the current one, which another worker may take over. */
  get waiting(): Attempt[] {
    const current = this.current;
    return this.#owed.filter((attempt) => attempt !== current && attempt.state.name === 'held');
  }

  /** Held attempts asked back and not yet given back or started. */
  get recalling(): number {
    return this.#owed.filter((attempt) => attempt.state.name === 'recalled').length;
  }

  owes(id: number): Attempt | undefined {
    return this.#owed.find((attempt) => attempt.id === id);
  }

  /** Hands it `attempt` to hold from now on; the attempt is sent on the next `flush`. */
  assign(attempt: Attempt): void {
    attempt.hold(this);
    this.#owed.push(attempt);
    this.#outbox.push({ id: attempt.id, request: attempt.request });
  }

  /** Sends what `assign` handed over since the last flush; whether there was anything. */
  flush(): boolean {
    if (this.#outbox.length === 0) return false;
    const orders = this.#outbox;
    this.#outbox = [];
    this.#send({ type: 'run', orders });
    return true;
  }

  /** It no longer owes `attempt` (replied and delivered, or dropped). */
  forget(attempt: Attempt): void {
    const index = this.#owed.indexOf(attempt);
    if (index !== -1) this.#owed.splice(index, 1);
    if (index === 0) this.#stopGrace();
  }

  /** Everything it owes, handed to the pool to account for; it owes nothing afterwards. */
  takeOwed(): Attempt[] {
    this.#stopGrace();
    this.#outbox = [];
    return this.#owed.splice(0);
  }

  /** Why the attempt it was running fails when it died on its own: its crash report, or its exit. */
  crashError(reason: string): SerializedError {
    const crash = this.#crash;
    if (crash === null) {
      return itemError('WORKER_CRASHED', `worker ${this.id} ${reason} while running this item`);
    }
    return {
      ...crash,
      message: `worker ${this.id} crashed: ${crash.message}`,
      code: 'WORKER_CRASHED',
    };
  }

  /** Drop a held attempt, or abort it if it has just started. */
  cancel(attempt: Attempt): void {
    this.#send({ type: 'cancel', id: attempt.id });
  }

  /** Give back a held attempt if it has not started; if it has, it runs on as usual. */
  recall(attempt: Attempt): void {
    attempt.recall();
    this.#send({ type: 'recall', id: attempt.id });
  }

  /**
   * A cancelled attempt may have started before the worker heard so: it gets `graceMs` to reply
   * before `onExpiry` (which stops the worker), so it cannot hold the attempts behind it forever.
   */
  startGrace(graceMs: number, onExpiry: () => void): void {
    this.#graceTimer ??= setTimeout(onExpiry, graceMs);
  }

  /** Stops it now, whatever it runs. */
  kill(): void {
    if (!this.#isAlive()) return;
    this.#state = { name: 'stopping' };
    this.#stopGrace();
    this.#handle.kill();
  }

  /** Lets it leave on its own (it owes nothing). */
  close(): void {
    if (!this.#isAlive()) return;
    this.#state = { name: 'stopping' };
    this.#handle.close();
  }

  #isAlive(): boolean {
    return this.#state.name === 'starting' || this.#state.name === 'ready';
  }

  #stopGrace(): void {
    clearTimeout(this.#graceTimer);
    this.#graceTimer = undefined;
  }

  #send(message: HostMessage): void {
    if (this.#isAlive()) this.#handle.send(message);
  }

  #onMessage(message: WorkerMessage, events: PoolWorkerEvents): void {
    switch (message.type) {
      case 'ready':
        if (this.#state.name !== 'starting') return;
        this.#state = { name: 'ready' };
        events.onReady(this);
        return;
      case 'result': {
        const attempt = this.owes(message.id);
        if (attempt === undefined) return;
        const outcome: ActionOutcome = message.ok
          ? { ok: true, value: message.value, workerId: this.id }
          : { ok: false, error: message.error, workerId: this.id };
        events.onResult(this, attempt, outcome);
        return;
      }
      case 'dropped': {
        const attempt = this.owes(message.id);
        if (attempt !== undefined) events.onDropped(this, attempt);
        return;
      }
      case 'log': {
        const attempt = this.owes(message.id);
        if (attempt !== undefined && !attempt.isSettled) attempt.options.onLog?.(message.message);
        return;
      }
      case 'spawned':
        this.#pgids.add(message.pgid);
        groupReaper.add(message.pgid);
        return;
      case 'reaped':
        this.#pgids.delete(message.pgid);
        groupReaper.delete(message.pgid);
        return;
      case 'crash':
        this.#crash = message.error;
        return;
    }
  }
}
