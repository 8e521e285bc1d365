// Summaries of repeated measurements: the median is what a table shows, min–max how noisy it was.

/** The median of a non-empty list of numbers. */
export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** `{ median, min, max, values }` of a list of samples. */
export function summarize(values) {
  return { median: median(values), min: Math.min(...values), max: Math.max(...values), values };
}
