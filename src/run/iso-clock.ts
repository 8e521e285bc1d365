let lastMs = Number.NaN;
let lastIso = '';

/**
 * `new Date().toISOString()`, formatted once per millisecond: a fast map stamps hundreds of items
 * within the same millisecond, and a `Date` plus its formatting per item is a measurable share of
 * a no-op item.
 */
export function isoNow(): string {
  const ms = Date.now();
  if (ms !== lastMs) {
    lastMs = ms;
    lastIso = new Date(ms).toISOString();
  }
  return lastIso;
}
