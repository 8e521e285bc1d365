import type { MapSpec } from '../job/types.ts';

/** The number of items of Python's `range(start, stop, step)`. */
export function rangeLength(start: number, stop: number, step: number): number {
  if (step === 0) return 0;
  const length = Math.ceil((stop - start) / step);
  return Math.max(0, length);
}

/** Items whose count is known without running anything: list and range. */
export function knownItemCount(map: MapSpec): number | null {
  switch (map.form) {
    case 'list':
      return map.items.length;
    case 'range':
      return rangeLength(map.start, map.stop, map.step);
    case 'lines':
    case 'glob':
    case 'expression':
    case 'from':
      return null;
  }
}
