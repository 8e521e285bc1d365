import { holdOutput, type HeldOutput } from './held-output.ts';
import { listingLines, SPINNER } from './live-rows.ts';
import { RunTally } from './run-tally.ts';
import { createStyle, shouldUseColor } from './style.ts';
import { formatSummary } from './summary.ts';
import {
  createFrameWriter,
  HIDE_CURSOR,
  screenSize,
  SHOW_CURSOR,
  type FrameWriter,
} from './terminal-frame.ts';
import { waitForFlush, type Reporter, type ReporterOptions } from './types.ts';

/** The live listing redraws this often (never per event). */
export const RENDER_INTERVAL_MS = 100;

/**
 * `--output live`: one row per task in dependency order, redrawn in place every
 * `RENDER_INTERVAL_MS` from a tally of the run's events (`listingLines` composes a frame,
 * `createFrameWriter` draws it). Everything runs on the run's thread and costs it a frame ten
 * times a second plus a few map operations per event. Other output is held below the listing
 * until it ends, then the summary follows.
 */
export function createLiveReporter(options: ReporterOptions): Reporter {
  const { stdout, stderr } = options;
  const style = createStyle(shouldUseColor(stdout, options.env ?? process.env));
  const tally = new RunTally({ trackInFlight: true });
  let held: HeldOutput | null = null;
  let screen: FrameWriter | null = null;
  let ticker: NodeJS.Timeout | undefined;
  let frame = 0;

  const draw = (isFinal = false): void => {
    const size = screenSize(stdout);
    const lines = listingLines(tally, {
      ...size,
      nowMs: Date.now(),
      style,
      spinner: SPINNER[frame % SPINNER.length]!,
      isFinal,
    });
    frame += 1;
    screen?.draw(lines, size, isFinal);
  };

  const start = (): void => {
    const listing = holdOutput(stdout, stderr);
    held = listing;
    listing.write('stdout', HIDE_CURSOR);
    screen = createFrameWriter((text) => listing.write('stdout', text));
    draw();
    // Unref'd: the listing alone never keeps the process up (a callback that can never settle
    // is failed when nothing else is left to wait for).
    ticker = setInterval(draw, RENDER_INTERVAL_MS);
    ticker.unref();
    // If the CLI exits without close() (a crash), give the terminal its cursor and output back.
    process.once('exit', restore);
  };

  /** Stops the listing and gives the terminal back: the cursor, then the output held meanwhile. */
  const restore = (): void => {
    clearInterval(ticker);
    held?.write('stdout', SHOW_CURSOR);
    held?.release();
    held = null;
    screen = null;
  };

  return {
    // Counts come as task-progress events; only items that wait are announced one by one (to
    // show them in flight), so a map of instant items costs the listing nothing per item.
    events: { itemStarted: 'waiting', itemOk: false, progress: true },
    onEvent(event) {
      tally.apply(event);
      if (event.type === 'run-started') start();
    },
    async close() {
      if (held !== null) {
        draw(true);
        process.off('exit', restore);
        restore();
      }
      if (tally.summary !== null) {
        const width = stdout.columns || Number.POSITIVE_INFINITY;
        stdout.write(`\n${formatSummary(tally, { width, style }).join('\n')}\n`);
      }
      await waitForFlush(stdout);
    },
  };
}
