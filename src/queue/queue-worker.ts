import { hostname } from 'node:os';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { ExecutorKind } from '../job/types.ts';
import { errorMessage } from '../util/error-message.ts';
import { closeWithin } from './close-within.ts';
import { bullConnection, connectRedis } from './connect.ts';
import {
  BEAT_EVERY_MS,
  BEAT_SCRIPT,
  cancelChannelOf,
  headsKeyOf,
  REGISTRY_CHANNEL,
  REGISTRY_KEY,
  RUN_SILENT_MS,
  SPLIT_RECENT_SCRIPT,
  WORKERS_KEY,
} from './keys.ts';
import { displayUrl } from './redis-url.ts';
import { RunQueue } from './run-queue.ts';

/** Without a message, a worker looks for new and ended runs this often. */
const DISCOVER_EVERY_MS = 5000;
/** A forced stop ends the worker within this long, whatever its connections do. */
const FORCED_STOP_MS = 3000;
/** The default `--lock-duration`: a worker silent this long has crashed. */
export const DEFAULT_LOCK_DURATION_MS = 5000;

/** Options of `jobrun worker`. */
export interface QueueWorkerOptions {
  /** `redis://HOST:PORT` */
  connection: string;
  /** @default 'process' */
  kind?: Exclude<ExecutorKind, 'queue'>;
  /** Attempts at once per run. @default the CPU count */
  concurrency: number;
  /** This machine's copy of the job folder. @default the coordinator's path */
  root?: string;
  /** @default DEFAULT_LOCK_DURATION_MS */
  lockDurationMs?: number;
  /** One line per event worth telling (ready, a run joined or left, the connection). */
  log: (line: string) => void;
}

/** A running `jobrun worker`. */
export interface QueueWorker {
  /** `host:pid` */
  readonly name: string;
  /** Stops taking attempts; waits for running ones unless `force`. */
  stop(options?: { force?: boolean }): Promise<void>;
}

/** Where a worker is: serving runs, or stopping (it takes nothing new). */
type WorkerState = { name: 'serving' } | { name: 'stopping'; done: Promise<void> };

class Serving implements QueueWorker {
  readonly name: string;
  readonly #options: QueueWorkerOptions;
  readonly #client: Redis;
  readonly #subscriber: Redis;
  readonly #runs = new Map<string, RunQueue>();
  readonly #beatTimer: NodeJS.Timeout;
  readonly #discoverTimer: NodeJS.Timeout;
  #state: WorkerState = { name: 'serving' };
  #isDiscovering = false;
  #isDiscoverAgain = false;
  #isLost = false;

  constructor(options: QueueWorkerOptions, client: Redis, subscriber: Redis) {
    this.name = `${hostname()}:${process.pid}`;
    this.#options = options;
    this.#client = client;
    this.#subscriber = subscriber;
    subscriber.on('message', (channel: string, text: string) => {
      if (channel === REGISTRY_CHANNEL) void this.#discover();
      else this.#runs.get(channel.slice('jobrun:'.length, -':cancel'.length))?.cancel(text);
    });
    client.on('close', () => {
      if (this.#isLost || this.#state.name !== 'serving') return;
      this.#isLost = true;
      options.log(`lost the connection to ${displayUrl(options.connection)}; reconnecting`);
    });
    client.on('ready', () => {
      if (!this.#isLost) return;
      this.#isLost = false;
      options.log(`connected again to ${displayUrl(options.connection)}`);
      void this.#discover();
    });
    this.#beatTimer = setInterval(() => void this.#beat(), BEAT_EVERY_MS);
    this.#discoverTimer = setInterval(() => void this.#discover(), DISCOVER_EVERY_MS);
  }

  async start(): Promise<void> {
    await this.#subscriber.subscribe(REGISTRY_CHANNEL);
    await this.#beat();
    await this.#discover();
  }

  stop(options: { force?: boolean } = {}): Promise<void> {
    const force = options.force === true;
    let done: Promise<void>;
    if (this.#state.name === 'stopping') {
      if (force) for (const run of this.#runs.values()) void run.close(true);
      done = this.#state.done;
    } else {
      done = this.#stop(force);
      this.#state = { name: 'stopping', done };
    }
    // Forced, the worker ends even when Redis is gone and closing its connections would hang.
    return force ? closeWithin(FORCED_STOP_MS, () => done) : done;
  }

  async #stop(force: boolean): Promise<void> {
    clearInterval(this.#beatTimer);
    clearInterval(this.#discoverTimer);
    await Promise.all([...this.#runs.values()].map((run) => run.close(force)));
    this.#runs.clear();
    if (this.#client.status === 'ready') {
      await closeWithin(1000, () => this.#client.zrem(WORKERS_KEY, this.name));
    }
    this.#subscriber.disconnect();
    this.#client.disconnect();
  }

  async #beat(): Promise<void> {
    if (this.#client.status !== 'ready') return;
    try {
      await this.#client.eval(BEAT_SCRIPT, 1, WORKERS_KEY, this.name);
    } catch {
      // The next beat tries again.
    }
  }

  /** Joins the queues of live runs and leaves those that ended; one look at a time. */
  async #discover(): Promise<void> {
    if (this.#isDiscovering) {
      this.#isDiscoverAgain = true;
      return;
    }
    this.#isDiscovering = true;
    try {
      do {
        this.#isDiscoverAgain = false;
        await this.#look();
      } while (this.#isDiscoverAgain);
    } catch {
      // Redis is away: the next look, or the reconnection, tries again.
    } finally {
      this.#isDiscovering = false;
    }
  }

  async #look(): Promise<void> {
    if (this.#state.name !== 'serving' || this.#client.status !== 'ready') return;
    const names = (await this.#client.eval(
      SPLIT_RECENT_SCRIPT,
      1,
      REGISTRY_KEY,
      RUN_SILENT_MS,
    )) as string[];
    const split = names.indexOf('');
    const live = new Set(names.slice(0, split));
    const silent = names.slice(split + 1);
    if (this.#state.name !== 'serving') return;
    for (const name of live) if (!this.#runs.has(name)) await this.#join(name);
    for (const [name, run] of this.#runs) if (!live.has(name)) this.#leave(name, run);
    // A run that died without cleaning up: whoever sees it first removes its queue.
    for (const name of silent) await this.#removeAbandoned(name);
  }

  async #join(name: string): Promise<void> {
    const options = this.#options;
    const run = new RunQueue(name, {
      url: options.connection,
      workerName: this.name,
      kind: options.kind ?? 'process',
      concurrency: options.concurrency,
      ...(options.root === undefined ? {} : { root: options.root }),
      lockDurationMs: options.lockDurationMs ?? DEFAULT_LOCK_DURATION_MS,
      client: this.#client,
    });
    this.#runs.set(name, run);
    await this.#subscriber.subscribe(cancelChannelOf(name));
    options.log(`joined ${name}`);
  }

  #leave(name: string, run: RunQueue): void {
    this.#runs.delete(name);
    void this.#subscriber.unsubscribe(cancelChannelOf(name)).catch(() => undefined);
    // The run has ended: whatever still runs here was cancelled there.
    void run.close(true).then(() => {
      const { attemptsTaken: attempts, jobsTaken: jobs } = run;
      const what = `${attempts} attempt${attempts === 1 ? '' : 's'} in ${jobs} job${jobs === 1 ? '' : 's'}`;
      this.#options.log(`left ${name}: ran ${what}`);
    });
  }

  /**
   * Removes the queue of a run that died without cleaning up. The worker that takes it out of the
   * registry does it; when removing fails, it puts it back as silent, for a later look.
   */
  async #removeAbandoned(name: string): Promise<void> {
    const isMine = (await this.#client.zrem(REGISTRY_KEY, name)) === 1;
    if (!isMine) return;
    const queue = new Queue(name, { connection: bullConnection(this.#options.connection) });
    queue.on('error', () => undefined);
    let failure: string | null = 'it took longer than 5 s';
    await closeWithin(5000, async () => {
      try {
        await queue.obliterate({ force: true });
        failure = null;
      } catch (error) {
        failure = errorMessage(error);
      }
    });
    await closeWithin(1000, () => queue.close());
    void queue.disconnect();
    if (failure !== null) {
      await this.#client.zadd(REGISTRY_KEY, 0, name);
      this.#options.log(
        `could not remove ${name} (its run stopped answering): ${failure}; trying again`,
      );
      return;
    }
    await this.#client.del(headsKeyOf(name));
    this.#options.log(`removed ${name}: its run stopped answering`);
  }
}

/**
 * Starts `jobrun worker`: connects (one line and no worker when Redis cannot be used), beats so
 * that runs see it, and serves every live run's queue until stopped.
 *
 * @throws {QueueConnectionError}
 */
export async function startQueueWorker(options: QueueWorkerOptions): Promise<QueueWorker> {
  const client = await connectRedis(options.connection, '--connection');
  const subscriber = client.duplicate();
  subscriber.on('error', () => undefined);
  const worker = new Serving(options, client, subscriber);
  await worker.start();
  return worker;
}
