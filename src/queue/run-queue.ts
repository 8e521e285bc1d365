import { Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { moduleDigest } from '../actions/module-digest.ts';
import type { ResolvedAction } from '../actions/types.ts';
import { AbortControllers } from '../executors/abort-controllers.ts';
import { createExecutor } from '../executors/create-executor.ts';
import { itemError } from '../executors/serialize-error.ts';
import type { ActionOutcome, Executor } from '../executors/types.ts';
import type { ExecutorKind } from '../job/types.ts';
import { elapsedSince } from '../util/elapsed.ts';
import { errorMessage } from '../util/error-message.ts';
import { closeWithin } from './close-within.ts';
import { bullConnection } from './connect.ts';
import {
  localAction,
  requestOf,
  type QueueAttemptData,
  type QueueHead,
  type QueueJobData,
} from './job-data.ts';
import { eventsChannelOf, headsKeyOf, type WorkerMessage, type WorkerReply } from './keys.ts';

/**
 * An attempt still running this long after it started is announced to the run (the listing, the
 * run's side of its timeout); one that ends sooner is announced by its reply alone. The worker's
 * own pool times the attempt from its real start either way.
 */
export const START_TOLD_AFTER_MS = 50;
/**
 * An attempt that waits this long here for a slot of the local pool (the others of its job, or of
 * other jobs, hold them all) is given back to the run unstarted, which hands it to another worker:
 * a worker that took more than it can run soon does not keep it from an idle one.
 */
export const GIVEN_BACK_AFTER_MS = 100;
/** A head as this worker uses it: its action made local, or why its attempts cannot run here. */
type LocalHead =
  | { head: QueueHead; action: ResolvedAction; refusal: null }
  | { head: null; action: undefined; refusal: ActionOutcome };

/**
 * The replies of a job's attempts that ended: kept for the job's return value while the job is
 * quick, sent one by one as messages once it has run `START_TOLD_AFTER_MS` (an attempt of a job
 * is then not held back by a slower one of the same job).
 */
interface JobReplies {
  isTelling: boolean;
  /** Replies not sent yet, with when each was made (`performance.now()`), by attempt id. */
  held: Map<string, { reply: WorkerReply; madeMs: number }>;
}

/** A reply sent later than it was made says how much later: its attempt started that much earlier. */
function sentNow(reply: WorkerReply, madeMs: number): WorkerReply {
  const heldMs = elapsedSince(madeMs);
  return heldMs === 0 ? reply : { ...reply, heldMs };
}

/** An attempt waiting for a slot of the local pool: told `true` with one, `false` to give it back. */
interface SlotWaiter {
  resolve: (hasSlot: boolean) => void;
  timer: NodeJS.Timeout;
}

/** Cancellations of attempts not seen yet that a run's queue remembers, at most. */
const MAX_EARLY_CANCELS = 10_000;

/** How a worker serves each run queue. */
export interface RunQueueSettings {
  url: string;
  /** `host:pid`, the first part of every `worker` it records. */
  workerName: string;
  kind: Exclude<ExecutorKind, 'queue'>;
  concurrency: number;
  /** The worker's own copy of the job folder (`--root`), else the coordinator's path. */
  root?: string;
  /** How long a taken attempt stays locked without renewal before it counts as crashed. */
  lockDurationMs: number;
  /** The worker's own connection, for start and log messages. */
  client: Redis;
}

/**
 * A worker's service of one run: a BullMQ `Worker` on the run's queue, and a local executor of
 * the worker's kind that runs the attempts, created for the run and stopped with it (so a module
 * changed between two runs is loaded afresh).
 */
export class RunQueue {
  readonly name: string;
  readonly #settings: RunQueueSettings;
  readonly #eventsChannel: string;
  readonly #worker: Worker;
  #local: Promise<Executor> | undefined;
  readonly #running = new Map<string, AbortController>();
  /** Controllers of attempts that ended without being cancelled, for later ones. */
  readonly #controllers: AbortControllers;
  readonly #earlyCancels = new Set<string>();
  readonly #digests = new Map<string, Promise<string | null>>();
  /** The run's heads, read from Redis at their first attempt here. */
  readonly #heads = new Map<string, Promise<LocalHead>>();
  #closed: Promise<void> | undefined;
  /** Attempts holding a slot of the local pool: at most `concurrency`. */
  #inPool = 0;
  /** Attempts waiting for a slot, oldest first. */
  #waiting: SlotWaiter[] = [];
  /** Attempts and jobs taken so far, for the worker's line when it leaves the run. */
  attemptsTaken = 0;
  jobsTaken = 0;

  constructor(name: string, settings: RunQueueSettings) {
    this.name = name;
    this.#settings = settings;
    this.#eventsChannel = eventsChannelOf(name);
    this.#controllers = new AbortControllers(settings.concurrency);
    this.#worker = new Worker(name, (job: Job) => this.#process(job), {
      connection: bullConnection(settings.url),
      concurrency: settings.concurrency,
      // jobrun retries on the coordinator; a job whose worker died is failed, never run again.
      maxStalledCount: 0,
      lockDuration: settings.lockDurationMs,
      stalledInterval: 1000,
      name: settings.workerName,
    });
    this.#worker.on('error', () => undefined);
  }

  /** The run cancelled an attempt: stopped if it runs here, skipped if it comes later. */
  cancel(id: string): void {
    const controller = this.#running.get(id);
    if (controller !== undefined) {
      controller.abort();
      return;
    }
    if (this.#earlyCancels.size >= MAX_EARLY_CANCELS) this.#earlyCancels.clear();
    this.#earlyCancels.add(id);
  }

  /** Stops taking attempts; `force` also stops those running (else they finish). */
  close(force: boolean): Promise<void> {
    this.#closed ??= this.#close(force);
    if (force) for (const controller of this.#running.values()) controller.abort();
    return this.#closed;
  }

  async #close(force: boolean): Promise<void> {
    await closeWithin(force ? 1000 : 2 ** 31 - 1, () => this.#worker.close(force));
    void this.#worker.disconnect();
    const local = this.#local;
    if (local !== undefined) await (await local).shutdown({ force: true });
  }

  async #process(job: Job): Promise<WorkerReply[]> {
    const { attempts } = job.data as Partial<QueueJobData>;
    if (!Array.isArray(attempts)) {
      // BullMQ fails the job with this message, and the run fails its attempts with it.
      throw new Error(
        'the run sent attempts in a form this worker does not read: give every machine the same jobrun version',
      );
    }
    this.jobsTaken++;
    this.attemptsTaken += attempts.length;
    if (attempts.length === 1) return [await this.#attempt(attempts[0] as QueueAttemptData, null)];
    const replies: JobReplies = { isTelling: false, held: new Map() };
    const timer = setTimeout(() => {
      replies.isTelling = true;
      for (const [id, { reply, madeMs }] of replies.held) {
        void this.#tell({ t: 'done', id, reply: sentNow(reply, madeMs) });
      }
    }, START_TOLD_AFTER_MS);
    try {
      const all = await Promise.all(attempts.map((data) => this.#attempt(data, replies)));
      return all.map((reply, at) => {
        const held = replies.held.get((attempts[at] as QueueAttemptData).id);
        return held === undefined ? reply : sentNow(reply, held.madeMs);
      });
    } finally {
      clearTimeout(timer);
    }
  }

  /** Runs one attempt of a job, once it has a slot of the local pool; `replies` when the job has others. */
  async #attempt(data: QueueAttemptData, replies: JobReplies | null): Promise<WorkerReply> {
    let hasSlot = this.#inPool < this.#settings.concurrency && this.#waiting.length === 0;
    if (hasSlot) this.#inPool++;
    else hasSlot = await this.#slot();
    if (!hasSlot) {
      const reply: WorkerReply = { outcome: GIVEN_BACK, isStarted: false, isGivenBack: true };
      // At once, not with its job: the run hands it to another worker meanwhile.
      if (replies !== null) await this.#tell({ t: 'done', id: data.id, reply });
      return reply;
    }
    let reply: WorkerReply;
    try {
      reply = await this.#run(data);
    } finally {
      this.#freeSlot();
    }
    if (replies?.isTelling === true) await this.#tell({ t: 'done', id: data.id, reply });
    else replies?.held.set(data.id, { reply, madeMs: performance.now() });
    return reply;
  }

  /** A slot of the local pool when one frees within GIVEN_BACK_AFTER_MS. */
  #slot(): Promise<boolean> {
    return new Promise((resolve) => {
      const waiter: SlotWaiter = {
        resolve,
        timer: setTimeout(() => {
          this.#waiting.splice(this.#waiting.indexOf(waiter), 1);
          resolve(false);
        }, GIVEN_BACK_AFTER_MS),
      };
      this.#waiting.push(waiter);
    });
  }

  /** Passes the slot on to the oldest waiting attempt, if any. */
  #freeSlot(): void {
    const next = this.#waiting.shift();
    if (next === undefined) {
      this.#inPool--;
      return;
    }
    clearTimeout(next.timer);
    next.resolve(true);
  }

  async #run(data: QueueAttemptData): Promise<WorkerReply> {
    const { id } = data;
    const workerName = this.#settings.workerName;
    const local = await this.#headOf(data.head);
    if (local.head === null) return { outcome: local.refusal, isStarted: false };
    // Checked once nothing is awaited before it counts as running: a cancellation that came
    // meanwhile, while its head was read, is not missed.
    if (this.#earlyCancels.delete(id)) {
      return { outcome: failure('CANCELLED', 'the attempt was cancelled', null), isStarted: false };
    }
    const { head } = local;
    const action =
      data.action === undefined
        ? local.action
        : localAction(data.action, head.root, this.#settings.root);
    const request = requestOf(data, head, action);
    const controller = this.#controllers.take();
    this.#running.set(id, controller);
    let isStarted = false;
    /** When it started here (`performance.now()`): the run learns the start late, and backdates it. */
    let startedMs = 0;
    // The start message is sent only for an attempt still running START_TOLD_AFTER_MS later (or
    // before its first log): a quick one's reply says it started, and saves a message each way.
    let startTimer: NodeJS.Timeout | undefined;
    let untold: string | null = null;
    let logs = 0;
    // Messages on one connection go in order: the last one sent is the last to arrive.
    let lastTold: Promise<void> = Promise.resolve();
    const tellStart = (): void => {
      clearTimeout(startTimer);
      if (untold === null) return;
      void this.#tell({ t: 'start', id, worker: untold, agoMs: elapsedSince(startedMs) });
      untold = null;
    };
    try {
      const local = await this.#localExecutor();
      const outcome = await local.execute(request, {
        signal: controller.signal,
        ...(head.timeoutMs === undefined ? {} : { timeoutMs: head.timeoutMs }),
        onStart: (localId) => {
          isStarted = true;
          startedMs = performance.now();
          untold = `${workerName}:${localId}`;
          startTimer = setTimeout(tellStart, START_TOLD_AFTER_MS);
        },
        onLog: (message) => {
          tellStart();
          logs++;
          lastTold = this.#tell({ t: 'log', id, message });
        },
      });
      await lastTold;
      const workerId = outcome.workerId === null ? null : `${workerName}:${outcome.workerId}`;
      return {
        outcome: { ...outcome, workerId } as ActionOutcome,
        ...(isStarted ? { ranMs: elapsedSince(startedMs) } : { isStarted }),
        ...(logs === 0 ? {} : { logs }),
      };
    } finally {
      clearTimeout(startTimer);
      this.#running.delete(id);
      this.#controllers.giveBack(controller);
    }
  }

  #tell(message: WorkerMessage): Promise<void> {
    return this.#settings.client.publish(this.#eventsChannel, JSON.stringify(message)).then(
      () => undefined,
      () => {
        // Lost with the connection: the reply still carries the outcome and where it ran.
      },
    );
  }

  #localExecutor(): Promise<Executor> {
    const { kind, concurrency } = this.#settings;
    this.#local ??= createExecutor({ kind, maxWorkers: concurrency });
    return this.#local;
  }

  /** A head of the run, read once; not kept when Redis could not be read (the next tries again). */
  #headOf(id: string): Promise<LocalHead> {
    let local = this.#heads.get(id);
    if (local === undefined) {
      local = this.#readHead(id);
      this.#heads.set(id, local);
    }
    return local;
  }

  async #readHead(id: string): Promise<LocalHead> {
    const { client, root, workerName } = this.#settings;
    let text: string | null;
    try {
      text = await client.hget(headsKeyOf(this.name), id);
    } catch (error) {
      this.#heads.delete(id);
      const message = `cannot read the run's task settings from Redis: ${errorMessage(error)}`;
      return {
        head: null,
        action: undefined,
        refusal: failure('WORKER_CRASHED', message, workerName),
      };
    }
    if (text === null) {
      this.#heads.delete(id);
      const message = `the run's task settings are gone from Redis (head ${id}): the run has ended`;
      return { head: null, action: undefined, refusal: failure('CANCELLED', message, workerName) };
    }
    const head = JSON.parse(text) as QueueHead;
    const action = localAction(head.action, head.root, root);
    if (action.type === 'function' && head.digest !== undefined) {
      const digest = await this.#digestOf(action.module.path);
      if (digest !== head.digest) {
        const what = digest === null ? 'is missing on this worker' : 'differs on this worker';
        const message = `${action.module.source}: the module ${what} (${workerName}: ${action.module.path}); give every worker the same copy of the job folder`;
        return {
          head: null,
          action: undefined,
          refusal: failure('MODULE_MISMATCH', message, workerName),
        };
      }
    }
    return { head, action, refusal: null };
  }

  /** The digest of this worker's copy of a module, `null` when it has none; once per run. */
  #digestOf(path: string): Promise<string | null> {
    let digest = this.#digests.get(path);
    if (digest === undefined) {
      digest = moduleDigest(path).catch(() => null);
      this.#digests.set(path, digest);
    }
    return digest;
  }
}

/** The outcome a given-back reply carries, which the run does not record. */
const GIVEN_BACK = failure('CANCELLED', 'given back unstarted: no free slot on this worker', null);

function failure(
  code: 'CANCELLED' | 'MODULE_MISMATCH' | 'WORKER_CRASHED',
  message: string,
  workerId: string | null,
): ActionOutcome {
  return { ok: false, error: itemError(code, message), workerId };
}
