import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { Queue, QueueEvents, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { moduleDigest } from '../actions/module-digest.ts';
import type { ActionRequest, ResolvedAction } from '../actions/types.ts';
import { itemError } from '../executors/serialize-error.ts';
import type { ActionOutcome, ExecuteOptions, Executor, ExecutorScope } from '../executors/types.ts';
import type { ExecutorConfig } from '../job/types.ts';
import type { ItemErrorCode } from '../results/types.ts';
import { errorMessage } from '../util/error-message.ts';
import { connectRedis, bullConnection } from './connect.ts';
import {
  toAttemptData,
  travellingAction,
  type QueueAttemptData,
  type QueueHead,
  type QueueJobData,
} from './job-data.ts';
import {
  BEAT_EVERY_MS,
  BEAT_SCRIPT,
  cancelChannelOf,
  COUNT_RECENT_SCRIPT,
  eventsChannelOf,
  headsKeyOf,
  queueNameOf,
  REGISTRY_CHANNEL,
  REGISTRY_KEY,
  WORKER_SILENT_MS,
  WORKERS_KEY,
  type WorkerMessage,
  type WorkerReply,
} from './keys.ts';
import {
  RemoteAttempt,
  type AttemptOwner,
  type QueueJob,
  type RemoteAttemptState,
} from './remote-attempt.ts';
import { displayUrl } from './redis-url.ts';
import { closeWithin } from './close-within.ts';

/**
 * How often the run looks for attempts whose worker died (BullMQ's stalled-job check: a job whose
 * lock its worker stopped renewing). Workers check too, but a run whose only worker died has only
 * itself to notice.
 */
export const STALLED_CHECK_EVERY_MS = 1000;
const STALLED_MESSAGE =
  'the worker running the attempt stopped answering: killed, or its machine or network went ' +
  'away (its lock was not renewed within the lock duration)';
const UNREAD_REPLY =
  'the worker answered in a form this jobrun does not read: give every machine the same jobrun version';
/** A lost Redis connection that is not back within this long fails the attempts in flight. */
export const LOST_AFTER_MS = 2000;
/** A reply whose attempt's log lines have not all arrived waits at most this long for them. */
const LOGS_WAITED_MS = 1000;
/** Each step of the clean-up at the end (closing, removing the queue) gets at most this long. */
export const CLOSE_WITHIN_MS = 2000;
/**
 * Quick attempts of a task travel together, as many to a job as take about this long by the
 * task's recent run times (at most `MAX_ATTEMPTS_PER_JOB`): BullMQ's cost per job (its scripts,
 * its events) is then shared, and a job still holds its worker only briefly.
 */
export const JOB_WORK_MS = 20;
export const MAX_ATTEMPTS_PER_JOB = 16;
/** Weight of the newest run time in a task's running average. */
const RUN_TIME_WEIGHT = 0.1;

/**
 * The `queue` executor: attempts go to `jobrun worker` processes through one BullMQ queue per
 * executor, named after the run. At most `maxWorkers` are in the queue (waiting or running); the
 * others wait here, in order. A job carries one attempt, or several when the task's attempts are
 * quick (`JOB_WORK_MS`). Takes and outcomes come back on BullMQ's events stream (`active`, the
 * jobs' return values), where an attempt runs (when it lasts), what it logs, and the outcome of
 * one that ends while others of its job still run, on the run's pub/sub channel; cancellations go
 * out on another.
 *
 * A timeout or a cancellation settles the attempt here at once and tells the worker, which stops
 * it (its shell group too); attempts that were not taken yet are removed from the queue.
 */
class QueueExecutor implements Executor, AttemptOwner {
  readonly kind = 'queue';
  readonly config: ExecutorConfig;
  readonly #url: string;
  readonly #shownUrl: string;
  readonly #root: string;
  /** The job's `env:`, sent with each `run` command. */
  readonly #jobEnv: Record<string, string>;
  readonly #queueName: string;
  readonly #cancelChannel: string;
  readonly #client: Redis;
  readonly #subscriber: Redis;
  readonly #queue: Queue;
  readonly #events: QueueEvents;
  readonly #checker: Worker;
  /** Attempts without an outcome, by id. */
  readonly #live = new Map<string, RemoteAttempt>();
  /** Jobs in BullMQ with an attempt without an outcome, by id. */
  readonly #jobs = new Map<string, QueueJob>();
  #nextJob = 1;
  /** Each task's running average of its attempts' run times on workers, in ms. */
  readonly #runTimes = new Map<string, number>();
  /** Attempts not yet handed to BullMQ, oldest first. */
  #held: RemoteAttempt[] = [];
  /** Attempts in BullMQ: queued or running. */
  #inQueue = 0;
  /** Attempts counted in the queue whose job is added at the next turn of the event loop. */
  #toAdd: RemoteAttempt[] = [];
  #isAddScheduled = false;
  #nextId = 1;
  /**
   * The heads of its attempts, by task and timeout: the id, and the action the head carries (an
   * attempt whose action is another object carries its own). Written to Redis before the first
   * attempt that names it is added.
   */
  readonly #heads = new Map<string, Promise<{ id: string; action: ResolvedAction }>>();
  #nextHead = 1;
  readonly #digests = new Map<string, Promise<string>>();
  readonly #listened = new Map<AbortSignal, () => void>();
  #hasWorkers: boolean | null = null;
  /** Why Redis cannot be used any more, once the connection is lost. */
  #lost: string | null = null;
  #lostTimer: NodeJS.Timeout | undefined;
  readonly #beatTimer: NodeJS.Timeout;
  #isClosed = false;
  #closed: Promise<void> | undefined;
  #idleWaiters: (() => void)[] = [];

  constructor(
    config: ExecutorConfig & { connection: string },
    parts: {
      client: Redis;
      subscriber: Redis;
      queueName: string;
      root: string;
      jobEnv: Record<string, string>;
    },
  ) {
    this.config = config;
    this.#url = config.connection;
    this.#shownUrl = displayUrl(config.connection);
    this.#root = parts.root;
    this.#jobEnv = parts.jobEnv;
    this.#client = parts.client;
    this.#subscriber = parts.subscriber;
    this.#queueName = parts.queueName;
    this.#cancelChannel = cancelChannelOf(parts.queueName);
    const connection = bullConnection(this.#url);
    this.#queue = new Queue(this.#queueName, {
      connection,
      // BullMQ keeps the last events in a stream; ours must hold those not read yet.
      streams: { events: { maxLen: Math.max(10_000, config.maxWorkers * 20) } },
      defaultJobOptions: { attempts: 1, removeOnComplete: true, removeOnFail: true },
    });
    // The queue is new: reading its stream from the start misses no event.
    this.#events = new QueueEvents(this.#queueName, { connection, lastEventId: '0' });
    this.#checker = new Worker(this.#queueName, null, {
      connection,
      autorun: false,
      maxStalledCount: 0,
      stalledInterval: STALLED_CHECK_EVERY_MS,
      name: 'jobrun-run',
    });
    // Losses are noticed on the run's own connection; BullMQ's reconnect on their own.
    this.#queue.on('error', () => undefined);
    this.#events.on('error', () => undefined);
    this.#checker.on('error', () => undefined);
    this.#events.on('active', ({ jobId }) => {
      for (const attempt of this.#attemptsOf(jobId)) attempt.taken();
    });
    this.#events.on('completed', ({ jobId, returnvalue }) => this.#completed(jobId, returnvalue));
    // A job whose worker stopped renewing its lock (killed, its machine gone): BullMQ's stalled
    // check, with maxStalledCount 0, marks it to fail rather than run again; it fails here at once.
    this.#events.on('stalled', ({ jobId }) => {
      for (const attempt of this.#attemptsOf(jobId)) {
        attempt.fail('WORKER_CRASHED', STALLED_MESSAGE);
      }
    });
    this.#events.on('failed', ({ jobId, failedReason }) => {
      const message = `the worker running the attempt stopped answering (${failedReason})`;
      for (const attempt of this.#attemptsOf(jobId)) attempt.fail('WORKER_CRASHED', message, true);
    });
    this.#subscriber.on('message', (_channel: string, text: string) => this.#message(text));
    this.#client.on('close', () => this.#connectionDropped());
    this.#subscriber.on('close', () => this.#connectionDropped());
    this.#client.on('ready', () => this.#connectionBack());
    this.#subscriber.on('ready', () => this.#connectionBack());
    this.#beatTimer = setInterval(() => void this.#beat(), BEAT_EVERY_MS);
    this.#beatTimer.unref();
  }

  /** Connects its parts and registers the queue with the workers. */
  async open(): Promise<void> {
    await Promise.all([
      this.#subscriber.subscribe(eventsChannelOf(this.#queueName)),
      this.#events.waitUntilReady(),
      this.#queue.waitUntilReady(),
    ]);
    void this.#checker.startStalledCheckTimer().catch(() => undefined);
    await this.#beat();
    await this.#client.publish(REGISTRY_CHANNEL, this.#queueName);
  }

  /** `workers on redis://…` while attempts wait and no worker is connected. */
  get waitingOn(): string | null {
    if (this.#hasWorkers !== false || this.#live.size === 0 || this.#lost !== null) return null;
    return `workers on ${this.#shownUrl}`;
  }

  execute(request: ActionRequest, options: ExecuteOptions = {}): Promise<ActionOutcome> {
    const refusal = this.#refusal(options);
    if (refusal !== null) {
      return Promise.resolve({
        ok: false,
        error: itemError(refusal[0], refusal[1]),
        workerId: null,
      });
    }
    for (const signal of [options.signal, options.stopSignal]) {
      if (signal !== undefined) this.#listen(signal, signal === options.stopSignal);
    }
    const attempt = new RemoteAttempt(`a${this.#nextId++}`, request, options, this);
    this.#live.set(attempt.id, attempt);
    this.#held.push(attempt);
    this.#pump();
    return attempt.outcome;
  }

  shutdown(options: { force?: boolean } = {}): Promise<void> {
    this.#isClosed = true;
    if (options.force) this.#failAll('CANCELLED', 'jobrun is shutting down');
    this.#closed ??= this.#idle().then(() => this.#close());
    return this.#closed;
  }

  settled(attempt: RemoteAttempt, previous: RemoteAttemptState, isAnswered: boolean): void {
    this.#live.delete(attempt.id);
    if (previous.name === 'queued' || previous.name === 'running') {
      this.#inQueue--;
      const { job } = attempt;
      const isJobDone =
        job !== null &&
        job.attempts.every((other) => other.job !== job || other.state.name === 'settled');
      if (isJobDone) this.#jobs.delete(job.id);
      // Settled here first (a timeout, a cancellation): the worker stops it, or never starts it,
      // and a job none of whose attempts is left to run leaves the queue.
      if (!isAnswered) void this.#withdraw(attempt.id, isJobDone ? job.id : null);
      this.#pump();
    }
    if (this.#live.size === 0) this.#wakeIdle();
  }

  timedOut(attempt: RemoteAttempt): void {
    attempt.fail('TIMEOUT', `the attempt timed out after ${attempt.options.timeoutMs} ms`);
  }

  #refusal(options: ExecuteOptions): [ItemErrorCode, string] | null {
    if (this.#isClosed) return ['CANCELLED', 'the executor is shut down'];
    if (options.signal?.aborted === true) return ['CANCELLED', 'the attempt was cancelled'];
    if (options.stopSignal?.aborted === true) {
      return ['CANCELLED', 'jobrun is stopping: the attempt had not started'];
    }
    if (this.#lost !== null) return ['WORKER_CRASHED', this.#lost];
    return null;
  }

  /** One listener per distinct signal (the engine passes the same two for every attempt). */
  #listen(signal: AbortSignal, isStop: boolean): void {
    if (this.#listened.has(signal)) return;
    const onAbort = isStop
      ? (): void => {
          for (const attempt of [...this.#live.values()]) {
            if (attempt.options.stopSignal === signal && attempt.state.name !== 'running') {
              attempt.fail('CANCELLED', 'jobrun is stopping: the attempt had not started');
            }
          }
        }
      : (): void => {
          for (const attempt of [...this.#live.values()]) {
            if (attempt.options.signal === signal) {
              attempt.fail('CANCELLED', 'the attempt was cancelled');
            }
          }
        };
    this.#listened.set(signal, onAbort);
    signal.addEventListener('abort', onAbort, { once: true });
  }

  /** Hands held attempts to BullMQ while fewer than `maxWorkers` are there. */
  #pump(): void {
    while (this.#inQueue < this.config.maxWorkers && this.#held.length > 0) {
      const attempt = this.#held.shift() as RemoteAttempt;
      if (attempt.state.name !== 'held') continue;
      attempt.queued();
      this.#inQueue++;
      this.#toAdd.push(attempt);
    }
    if (this.#toAdd.length > 0 && !this.#isAddScheduled) {
      this.#isAddScheduled = true;
      // The attempts handed over in one turn of the event loop go to Redis in one round trip.
      setImmediate(() => void this.#addBatch());
    }
    if (this.#held.length > 0 && this.#held.length > this.#live.size) {
      this.#held = this.#held.filter((attempt) => attempt.state.name === 'held');
    }
  }

  async #addBatch(): Promise<void> {
    this.#isAddScheduled = false;
    const batch = this.#toAdd;
    this.#toAdd = [];
    try {
      const jobs: { name: string; data: QueueJobData; opts: { jobId: string } }[] = [];
      let job: { id: string; attempts: RemoteAttempt[]; task: string; limit: number } | null = null;
      let data: QueueAttemptData[] = [];
      for (const attempt of batch) {
        const { request } = attempt;
        const head = await this.#headOf(attempt);
        const own =
          request.action === head.action
            ? undefined
            : travellingAction(request.action, this.#root, this.#jobEnv);
        // Settled meanwhile (cancelled): never handed over.
        if (attempt.state.name !== 'queued') continue;
        const { task } = request.context;
        if (job === null || job.task !== task || job.attempts.length >= job.limit) {
          job = {
            id: `j${this.#nextJob++}`,
            attempts: [],
            task,
            limit: this.#attemptsPerJob(task),
          };
          data = [];
          this.#jobs.set(job.id, job);
          jobs.push({ name: 'attempts', data: { attempts: data }, opts: { jobId: job.id } });
        }
        job.attempts.push(attempt);
        attempt.job = job;
        data.push(toAttemptData(attempt.id, request, head.id, own));
      }
      await this.#queue.addBulk(jobs);
    } catch (error) {
      const message =
        this.#lost ?? `cannot hand the attempt to ${this.#shownUrl}: ${errorMessage(error)}`;
      for (const attempt of batch) attempt.fail('WORKER_CRASHED', message);
    }
  }

  /**
   * The head of an attempt's task and timeout, stored in Redis at its first attempt. It carries
   * that attempt's action: the engine gives every attempt of a task the same action object when
   * the action is the same (a function's always is), so only a command or request with `${{ }}`
   * travels with each attempt.
   */
  #headOf(attempt: RemoteAttempt): Promise<{ id: string; action: ResolvedAction }> {
    const { request, options } = attempt;
    const key = `${request.context.task}\0${options.timeoutMs ?? ''}`;
    let head = this.#heads.get(key);
    if (head === undefined) {
      head = this.#storeHead(`h${this.#nextHead++}`, request, options.timeoutMs);
      this.#heads.set(key, head);
      // A failed write is tried again by the next attempt.
      head.catch(() => this.#heads.delete(key));
    }
    return head;
  }

  async #storeHead(
    id: string,
    request: ActionRequest,
    timeoutMs: number | undefined,
  ): Promise<{ id: string; action: ResolvedAction }> {
    const { action, context } = request;
    let digest: string | undefined;
    if (action.type === 'function') {
      const path = action.module.path;
      let pending = this.#digests.get(path);
      if (pending === undefined) {
        pending = moduleDigest(path);
        this.#digests.set(path, pending);
      }
      digest = await pending;
    }
    const head: QueueHead = {
      root: this.#root,
      job: context.job,
      task: context.task,
      ...(timeoutMs === undefined ? {} : { timeoutMs }),
      action: travellingAction(action, this.#root, this.#jobEnv),
      ...(digest === undefined ? {} : { digest }),
    };
    await this.#client.hset(headsKeyOf(this.#queueName), id, JSON.stringify(head));
    return { id, action };
  }

  /** How many attempts of `task` a job carries: one until the task's run times are known. */
  #attemptsPerJob(task: string): number {
    const runMs = this.#runTimes.get(task);
    if (runMs === undefined) return 1;
    const fits = Math.floor(JOB_WORK_MS / Math.max(runMs, JOB_WORK_MS / MAX_ATTEMPTS_PER_JOB));
    return Math.max(1, fits);
  }

  /** The attempts a job still carries: not those given back since. */
  #attemptsOf(jobId: string): RemoteAttempt[] {
    const job = this.#jobs.get(jobId);
    return job === undefined ? [] : job.attempts.filter((attempt) => attempt.job === job);
  }

  #completed(jobId: string, value: unknown): void {
    const job = this.#jobs.get(jobId);
    if (job === undefined) return;
    this.#jobs.delete(jobId);
    const replies = (typeof value === 'string' ? JSON.parse(value) : value) as unknown;
    job.attempts.forEach((attempt, at) => {
      if (attempt.job !== job) return;
      const reply = Array.isArray(replies) ? (replies[at] as WorkerReply | undefined) : undefined;
      if (reply !== undefined) this.#replied(attempt, reply);
      else attempt.fail('WORKER_CRASHED', UNREAD_REPLY, true);
    });
  }

  #replied(attempt: RemoteAttempt, reply: WorkerReply): void {
    if (attempt.state.name === 'settled') return;
    if (reply.isGivenBack === true) {
      this.#givenBack(attempt);
      return;
    }
    const { outcome } = reply;
    // A quick attempt's worker sends no start message: its reply says it started.
    if (reply.isStarted !== false && outcome.workerId !== null) {
      attempt.started(outcome.workerId, (reply.ranMs ?? 0) + (reply.heldMs ?? 0));
    }
    if (reply.ranMs !== undefined) {
      const task = attempt.request.context.task;
      const average = this.#runTimes.get(task);
      this.#runTimes.set(
        task,
        average === undefined ? reply.ranMs : average + (reply.ranMs - average) * RUN_TIME_WEIGHT,
      );
    }
    const settled = outcome.ok ? { ...outcome, value: outcome.value ?? null } : outcome;
    attempt.replied(settled, reply.logs ?? 0, LOGS_WAITED_MS);
  }

  /**
   * A worker gave an attempt back unstarted, having taken more than it could run soon: it goes
   * first in line again, alone in its job (its task counts as slow from now on), for a worker with
   * a free slot.
   */
  #givenBack(attempt: RemoteAttempt): void {
    if (!attempt.requeue()) return;
    this.#inQueue--;
    const task = attempt.request.context.task;
    this.#runTimes.set(task, Math.max(this.#runTimes.get(task) ?? 0, JOB_WORK_MS));
    this.#held.unshift(attempt);
    this.#pump();
  }

  #message(text: string): void {
    let message: WorkerMessage;
    try {
      message = JSON.parse(text) as WorkerMessage;
    } catch {
      return;
    }
    const attempt = this.#live.get(message.id);
    if (attempt === undefined) return;
    if (message.t === 'start') attempt.started(message.worker, message.agoMs);
    else if (message.t === 'log') attempt.logged(message.message);
    else this.#replied(attempt, message.reply);
  }

  /**
   * Tells workers to stop an attempt, and removes its job (`jobId`: none of its attempts is left)
   * from the queue unless a worker holds it (one not taken yet, or one whose worker died).
   */
  async #withdraw(id: string, jobId: string | null): Promise<void> {
    if (this.#lost !== null) return;
    try {
      await this.#client.publish(this.#cancelChannel, id);
      if (jobId !== null) await this.#queue.remove(jobId);
    } catch {
      // Taken meanwhile (its worker got the message), or Redis is gone (noticed elsewhere).
    }
  }

  async #beat(): Promise<void> {
    if (this.#lost !== null || this.#client.status !== 'ready') return;
    try {
      const [, count] = await Promise.all([
        this.#client.eval(BEAT_SCRIPT, 1, REGISTRY_KEY, this.#queueName),
        this.#client.eval(COUNT_RECENT_SCRIPT, 1, WORKERS_KEY, WORKER_SILENT_MS),
      ]);
      this.#hasWorkers = Number(count) > 0;
    } catch {
      // The next beat tries again; a lost connection is noticed by its own events.
    }
  }

  #connectionDropped(): void {
    if (this.#lost !== null || this.#lostTimer !== undefined || this.#closed !== undefined) return;
    this.#lostTimer = setTimeout(() => {
      this.#lostTimer = undefined;
      if (this.#client.status === 'ready' && this.#subscriber.status === 'ready') return;
      this.#lost = `lost the connection to ${this.#shownUrl}`;
      this.#failAll('WORKER_CRASHED', this.#lost);
    }, LOST_AFTER_MS);
    this.#lostTimer.unref();
  }

  #connectionBack(): void {
    if (this.#client.status !== 'ready' || this.#subscriber.status !== 'ready') return;
    clearTimeout(this.#lostTimer);
    this.#lostTimer = undefined;
  }

  #failAll(code: ItemErrorCode, message: string): void {
    for (const attempt of [...this.#live.values()]) attempt.fail(code, message);
  }

  #idle(): Promise<void> {
    if (this.#live.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  #wakeIdle(): void {
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  /** Removes the queue and everything of the run from Redis, then closes every connection. */
  async #close(): Promise<void> {
    clearInterval(this.#beatTimer);
    clearTimeout(this.#lostTimer);
    for (const [signal, onAbort] of this.#listened) signal.removeEventListener('abort', onAbort);
    this.#listened.clear();
    const isReachable = this.#lost === null && this.#client.status === 'ready';
    if (isReachable) {
      await closeWithin(CLOSE_WITHIN_MS, async () => {
        await this.#client.zrem(REGISTRY_KEY, this.#queueName);
        await this.#client.publish(REGISTRY_CHANNEL, this.#queueName);
      });
    }
    await Promise.all([
      closeWithin(CLOSE_WITHIN_MS, () => this.#checker.close(true)),
      closeWithin(CLOSE_WITHIN_MS, () => this.#events.close()),
    ]);
    if (isReachable) {
      await closeWithin(CLOSE_WITHIN_MS, () => this.#queue.obliterate({ force: true }));
      await closeWithin(CLOSE_WITHIN_MS, () => this.#client.del(headsKeyOf(this.#queueName)));
    }
    await closeWithin(CLOSE_WITHIN_MS, () => this.#queue.close());
    for (const part of [this.#queue, this.#events, this.#checker]) void part.disconnect();
    this.#subscriber.disconnect();
    this.#client.disconnect();
  }
}

/**
 * Creates the `queue` executor of a run: connects to its Redis (one line and no run when that
 * fails), creates the run's BullMQ queue and tells the workers about it.
 *
 * @throws {QueueConnectionError} when Redis cannot be used (unreachable, an eviction policy).
 */
export async function createQueueExecutor(
  config: ExecutorConfig,
  scope: ExecutorScope = {},
): Promise<Executor> {
  const url = config.connection;
  if (url === undefined) {
    throw new TypeError('Expected `connection` of a queue executor to be a redis:// URL');
  }
  const client = await connectRedis(url);
  const subscriber = client.duplicate();
  subscriber.on('error', () => undefined);
  const queueName = queueNameOf(scope.runId ?? randomUUID());
  const executor = new QueueExecutor(
    { ...config, connection: url },
    {
      client,
      subscriber,
      queueName,
      root: scope.jobDir ?? process.cwd(),
      jobEnv: scope.jobEnv ?? {},
    },
  );
  setMaxListeners(0, client);
  await executor.open();
  return executor;
}
