import type { SeriesData } from './model.ts';
import { niceBinMs } from './stats.ts';

/** Bins across the run: enough for a chart the width of a screen… */
const MAX_BINS = 300;
/** …but few enough that a bin holds a few items on average, so a short run reads as a rate. */
const ITEMS_PER_BIN = 4;
const MIN_BINS = 20;

/**
 * Items finished and items running over time, per task, from every item that ran (not only the
 * bars a thinned timeline shows). `spanMs` is the run's length from its start.
 */
export function buildSeries(
  tasks: readonly string[],
  taskOf: readonly number[],
  starts: Float64Array,
  durations: Float64Array,
  spanMs: number,
): SeriesData {
  const target = Math.min(MAX_BINS, Math.max(MIN_BINS, Math.ceil(starts.length / ITEMS_PER_BIN)));
  const binMs = niceBinMs(Math.max(spanMs, 1), target);
  const bins = Math.max(1, Math.ceil(spanMs / binMs));
  const finished = tasks.map(() => new Float64Array(bins));
  const busy = tasks.map(() => new Float64Array(bins));
  // Whole bins an item covers go through a difference array, so a long item costs no more than a
  // short one.
  const whole = tasks.map(() => new Float64Array(bins + 1));
  const last = bins - 1;
  for (let i = 0; i < starts.length; i++) {
    const task = taskOf[i] as number;
    const start = Math.max(0, starts[i] as number);
    const end = Math.max(start, (starts[i] as number) + (durations[i] as number));
    const endBin = Math.min(last, Math.floor(end / binMs));
    (finished[task] as Float64Array)[endBin]! += 1;
    const startBin = Math.min(last, Math.floor(start / binMs));
    const taskBusy = busy[task] as Float64Array;
    if (startBin === endBin) {
      taskBusy[startBin]! += end - start;
      continue;
    }
    taskBusy[startBin]! += (startBin + 1) * binMs - start;
    taskBusy[endBin]! += end - endBin * binMs;
    const taskWhole = whole[task] as Float64Array;
    taskWhole[startBin + 1]! += 1;
    taskWhole[endBin]! -= 1;
  }
  const series: SeriesData = { binMs, finished: {}, running: {} };
  tasks.forEach((name, task) => {
    const taskWhole = whole[task] as Float64Array;
    const taskBusy = busy[task] as Float64Array;
    let covering = 0;
    const running: number[] = [];
    for (let bin = 0; bin < bins; bin++) {
      covering += taskWhole[bin] as number;
      const value = ((taskBusy[bin] as number) + covering * binMs) / binMs;
      running.push(Math.round(value * 100) / 100);
    }
    series.finished[name] = Array.from(finished[task] as Float64Array);
    series.running[name] = running;
  });
  return series;
}
