import type { DurationStats, Histogram } from './model.ts';

const HISTOGRAM_BINS = 30;
/** Durations whose largest is this many times the smallest are binned geometrically. */
const LOG_SPREAD = 50;
/** The smallest duration a geometric bin starts from: below it, timings are noise. */
const LOG_FLOOR_MS = 0.1;

/** Rounds to one decimal, the precision item durations are recorded with. */
export function round1(value: number): number {
  return Math.round(value * 10) / 10;
}

/** Nearest-rank percentile of ascending `sorted` (not empty). */
function percentile(sorted: Float64Array, fraction: number): number {
  const rank = Math.ceil(fraction * sorted.length) - 1;
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank))] as number;
}

export function durationStats(sorted: Float64Array): DurationStats | null {
  if (sorted.length === 0) return null;
  let sum = 0;
  for (const value of sorted) sum += value;
  return {
    count: sorted.length,
    min: round1(sorted[0] as number),
    mean: round1(sum / sorted.length),
    p50: round1(percentile(sorted, 0.5)),
    p90: round1(percentile(sorted, 0.9)),
    p99: round1(percentile(sorted, 0.99)),
    max: round1(sorted[sorted.length - 1] as number),
  };
}

/** Equal bins, or geometric ones when the durations span orders of magnitude. */
export function histogram(sorted: Float64Array): Histogram | null {
  if (sorted.length === 0) return null;
  const min = sorted[0] as number;
  const max = sorted[sorted.length - 1] as number;
  const low = Math.max(min, LOG_FLOOR_MS);
  const isLog = max / low >= LOG_SPREAD;
  const edges: number[] = [];
  if (isLog) {
    const ratio = Math.pow(max / low, 1 / HISTOGRAM_BINS);
    for (let i = 0; i <= HISTOGRAM_BINS; i++) edges.push(low * Math.pow(ratio, i));
  } else {
    const width = (max - min) / HISTOGRAM_BINS || 1;
    for (let i = 0; i <= HISTOGRAM_BINS; i++) edges.push(min + width * i);
  }
  edges[edges.length - 1] = max;
  const counts = new Array<number>(HISTOGRAM_BINS).fill(0);
  let bin = 0;
  for (const value of sorted) {
    while (bin < HISTOGRAM_BINS - 1 && value >= (edges[bin + 1] as number)) bin++;
    counts[bin] = (counts[bin] as number) + 1;
  }
  return { edges: edges.map((edge) => Math.round(edge * 1000) / 1000), counts, isLog };
}

/** The smallest 1, 2 or 5 × 10^n milliseconds that splits `spanMs` into at most `bins` bins. */
export function niceBinMs(spanMs: number, bins: number): number {
  const raw = Math.max(spanMs / bins, 0.1);
  const power = Math.pow(10, Math.floor(Math.log10(raw)));
  for (const step of [1, 2, 5, 10]) {
    if (step * power >= raw) return round1(step * power) || 0.1;
  }
  return 10 * power;
}
