const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;
const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/;

/**
 * Milliseconds of a duration as written in a job file: a number of milliseconds, or a string
 * like `250ms`, `10s`, `1.5m`, `1h`. Returns `undefined` for anything else (the schema reports it).
 *
 * @example
 * parseDuration('10s'); // 10000
 * parseDuration(250); // 250
 */
export function parseDuration(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const match = DURATION.exec(value);
  if (match === null) return undefined;
  const unit = match[2] as keyof typeof UNIT_MS;
  return Math.round(Number(match[1]) * UNIT_MS[unit]);
}
