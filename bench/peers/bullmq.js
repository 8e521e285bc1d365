// The raw BullMQ row of the queue case: BullMQ used directly, as a user would without jobrun.
//   node bench/peers/bullmq.js worker URL QUEUE CONCURRENCY MS     runs jobs until killed
//   node bench/peers/bullmq.js produce URL QUEUE ITEMS              → {"ms": …}
// The producer adds every job at once (addBulk) and waits for each one's result through
// QueueEvents; workers sleep MS (0: a no-op) and return the item. Jobs are removed as they finish.
// Its time covers what a jobrun run's own duration (its summary's durationMs) covers: connecting
// and creating the queue, then every job; not removing the queue at the end.
import { performance } from 'node:perf_hooks';
import { Queue, QueueEvents, Worker } from 'bullmq';
import sleep from '../fixtures/sleep.js';

const [role, url, name, count, ms] = process.argv.slice(2);
const connection = { url };

if (role === 'worker') {
  const wait = Number(ms);
  const worker = new Worker(
    name,
    async (job) => {
      if (wait > 0) await sleep(wait);
      return job.data.i;
    },
    { connection, concurrency: Number(count) },
  );
  await worker.waitUntilReady();
  console.log('ready');
  process.on('SIGTERM', () => {
    // Closing waits on Redis; the measurement is over, so it gets a second at most.
    setTimeout(() => process.exit(0), 1000).unref();
    void worker.close(true).then(() => process.exit(0));
  });
} else {
  const items = Number(count);
  // Timed like jobrun's run: from connecting to the last result, workers already running.
  const started = performance.now();
  // Every job is in Redis at once, so the events stream (about 4 events a job) must hold all of
  // them until read: BullMQ's default trims it to 10,000, and a producer busy adding jobs fell
  // behind and never saw some completions. The queue is new, so reading from the start misses
  // nothing (jobrun's coordinator does the same).
  const queue = new Queue(name, { connection, streams: { events: { maxLen: items * 5 } } });
  const events = new QueueEvents(name, { connection, lastEventId: '0' });
  await events.waitUntilReady();
  let done = 0;
  const finished = new Promise((resolve) => {
    events.on('completed', () => {
      if (++done === items) resolve();
    });
  });
  const jobs = Array.from({ length: items }, (_, i) => ({
    name: 'item',
    data: { i },
    opts: { removeOnComplete: true, removeOnFail: true },
  }));
  for (let at = 0; at < items; at += 1000) await queue.addBulk(jobs.slice(at, at + 1000));
  await finished;
  const elapsed = performance.now() - started;
  await Promise.all([events.close(), queue.obliterate({ force: true })]);
  await queue.close();
  console.log(JSON.stringify({ ms: elapsed }));
}
