import type { ListrTask, ListrTaskWrapper } from 'listr2';
import type { RunEvent } from '../run/events.ts';
import { truncate } from './format.ts';
import { inFlightLines, taskRow, type RowLayout } from './live-rows.ts';
import { isFinalState, RunTally } from './run-tally.ts';
import { createStyle, shouldUseColor } from './style.ts';
import { formatSummary } from './summary.ts';
import {
  createThrottledRenderer,
  RENDER_INTERVAL_MS,
  type RenderGate,
} from './throttled-renderer.ts';
import { drain, type Reporter, type ReporterOptions } from './types.ts';

/** Rows the listing keeps free besides tasks and their error lines (prompt, final newline). */
const SPARE_ROWS = 2;
/** listr2's icon and indentation before a row's text. */
const ROW_INDENT = 2;
/** How many events pass between two looks at the clock (`Date.now()` per event would show). */
const EVENTS_PER_CLOCK_CHECK = 64;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Wrapper = ListrTaskWrapper<object, any, any>;
type ListrRow = Wrapper['task'];

interface TaskView {
  id: string;
  /** listr2's own task object, drawn by the renderer whether or not listr2 has run it yet. */
  row: ListrRow | null;
  settle: () => void;
  settled: Promise<void>;
  title: string;
  output: string;
}

/**
 * `--output live`: a listr2 listing with one row per task in dependency order. listr2 wants to run
 * the tasks itself, so each listr2 task only awaits a promise this reporter settles when the
 * task's final `task-state` event arrives; titles and the lines under a running task are copied
 * from the event tally at most every `RENDER_INTERVAL_MS`, never per event.
 */
export async function createLiveReporter(options: ReporterOptions): Promise<Reporter> {
  const { Listr, DefaultRenderer, ListrLogger, ListrTaskState, ProcessOutput } =
    // One bundled module with its terminal modules (scripts/build-vendor.js): nothing left for
    // listr2 to import when the listing starts, which a busy run could delay.
    await import('#listr2');
  const { stdout, stderr } = options;
  const style = createStyle(shouldUseColor(stdout, options.env ?? process.env));
  const tally = new RunTally({ trackInFlight: true });
  const views = new Map<string, TaskView>();
  let listrRun: Promise<unknown> | null = null;
  let ticker: NodeJS.Timeout | undefined;
  let processOutput: InstanceType<typeof ProcessOutput> | null = null;

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

  const sync = (view: TaskView, frame: RowLayout, budget: Map<string, number>): void => {
    const task = tally.tasks.get(view.id);
    const row = view.row;
    if (task === undefined || row === null) return;
    const wanted = task.state === 'waiting' ? ListrTaskState.WAITING : ListrTaskState.STARTED;
    // Before listr2 has checked a row (enabled it) its state must stay WAITING, or it is never drawn.
    if (row.isEnabled() && !isFinalState(task.state) && row.state !== wanted) row.state$ = wanted;
    const title = taskRow(task, frame);
    if (title !== view.title) {
      view.title = title;
      row.title$ = title;
    }
    const lines = inFlightLines(task, budget.get(view.id) ?? 0, frame);
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
    const output = lines.join('\n');
    if (output !== view.output) {
      view.output = output;
      row.output$ = output;
    }
  };

  let lastSyncMs = 0;
  let eventsSinceCheck = 0;
  const gate: RenderGate = { isHeld: false, renderer: null };
  const syncAll = (): void => {
    lastSyncMs = Date.now();
    const frame = layout();
    const budget = inFlightBudget();
    gate.isHeld = true;
    try {
      for (const view of views.values()) sync(view, frame, budget);
    } finally {
      gate.isHeld = false;
    }
    gate.renderer?.update();
  };

  const finish = async (view: TaskView, wrapper: Wrapper): Promise<void> => {
    syncAll();
    await view.settled;
    const task = tally.tasks.get(view.id);
    sync(view, layout(), new Map());
    if (task?.state === 'ok') {
      if (wrapper.task.state !== ListrTaskState.STARTED)
        wrapper.task.state$ = ListrTaskState.STARTED;
      return;
    }
    if (task?.state === 'failed') {
      const width = layout().width - ROW_INDENT;
      throw new Error(truncate(task.firstError ?? 'failed', width));
    }
    wrapper.skip(view.title);
  };

  const start = (event: Extract<RunEvent, { type: 'run-started' }>): void => {
    const tasks: ListrTask[] = event.tasks.map((info) => {
      let settle = (): void => {};
      const settled = new Promise<void>((resolve) => (settle = resolve));
      const view: TaskView = {
        id: info.id,
        row: null,
        settle,
        settled,
        title: info.id,
        output: '',
      };
      views.set(info.id, view);
      return {
        title: info.id,
        task: (_ctx, wrapper: Wrapper) => finish(view, wrapper),
        rendererOptions: { outputBar: true, persistentOutput: false },
      };
    });
    processOutput = new ProcessOutput(stdout as NodeJS.WriteStream, stderr as NodeJS.WriteStream);
    const listr = new Listr(tasks, {
      concurrent: true,
      exitOnError: false,
      collectErrors: false,
      registerSignalListeners: false,
      renderer: createThrottledRenderer(DefaultRenderer, gate),
      rendererOptions: {
        collapseErrors: false,
        showErrorMessage: true,
        collapseSkips: true,
        showSkipMessage: true,
        formatOutput: 'truncate',
        removeEmptyLines: true,
        logger: new ListrLogger({ processOutput }),
      },
    });
    // Rows are updated through listr2's task objects rather than the wrappers its task functions
    // get, because a busy run can delay those functions until the very end.
    listr.tasks.forEach((row, i) => {
      const view = views.get(event.tasks[i]?.id ?? '');
      if (view !== undefined) view.row = row;
    });
    listrRun = listr.run().catch(() => undefined);
    ticker = setInterval(syncAll, RENDER_INTERVAL_MS);
    ticker.unref();
    // If the CLI exits without close() (a crash), give the terminal its cursor and output back.
    process.once('exit', restoreOnExit);
  };

  const restoreOnExit = (): void => {
    try {
      processOutput?.release();
    } catch {
      // Already released: nothing to restore.
    }
  };

  const settleAll = (): void => {
    for (const view of views.values()) view.settle();
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
      if (eventsSinceCheck >= EVENTS_PER_CLOCK_CHECK && views.size > 0) {
        eventsSinceCheck = 0;
        if (Date.now() - lastSyncMs >= RENDER_INTERVAL_MS) syncAll();
      }
      if (event.type === 'run-started') start(event);
      else if (event.type === 'task-state' && isFinalState(event.state)) {
        views.get(event.task)?.settle();
      } else if (event.type === 'run-finished') settleAll();
    },
    async close() {
      settleAll();
      if (listrRun !== null) await listrRun;
      clearInterval(ticker);
      process.off('exit', restoreOnExit);
      if (tally.summary !== null) {
        const width = stdout.columns || Number.POSITIVE_INFINITY;
        stdout.write(`\n${formatSummary(tally, { width, style }).join('\n')}\n`);
      }
      await drain(stdout);
    },
  };
}
