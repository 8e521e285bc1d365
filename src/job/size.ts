const UNIT_BYTES = { B: 1, KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3 } as const;
const SIZE = /^(\d+(?:\.\d+)?)(B|KB|MB|GB)$/;

/**
 * Bytes of a size as written in a job file: a number of bytes, or a string like `512KB`, `16MB`,
 * `1.5GB` (powers of 1024). Returns `undefined` for anything else (the schema reports it).
 *
 * @example
 * parseSize('16MB'); // 16777216
 * parseSize(4096); // 4096
 */
export function parseSize(value: unknown): number | undefined {
  if (typeof value === 'number') {
    return Number.isSafeInteger(value) && value >= 0 ? value : undefined;
  }
  if (typeof value !== 'string') return undefined;
  const match = SIZE.exec(value);
  if (match === null) return undefined;
  const unit = match[2] as keyof typeof UNIT_BYTES;
  return Math.floor(Number(match[1]) * UNIT_BYTES[unit]);
}

/**
 * A size the way a job file would say it: the largest unit that divides it exactly.
 *
 * @example
 * formatSize(16777216); // '16MB'
 * formatSize(1500); // '1500B'
 */
export function formatSize(bytes: number): string {
  for (const unit of ['GB', 'MB', 'KB'] as const) {
    const size = UNIT_BYTES[unit];
    if (bytes >= size && bytes % size === 0) return `${bytes / size}${unit}`;
  }
  return `${bytes}B`;
}
