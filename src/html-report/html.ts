import { formatDuration } from '../util/format-duration.ts';

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Text made safe inside HTML elements and attribute values. */
export function escapeHtml(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (char) => ESCAPES[char] as string);
}

/**
 * JSON safe inside a `<script>` element: no `</script>` or `<!--` can end or bend it, whatever
 * the items and error messages hold.
 */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

export function formatCount(value: number): string {
  return value.toLocaleString('en');
}

/** A duration, or `–` for none. */
export function formatMs(value: number | null | undefined): string {
  return value === null || value === undefined ? '–' : formatDuration(value);
}

/** An ISO time as `<time>`: UTC as written, turned into the reader's local time by the page. */
export function timeElement(iso: string | null): string {
  if (iso === null) return '–';
  const shown = iso.replace('T', ' ').replace('Z', ' UTC');
  return `<time datetime="${escapeHtml(iso)}">${escapeHtml(shown)}</time>`;
}

/** A row of cells; `numeric` cells are right-aligned. */
export function row(cells: string[], numeric: readonly boolean[] = []): string {
  return `<tr>${cells.map((cell, at) => (numeric[at] === true ? `<td class="num">${cell}</td>` : `<td>${cell}</td>`)).join('')}</tr>`;
}
