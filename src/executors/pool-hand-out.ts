import type { Attempt } from './pool-attempt.ts';
import type { PoolWorker } from './pool-worker.ts';

/**
 * How many attempts one worker holds: the one it runs and the ones waiting behind it. More than 1
 * spares a round trip between two attempts; an idle worker takes waiting ones over, so a long
 * attempt never keeps them. @default 4
 */
export const PIPELINE_DEPTH = 4;

/** What the hand-out policy sees of a pool. */
export interface HandOutPlace {
  /** Attempts no worker has, in order; the policy takes from its front. */
  readonly queue: Attempt[];
  readonly workers: readonly PoolWorker[];
  readonly maxWorkers: number;
  /** Starts one more worker (it joins `workers`); false when it cannot. */
  readonly spawn: () => boolean;
}

/**
 * Hands queued attempts out: to idle workers first, then to new workers, and only then to a
 * place behind a busy worker's current attempt, level by level so a short queue spreads over
 * the workers. One attempt stays queued for each worker still starting. The workers send what
 * they were given on their next `flush`.
 */
export function handOut({ queue, workers, maxWorkers, spawn }: HandOutPlace): void {
  const assignNext = (worker: PoolWorker): void => {
    const attempt = queue.shift();
    if (attempt !== undefined) worker.assign(attempt);
  };
  for (const worker of workers) {
    if (queue.length === 0) return;
    if (worker.isReady && worker.load === 0) assignNext(worker);
  }
  let starting = workers.filter(({ state }) => state.name === 'starting').length;
  while (queue.length > starting && workers.length < maxWorkers) {
    if (!spawn()) return;
    starting++;
  }
  for (let depth = 1; depth < PIPELINE_DEPTH && queue.length > starting; depth++) {
    for (const worker of workers) {
      if (queue.length <= starting) break;
      if (worker.isReady && worker.load === depth) assignNext(worker);
    }
  }
}

/** Ready workers that hold nothing. */
export function idleCount(workers: readonly PoolWorker[]): number {
  return workers.filter((worker) => worker.isReady && worker.load === 0).length;
}

/**
 * With nothing queued, which held attempts to ask back so that no worker stays idle while another
 * holds attempts it has not started: one per idle worker (less the ones already asked back),
 * each from the worker holding the most at that point, its last one (the furthest from starting,
 * so the least likely to start before the request arrives).
 */
export function chooseRecalls(workers: readonly PoolWorker[]): [PoolWorker, Attempt][] {
  let wanted = idleCount(workers);
  for (const worker of workers) wanted -= worker.recalling;
  const waitingOf = new Map(workers.map((worker) => [worker, worker.waiting]));
  const chosen: [PoolWorker, Attempt][] = [];
  for (; wanted > 0; wanted--) {
    let victim: PoolWorker | undefined;
    let most: Attempt[] = [];
    for (const [worker, waiting] of waitingOf) {
      if (worker.isReady && waiting.length > most.length) {
        victim = worker;
        most = waiting;
      }
    }
    const last = most.pop();
    if (victim === undefined || last === undefined) break;
    chosen.push([victim, last]);
  }
  return chosen;
}
