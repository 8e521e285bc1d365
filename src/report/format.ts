/** Small text helpers shared by every output mode. */

// For the live listing's rows, which import it from here.
export { formatDuration } from '../util/format-duration.ts';

/** Local wall-clock time as `HH:MM:SS.mmm`. */
export function formatClock(date: Date): string {
  const pad = (value: number, width = 2): string => String(value).padStart(width, '0');
  return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${pad(date.getMilliseconds(), 3)}`;
}

/** `fetch[3]` for a map item, `report` for a task without `map`. */
export function itemLabel(task: string, index: number | null): string {
  return index === null ? task : `${task}[${index}]`;
}

/**
 * Cuts `text` to at most `width` characters, ending with `…` when cut. Widths below 1 give ''.
 * Counts UTF-16 units, which is right for the ASCII-and-symbols text jobrun prints.
 */
export function truncate(text: string, width: number): string {
  if (!Number.isFinite(width) || text.length <= width) return text;
  if (width < 1) return '';
  return `${text.slice(0, width - 1)}…`;
}

/** The first line of a possibly multi-line message, marked with `…` when lines were dropped. */
export function firstLine(message: string): string {
  const trimmed = message.trim();
  const end = trimmed.indexOf('\n');
  return end === -1 ? trimmed : `${trimmed.slice(0, end).trimEnd()} …`;
}

/** A one-line short form of an item: strings as they are, anything else as JSON. */
export function shortItem(item: unknown, width = 40): string {
  let text: string;
  if (typeof item === 'string') text = item;
  else {
    try {
      text = JSON.stringify(item) ?? String(item);
    } catch {
      text = String(item);
    }
  }
  return truncate(text.replace(/\s+/g, ' '), width);
}

/** `CODE: first line of the message`, the form errors take in every mode. */
export function formatItemError(error: { code: string; message: string }): string {
  return `${error.code}: ${firstLine(error.message)}`;
}

/**
 * What varies from item to item in an error message, folded so that one kind of failure is one
 * group: URLs (`<url>`), file paths (`<path>`), ids such as UUIDs and long hex strings (`<id>`)
 * and numbers (`<n>`). An IPv4 address stays as it is, only its port is folded: ten
 * `ECONNREFUSED 127.0.0.1:PORT` on ten URLs are one kind. Numbers inside a word (`E2BIG`,
 * `utf8`) are part of the word and stay.
 */
const VARYING =
  /\b[a-z][a-z\d+.-]*:\/\/[^\s"'<>()]+|(?<![\w.])(?:\d{1,3}\.){3}\d{1,3}(?::\d+)?(?![\w.])|(?<![\w.:/-])(?:~|\.{1,2})?\/(?:[\w.@%+~-]+\/)+[\w.@%+~-]*|\b[\da-f]{8}-[\da-f]{4}-[\da-f]{4}-[\da-f]{4}-[\da-f]{12}\b|\b(?=[a-f]*\d)[\da-f]{16,}\b|(?<![\w./])-?\d+(?:\.\d+)?(?![\w.]|\.\d)/gi;

/**
 * An error message with what varies between items folded (see `VARYING`).
 *
 * @example normalizeMessage('connect ECONNREFUSED 127.0.0.1:41234') // 'connect ECONNREFUSED 127.0.0.1:<n>'
 * @example normalizeMessage('GET http://127.0.0.1:8080/a/7 failed') // 'GET <url> failed'
 */
export function normalizeMessage(message: string): string {
  return message.replace(VARYING, (match) => {
    if (/^[a-z][a-z\d+.-]*:\/\//i.test(match)) return '<url>';
    const ip = /^((?:\d{1,3}\.){3}\d{1,3})(:\d+)?$/.exec(match);
    if (ip !== null) return ip[2] === undefined ? match : `${ip[1]}:<n>`;
    if (match.includes('/')) return '<path>';
    if (/^-?\d+(?:\.\d+)?$/.test(match)) return '<n>';
    return '<id>';
  });
}
