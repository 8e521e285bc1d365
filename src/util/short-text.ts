// Shared by the terminal reporters and the HTML report, which show items the same way.

/**
 * Cuts `text` to at most `width` characters, ending with `…` when cut. Widths below 1 give ''.
 * Counts UTF-16 units, which is right for the ASCII-and-symbols text jobrun prints.
 */
export function truncate(text: string, width: number): string {
  if (!Number.isFinite(width) || text.length <= width) return text;
  if (width < 1) return '';
  return `${text.slice(0, width - 1)}…`;
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
