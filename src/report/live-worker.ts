// The listing thread of `--output live`: runs listr2 on the rows the reporter sends and posts
// every frame back as text. Starting the thread, loading listr2, its first frame (terminal
// modules, text measuring) and every redraw happen here, on another core, so a run on the main
// thread never waits for the screen. The thread is started before the job is loaded and waits for
// `start`.

import { parentPort } from 'node:worker_threads';
import { DefaultRenderer, Listr, ListrLogger, ListrTaskState, ProcessOutput } from 'listr2';
import type { ListrTask, ListrTaskWrapper } from 'listr2';
import type { FromListing, ListingSetup, RowEnd, RowView, ToListing } from './live-protocol.ts';
import { createThrottledRenderer, type RenderGate } from './throttled-renderer.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Wrapper = ListrTaskWrapper<object, any, any>;
type ListrRow = Wrapper['task'];

interface Row {
  /** listr2's own task object, drawn by the renderer whether or not listr2 has run it yet. */
  task: ListrRow | null;
  view: RowView;
  /** Set once the reporter has ended the row: later views change its text, not its state. */
  hasEnded: boolean;
  end: (row: RowEnd) => void;
  ended: Promise<RowEnd>;
}

if (parentPort === null) throw new Error('live-worker.js runs as a worker thread of jobrun');
const port = parentPort;
const post = (message: FromListing): void => port.postMessage(message);

/** The terminal as listr2 and log-update see it: its size, and writes that go to the reporter. */
const screen = (stream: 'stdout' | 'stderr', setup: ListingSetup): NodeJS.WriteStream =>
  ({
    isTTY: true,
    columns: setup.columns,
    rows: setup.rows,
    write(chunk: string | Uint8Array, ...rest: unknown[]): boolean {
      const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
      post({ type: 'write', stream, text });
      const callback = rest.at(-1);
      if (typeof callback === 'function') (callback as () => void)();
      return true;
    },
  }) as unknown as NodeJS.WriteStream;

const rows = new Map<string, Row>();
const gate: RenderGate = { isHeld: false, renderer: null };
let listed: Promise<unknown> | null = null;

/** Copies a row's latest view onto its listr2 task; listr2 redraws (throttled) on each change. */
function apply(row: Row): void {
  const { task, view } = row;
  if (task === null) return;
  const wanted = view.waiting ? ListrTaskState.WAITING : ListrTaskState.STARTED;
  // Before listr2 has checked a row (enabled it) its state must stay WAITING, or it is never drawn.
  if (task.isEnabled() && !row.hasEnded && task.state !== wanted) task.state$ = wanted;
  if (task.title !== view.title) task.title$ = view.title;
  if (task.output !== view.output) task.output$ = view.output;
}

function endRow(row: Row, end: RowEnd): void {
  row.hasEnded = true;
  row.end(end);
}

/** Runs as listr2's task function: waits for the reporter to end the row, then ends it so. */
async function finish(row: Row, wrapper: Wrapper): Promise<void> {
  apply(row);
  const end = await row.ended;
  row.view = { id: end.id, waiting: false, title: end.title, output: '' };
  apply(row);
  if (end.outcome === 'ok') {
    if (wrapper.task.state !== ListrTaskState.STARTED) wrapper.task.state$ = ListrTaskState.STARTED;
    return;
  }
  if (end.outcome === 'failed') throw new Error(end.error);
  wrapper.skip(end.title);
}

function start(setup: ListingSetup): void {
  const tasks: ListrTask[] = setup.tasks.map((id) => {
    let end: (row: RowEnd) => void = () => {};
    const ended = new Promise<RowEnd>((resolve) => (end = resolve));
    const row: Row = {
      task: null,
      view: { id, waiting: true, title: id, output: '' },
      hasEnded: false,
      end,
      ended,
    };
    rows.set(id, row);
    return {
      title: id,
      task: (_ctx, wrapper: Wrapper) => finish(row, wrapper),
      rendererOptions: { outputBar: true, persistentOutput: false },
    };
  });

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
      logger: new ListrLogger({
        processOutput: new ProcessOutput(screen('stdout', setup), screen('stderr', setup)),
      }),
    },
  });
  // Rows are updated through listr2's task objects rather than the wrappers its task functions
  // get, since listr2 calls those functions only once it has started the listing.
  listr.tasks.forEach((task, i) => {
    const row = rows.get(setup.tasks[i] ?? '');
    if (row !== undefined) row.task = task;
  });
  listed = listr.run().catch(() => undefined);
}

function update(views: RowView[]): void {
  gate.isHeld = true;
  try {
    for (const view of views) {
      const row = rows.get(view.id);
      if (row === undefined) continue;
      row.view = view;
      apply(row);
    }
  } finally {
    gate.isHeld = false;
  }
  gate.renderer?.update();
}

port.on('message', (message: ToListing) => {
  switch (message.type) {
    case 'start':
      start(message.setup);
      break;
    case 'rows':
      update(message.rows);
      break;
    case 'end-row': {
      const row = rows.get(message.row.id);
      if (row !== undefined) endRow(row, message.row);
      break;
    }
    case 'finish':
      // A row the run never ended (it stopped early) ends as skipped, keeping its last text.
      for (const row of rows.values()) {
        if (!row.hasEnded) {
          endRow(row, { id: row.view.id, outcome: 'skipped', title: row.view.title, error: '' });
        }
      }
      void (listed ?? Promise.resolve()).then(() => {
        post({ type: 'ended' });
        port.close();
      });
      break;
    default:
      message satisfies never;
  }
});
