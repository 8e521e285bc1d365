/** A value of a log line field; `undefined` leaves the field out. */
export type LogValue = string | number | undefined;

/**
 * One scheduler log line: ISO time, an event word, then `key=value` fields (logfmt, so
 * `grep run=…` and log shippers both work). Values with spaces or quotes are JSON-quoted.
 *
 * @example
 * formatLogLine('run-finished', { job: 'health', run: '3f2a', status: 'ok' }, new Date(0));
 * //=> '1970-01-01T00:00:00.000Z run-finished job=health run=3f2a status=ok'
 */
export function formatLogLine(
  event: string,
  fields: Record<string, LogValue>,
  at: Date = new Date(),
): string {
  const parts = [at.toISOString(), event];
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    parts.push(`${key}=${quoteValue(String(value))}`);
  }
  return parts.join(' ');
}

function quoteValue(value: string): string {
  return value === '' || /[\s"=\\]/.test(value) ? JSON.stringify(value) : value;
}
