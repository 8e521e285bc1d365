/** Small text helpers shared by every output mode. */

/** Local wall-clock time as `HH:MM:SS.mmm`. */
export function formatClock(date: Date): string {
  const pad = (value: number, width = 2): string => String(value).padStart(width, '0');
  return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${pad(date.getMilliseconds(), 3)}`;
}

/** `fetch[3]` for a map item, `report` for a task without `map`. */
export function itemLabel(task: string, index: number | null): string {
  return index === null ? task : `${task}[${index}]`;
}

/** The first line of a possibly multi-line message, marked with `…` when lines were dropped. */
export function firstLine(message: string): string {
  const trimmed = message.trim();
  const end = trimmed.indexOf('\n');
  return end === -1 ? trimmed : `${trimmed.slice(0, end).trimEnd()} …`;
}

/** `CODE: first line of the message`, the form errors take in every mode. */
export function formatItemError(error: { code: string; message: string }): string {
  return `${error.code}: ${firstLine(error.message)}`;
}

/** Code points a terminal draws two columns wide: CJK, Hangul, full-width forms, most emoji. */
const WIDE: ReadonlyArray<readonly [number, number]> = [
  [0x1100, 0x115f],
  [0x2e80, 0x303e],
  [0x3041, 0x33ff],
  [0x3400, 0x4dbf],
  [0x4e00, 0x9fff],
  [0xa000, 0xa4cf],
  [0xac00, 0xd7a3],
  [0xf900, 0xfaff],
  [0xfe30, 0xfe4f],
  [0xff00, 0xff60],
  [0xffe0, 0xffe6],
  [0x1f300, 0x1f64f],
  [0x1f900, 0x1f9ff],
  [0x20000, 0x3fffd],
];
/** Code points that take no column of their own: combining marks, joiners, variation selectors. */
const ZERO_WIDTH: ReadonlyArray<readonly [number, number]> = [
  [0x0300, 0x036f],
  [0x200b, 0x200f],
  [0x20d0, 0x20ff],
  [0xfe00, 0xfe0f],
];
/** Control characters, which would move the cursor or start an escape sequence. */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001F\u007F-\u009F]/g;

const isIn = (code: number, ranges: ReadonlyArray<readonly [number, number]>): boolean =>
  ranges.some(([first, last]) => code >= first && code <= last);

function columnsOf(char: string): number {
  const code = char.codePointAt(0) ?? 0;
  if (code < 0x300) return 1;
  if (isIn(code, ZERO_WIDTH)) return 0;
  return isIn(code, WIDE) ? 2 : 1;
}

/** How many terminal columns `text` (without escape codes) takes. */
export function displayWidth(text: string): number {
  let width = 0;
  for (const char of text) width += columnsOf(char);
  return width;
}

/**
 * Cuts plain `text` to at most `width` terminal columns, ending with `…` when cut, and shows
 * control characters as `?`: the live listing redraws by counting rows, so a line it writes must
 * neither wrap (a wide character counts two columns) nor move the cursor.
 *
 * @example fitWidth('漢字漢字', 5) // '漢字…'
 */
export function fitWidth(text: string, width: number): string {
  const safe = text.replace(CONTROL, '?');
  if (safe.length * 2 <= width) return safe;
  if (width < 1) return '';
  let used = 0;
  let end = 0;
  let cut = -1;
  for (const char of safe) {
    const size = columnsOf(char);
    if (cut === -1 && used + size > width - 1) cut = end;
    used += size;
    if (used > width) return `${safe.slice(0, cut)}…`;
    end += char.length;
  }
  return safe;
}
