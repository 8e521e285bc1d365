import { FloatColumn } from './growable.ts';
import type { TimelineData } from './model.ts';

/** Bars embedded at most: past this, a run's report keeps every bar that did not simply succeed
 * and an even sample of the rest, so a report of millions of items stays openable. */
export const MAX_TIMELINE_BARS = 200_000;
/** Start times are recorded to the millisecond and durations to a tenth: bars of one worker
 * that touch within this are back to back, not overlapping. */
const BACK_TO_BACK_MS = 1;

/** A min-heap of numbers, or of lanes keyed by when they become free. */
class MinHeap {
  readonly #keys: number[] = [];
  readonly #values: number[] = [];

  get size(): number {
    return this.#keys.length;
  }

  peekKey(): number {
    return this.#keys[0] as number;
  }

  push(key: number, value: number): void {
    const keys = this.#keys;
    const values = this.#values;
    let at = keys.length;
    keys.push(key);
    values.push(value);
    while (at > 0) {
      const parent = (at - 1) >> 1;
      if ((keys[parent] as number) <= key) break;
      keys[at] = keys[parent] as number;
      values[at] = values[parent] as number;
      at = parent;
    }
    keys[at] = key;
    values[at] = value;
  }

  pop(): number {
    const keys = this.#keys;
    const values = this.#values;
    const top = values[0] as number;
    const lastKey = keys.pop() as number;
    const lastValue = values.pop() as number;
    if (keys.length > 0) {
      let at = 0;
      for (;;) {
        let child = 2 * at + 1;
        if (child >= keys.length) break;
        if (child + 1 < keys.length && (keys[child + 1] as number) < (keys[child] as number)) {
          child++;
        }
        if ((keys[child] as number) >= lastKey) break;
        keys[at] = keys[child] as number;
        values[at] = values[child] as number;
        at = child;
      }
      keys[at] = lastKey;
      values[at] = lastValue;
    }
    return top;
  }
}

/** The bars of the items that ran, kept as columns until the file has been read. */
export class TimelineBuilder {
  readonly #start = new FloatColumn();
  readonly #duration = new FloatColumn();
  readonly #worker: number[] = [];
  readonly #status: number[] = [];
  readonly #task: number[] = [];
  readonly #index: number[] = [];
  readonly #label: string[] = [];
  readonly #failure: number[] = [];
  readonly #workerIds = new Map<string, number>();
  readonly workerNames: string[] = [];

  get length(): number {
    return this.#start.length;
  }

  /** The columns every other view is computed from: start (ms from the run's start) and duration. */
  get starts(): Float64Array {
    return this.#start.view();
  }

  get durations(): Float64Array {
    return this.#duration.view();
  }

  /** Each bar's task, renumbered by `renumber` (old number → new). */
  taskIndexes(renumber: readonly number[]): number[] {
    return this.#task.map((task) => renumber[task] as number);
  }

  add(bar: {
    startMs: number;
    durationMs: number;
    worker: string;
    status: number;
    task: number;
    index: number;
    label: string;
    failure: number;
  }): void {
    let worker = this.#workerIds.get(bar.worker);
    if (worker === undefined) {
      worker = this.workerNames.length;
      this.#workerIds.set(bar.worker, worker);
      this.workerNames.push(bar.worker);
    }
    this.#start.push(bar.startMs);
    this.#duration.push(bar.durationMs);
    this.#worker.push(worker);
    this.#status.push(bar.status);
    this.#task.push(bar.task);
    this.#index.push(bar.index);
    this.#label.push(bar.label);
    this.#failure.push(bar.failure);
  }

  /**
   * Lanes and compact columns; `tasks` names the tasks in the order shown, `renumber` maps the
   * task numbers given to `add` to positions in it. A worker runs one item at a time, except the `coroutine` executor
   * (and pipelining pools), which run many: each worker gets as many lanes as it ran items at
   * once, every bar in the lowest lane free at its start.
   */
  build(tasks: string[], renumber: readonly number[]): TimelineData {
    const count = this.length;
    const starts = this.starts;
    const durations = this.durations;
    const order = Array.from({ length: count }, (_, i) => i);
    order.sort((a, b) => (starts[a] as number) - (starts[b] as number) || a - b);

    const busy = this.workerNames.map(() => new MinHeap());
    const free = this.workerNames.map(() => new MinHeap());
    const laneCount = this.workerNames.map(() => 0);
    const subLane = new Int32Array(count);
    for (const bar of order) {
      const worker = this.#worker[bar] as number;
      const start = starts[bar] as number;
      const busyLanes = busy[worker] as MinHeap;
      const freeLanes = free[worker] as MinHeap;
      while (busyLanes.size > 0 && busyLanes.peekKey() <= start + BACK_TO_BACK_MS) {
        const lane = busyLanes.pop();
        freeLanes.push(lane, lane);
      }
      const lane = freeLanes.size > 0 ? freeLanes.pop() : (laneCount[worker] as number);
      if (lane === laneCount[worker]) laneCount[worker] = lane + 1;
      subLane[bar] = lane;
      busyLanes.push(start + (durations[bar] as number), lane);
    }

    const lanes: TimelineData['lanes'] = [];
    const firstLane: number[] = [];
    this.workerNames.forEach((worker, id) => {
      firstLane.push(lanes.length);
      const n = laneCount[id] as number;
      for (let k = 0; k < n; k++)
        lanes.push({ name: n === 1 ? worker : `${worker} #${k + 1}`, worker });
    });

    const keep = this.#keepMask(order);
    const data: TimelineData = {
      lanes,
      tasks,
      shown: 0,
      itemsRan: count,
      startDelta: [],
      duration: [],
      lane: [],
      status: [],
      task: [],
      index: [],
      label: [],
      failure: [],
    };
    let previous = 0;
    for (const bar of order) {
      if (!keep[bar]) continue;
      const start = Math.round((starts[bar] as number) * 10);
      data.startDelta.push(start - previous);
      previous = start;
      data.duration.push(Math.round((durations[bar] as number) * 10));
      data.lane.push((firstLane[this.#worker[bar] as number] as number) + (subLane[bar] as number));
      data.status.push(this.#status[bar] as number);
      data.task.push(renumber[this.#task[bar] as number] as number);
      data.index.push(this.#index[bar] as number);
      data.label.push(this.#label[bar] as string);
      data.failure.push(this.#failure[bar] as number);
    }
    data.shown = data.startDelta.length;
    return data;
  }

  /** Every bar, or past `MAX_TIMELINE_BARS`: the bars that did not simply succeed, then an even
   * sample of those that did. */
  #keepMask(order: number[]): Uint8Array {
    const keep = new Uint8Array(order.length);
    if (order.length <= MAX_TIMELINE_BARS) return keep.fill(1);
    let room = MAX_TIMELINE_BARS;
    const plain: number[] = [];
    for (const bar of order) {
      if (this.#status[bar] !== 0 && room > 0) {
        keep[bar] = 1;
        room--;
      } else if (this.#status[bar] === 0) plain.push(bar);
    }
    const stride = plain.length / Math.max(room, 1);
    for (let i = 0; i < room && i * stride < plain.length; i++) {
      keep[plain[Math.floor(i * stride)] as number] = 1;
    }
    return keep;
  }
}
