import { Worker } from 'node:worker_threads';
import type { RunEvent } from '../run/events.ts';
import { truncate } from './format.ts';
import { holdOutput, type HeldOutput } from './held-output.ts';
import type { FromListing, ListingSetup, RowEnd, RowView, ToListing } from './live-protocol.ts';
import { inFlightLines, taskRow, type RowLayout } from './live-rows.ts';
import { isFinalState, RunTally } from './run-tally.ts';
import { createStyle, shouldUseColor } from './style.ts';
import { formatSummary } from './summary.ts';
import { RENDER_INTERVAL_MS } from './throttled-renderer.ts';
import { drain, type Reporter, type ReporterOptions } from './types.ts';

/** Rows the listing keeps free besides tasks and their error lines (prompt, final newline). */
const SPARE_ROWS = 2;
/** listr2's icon and indentation before a row's text. */
const ROW_INDENT = 2;
/** How many events pass between two looks at the clock (`Date.now()` per event would show). */
const EVENTS_PER_CLOCK_CHECK = 64;
/**
 * A worker thread cannot start from a `.ts` entry on Node 20. Next to this module: the compiled
 * entry once built, or from source a `.js` bootstrap that registers tsx and runs live-worker.ts.
 */
const LISTING_ENTRY = new URL('./live-worker.js', import.meta.url);
const CURSOR_SHOW = '\u001B[?25h';

/** What the reporter last sent for a task's row. */
interface SentRow {
  view: RowView;
  hasEnded: boolean;
}

/**
 * `--output live`: a listr2 listing with one row per task in dependency order. listr2 runs on a
 * thread of its own (`live-worker.ts`): this reporter folds the events into a tally, composes each
 * row's text from it at most every `RENDER_INTERVAL_MS` (never per event) and sends the rows that
 * changed; the frames come back as text it writes. The run's thread thus pays for a few messages
 * a second, not for listr2's loading and drawing. Other output is held below the listing until it
 * ends.
 */
export function createLiveReporter(options: ReporterOptions): Reporter {
  const { stdout, stderr } = options;
  const style = createStyle(shouldUseColor(stdout, options.env ?? process.env));
  const tally = new RunTally({ trackInFlight: true });
  const sent = new Map<string, SentRow>();
  let held: HeldOutput | null = null;
  let ticker: NodeJS.Timeout | undefined;
  /** Set on `run-started`, when the listing starts to draw. */
  let isListing = false;
  /** Whether the listing drew its final frame (and gave the cursor back itself). */
  let hasListingEnded = false;

  // The listing thread starts now, while the CLI is still loading the job, so that its start-up
  // and listr2's loading overlap that work rather than the run's. It holds the process open only
  // once the run has started.
  const listing = new Worker(LISTING_ENTRY, {
    // Loader flags (`--import tsx` in development) do not work in threads on Node 20.
    execArgv: [],
  });
  listing.unref();
  const listingEnded = new Promise<void>((resolve) => {
    listing.on('message', (message: FromListing) => {
      if (message.type === 'write') {
        held?.write(message.stream, message.text);
      } else {
        hasListingEnded = true;
        resolve();
      }
    });
    // A listing that fails must not take the run with it: the run goes on, the summary follows.
    listing.on('error', (error) => {
      const line = `\njobrun: the live listing stopped: ${error.message}\n`;
      if (held === null) stderr.write(line);
      else held.write('stderr', line);
      resolve();
    });
    listing.on('exit', () => resolve());
  });

  const layout = (): RowLayout => ({
    idWidth: Math.max(0, ...[...tally.tasks.keys()].map((id) => id.length)),
    // A pseudo-terminal without a size reports 0 columns and rows.
    width: Math.max(10, (stdout.columns || 80) - ROW_INDENT - 2),
    nowMs: Date.now(),
    style,
  });

  /** Screen rows left for in-flight lines, shared by the running map tasks. */
  const inFlightBudget = (): Map<string, number> => {
    const running = [...tally.tasks.values()].filter(
      (task) => task.state === 'running' && (task.inFlight.size > 0 || task.lastLog !== null),
    );
    const fixedRows =
      tally.tasks.size + [...tally.tasks.values()].filter((t) => t.state === 'failed').length;
    const free = Math.max(0, (stdout.rows || 24) - fixedRows - SPARE_ROWS);
    const share = running.length === 0 ? 0 : Math.floor(free / running.length);
    return new Map(
      running.map((task) => [task.info.id, Math.min(share, task.info.executor.maxWorkers + 1)]),
    );
  };

  /** The row of task `id` as it should look now (`budget`: its lines for items in flight). */
  const rowView = (id: string, frame: RowLayout, budget: number): RowView | null => {
    const task = tally.tasks.get(id);
    if (task === undefined) return null;
    const lines = inFlightLines(task, budget, frame);
    if (tally.interrupted !== null && task.state === 'running') {
      const { signal, force } = tally.interrupted;
      lines.unshift(
        truncate(
          force
            ? `${signal} again: cancelling items in flight`
            : `${signal}: finishing items in flight (again to cancel them)`,
          frame.width,
        ),
      );
    }
    return {
      id,
      waiting: task.state === 'waiting',
      title: taskRow(task, frame),
      output: lines.join('\n'),
    };
  };

  const send = (message: ToListing): void => listing.postMessage(message);

  let lastSyncMs = 0;
  let eventsSinceCheck = 0;
  /** Sends the rows whose text or state changed since the last call. */
  const syncAll = (): void => {
    lastSyncMs = Date.now();
    const frame = layout();
    const budget = inFlightBudget();
    const changed: RowView[] = [];
    for (const [id, row] of sent) {
      if (row.hasEnded) continue;
      const view = rowView(id, frame, budget.get(id) ?? 0);
      if (view === null) continue;
      const { view: last } = row;
      if (view.title === last.title && view.output === last.output && view.waiting === last.waiting)
        continue;
      row.view = view;
      changed.push(view);
    }
    if (changed.length > 0) send({ type: 'rows', rows: changed });
  };

  /** Ends task `id`'s row as the tally has it: ok, failed with its first error, or skipped. */
  const endRow = (id: string): void => {
    const row = sent.get(id);
    if (row === undefined || row.hasEnded) return;
    row.hasEnded = true;
    const frame = layout();
    const task = tally.tasks.get(id);
    const outcome = task?.state === 'ok' ? 'ok' : task?.state === 'failed' ? 'failed' : 'skipped';
    const end: RowEnd = {
      id,
      outcome,
      title: task === undefined ? id : taskRow(task, frame),
      error:
        outcome === 'failed'
          ? truncate(task?.firstError ?? 'failed', frame.width - ROW_INDENT)
          : '',
    };
    send({ type: 'end-row', row: end });
  };

  const start = (event: Extract<RunEvent, { type: 'run-started' }>): void => {
    const setup: ListingSetup = {
      tasks: event.tasks.map((info) => info.id),
      columns: stdout.columns || 80,
      rows: stdout.rows || 24,
    };
    for (const id of setup.tasks) {
      sent.set(id, { view: { id, waiting: true, title: id, output: '' }, hasEnded: false });
    }
    held = holdOutput(stdout, stderr);
    isListing = true;
    listing.ref();
    send({ type: 'start', setup });
    syncAll();
    ticker = setInterval(syncAll, RENDER_INTERVAL_MS);
    ticker.unref();
    // If the CLI exits without close() (a crash), give the terminal its cursor and output back.
    process.once('exit', restore);
  };

  /** Stops the listing and gives the terminal back: the cursor, then the output held meanwhile. */
  const restore = (): void => {
    clearInterval(ticker);
    if (!hasListingEnded) held?.write('stdout', CURSOR_SHOW);
    held?.release();
    held = null;
  };

  const endAll = (): void => {
    for (const id of sent.keys()) endRow(id);
  };

  return {
    // Counts come as task-progress events; only items that wait are announced one by one (to
    // show them in flight), so a map of instant items costs the listing nothing per item.
    events: { itemStarted: 'waiting', itemOk: false, progress: true },
    onEvent(event) {
      tally.apply(event);
      // A map of instant items can run as one long chain of microtasks in which no timer fires,
      // so the ticker alone would freeze the screen; every few events, look at the clock too.
      eventsSinceCheck += 1;
      if (eventsSinceCheck >= EVENTS_PER_CLOCK_CHECK && isListing) {
        eventsSinceCheck = 0;
        if (Date.now() - lastSyncMs >= RENDER_INTERVAL_MS) syncAll();
      }
      if (event.type === 'run-started') start(event);
      else if (event.type === 'task-state' && isFinalState(event.state)) endRow(event.task);
      else if (event.type === 'run-finished') endAll();
    },
    async close() {
      if (isListing) {
        syncAll();
        endAll();
        send({ type: 'finish' });
        await listingEnded;
        process.off('exit', restore);
        restore();
      }
      // Once it has sent its final frame the thread has nothing left to do; it no longer holds
      // the process open either way.
      listing.unref();
      void listing.terminate();
      if (tally.summary !== null) {
        const width = stdout.columns || Number.POSITIVE_INFINITY;
        stdout.write(`\n${formatSummary(tally, { width, style }).join('\n')}\n`);
      }
      await drain(stdout);
    },
  };
}
