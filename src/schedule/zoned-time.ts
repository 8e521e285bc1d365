/**
 * An instant as ISO 8601 local time in `timezone`, with that zone's offset at that instant, so a
 * DST change shows in the offset.
 *
 * @example
 * formatInTimezone(new Date('2026-01-01T18:30:00Z'), 'Asia/Kolkata');
 * //=> '2026-01-02T00:00:00+05:30'
 */
export function formatInTimezone(date: Date, timezone: string): string {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: timezone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
    timeZoneName: 'longOffset',
  }).formatToParts(date);
  const part = (type: Intl.DateTimeFormatPartTypes): string =>
    parts.find((p) => p.type === type)?.value ?? '';
  // `longOffset` reads `GMT+05:30`, or plain `GMT` at offset zero.
  const offset = part('timeZoneName').replace(/^GMT/, '') || '+00:00';
  return `${part('year')}-${part('month')}-${part('day')}T${part('hour')}:${part('minute')}:${part('second')}${offset}`;
}
