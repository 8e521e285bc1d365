import type { ActionOutcome } from '../executors/types.ts';

/**
 * What jobrun keeps in a queue executor's Redis besides BullMQ's own keys (`bull:jobrun-…`), and
 * the pub/sub channels between a run and its workers. docs/queue.md lists them for operators.
 */

/** Sorted set: each live run's queue name, scored by its last beat (Redis server time, ms). */
export const REGISTRY_KEY = 'jobrun:queues';
/** Told at once when a run's queue comes or goes, so workers need not poll for it. */
export const REGISTRY_CHANNEL = 'jobrun:queues';
/** Sorted set: each live worker (`host:pid`), scored by its last beat (Redis server time, ms). */
export const WORKERS_KEY = 'jobrun:workers';

/** How often runs and workers beat. */
export const BEAT_EVERY_MS = 1000;
/** A worker silent this long does not count as connected (the listing waits for workers). */
export const WORKER_SILENT_MS = 5000;
/** A run silent this long has died without cleaning up: workers leave its queue and remove it. */
export const RUN_SILENT_MS = 30_000;

/** The BullMQ queue of one run. */
export function queueNameOf(runId: string): string {
  return `jobrun-${runId}`;
}

/** Workers tell the run here that an attempt started, and what it logs. */
export function eventsChannelOf(queueName: string): string {
  return `jobrun:${queueName}:events`;
}

/** The run tells workers here to stop an attempt (a timeout, a cancellation). */
export function cancelChannelOf(queueName: string): string {
  return `jobrun:${queueName}:cancel`;
}

/** Hash: the heads of a run's attempts (what the attempts of a task share), by id. */
export function headsKeyOf(queueName: string): string {
  return `jobrun:${queueName}:heads`;
}

/**
 * What a worker answers for each attempt: BullMQ's job return value is the list of its attempts'
 * replies, in their order (kept short: it is stored, and sent on the events stream).
 */
export interface WorkerReply {
  outcome: ActionOutcome;
  /** `false` when the attempt never started (cancelled first, a module mismatch); else left out. */
  isStarted?: false;
  /** How many log messages the attempt sent, which the run waits for before its outcome. */
  logs?: number;
  /** How long it ran on the worker, in ms: its start there, for a run that learns it from this. */
  ranMs?: number;
  /** How long the reply waited on the worker after the attempt ended (for others of its job). */
  heldMs?: number;
  /** Never started: the worker had no free slot for it in time, and the run hands it over again. */
  isGivenBack?: true;
}

/** A message on a run's events channel. */
export type WorkerMessage =
  | { t: 'start'; id: string; worker: string; agoMs: number }
  | { t: 'log'; id: string; message: string }
  /**
   * An attempt that ended while others of its job still run, or that was given back unstarted:
   * its reply, before the job's.
   */
  | { t: 'done'; id: string; reply: WorkerReply };

// The scripts read the time from Redis itself, so machines whose clocks differ agree on who is
// silent.
const NOW = `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
`;

/** KEYS[1] a sorted set, ARGV[1] a member: scores it now. */
export const BEAT_SCRIPT = `${NOW}redis.call('ZADD', KEYS[1], now, ARGV[1])
return now`;

/** KEYS[1] a sorted set, ARGV[1] ms: how many members beat within that long. */
export const COUNT_RECENT_SCRIPT = `${NOW}return redis.call('ZCOUNT', KEYS[1], now - tonumber(ARGV[1]), '+inf')`;

/**
 * KEYS[1] a sorted set, ARGV[1] ms: the members that beat within that long, then `''`, then those
 * silent for longer.
 */
export const SPLIT_RECENT_SCRIPT = `${NOW}local recent = redis.call('ZRANGEBYSCORE', KEYS[1], now - tonumber(ARGV[1]), '+inf')
local silent = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', '(' .. (now - tonumber(ARGV[1])))
table.insert(recent, '')
for _, name in ipairs(silent) do table.insert(recent, name) end
return recent`;
