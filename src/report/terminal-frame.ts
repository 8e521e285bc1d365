import { displayWidth } from './format.ts';
import { stripAnsi } from './style.ts';

const ERASE_LINE = '\u001B[2K';
const CURSOR_UP = '\u001B[1A';
const CURSOR_TO_COLUMN_1 = '\u001B[G';
export const HIDE_CURSOR = '\u001B[?25l';
export const SHOW_CURSOR = '\u001B[?25h';

/** Redraws a block of lines in place at the bottom of a terminal, as log-update does. */
export interface FrameWriter {
  /**
   * Replaces the last frame by `lines` on a terminal of `size` now. A frame taller than the
   * terminal loses its top lines, which could no longer be erased, unless it is the last one
   * (`isFinal`), which stays as it is.
   */
  draw(lines: string[], size: ScreenSize, isFinal?: boolean): void;
}

/** A terminal's size; a pseudo-terminal without a size reports 0, read as 80×24. */
export interface ScreenSize {
  columns: number;
  rows: number;
}

/**
 * A terminal's size now: asked of the terminal itself, since its `resize` event comes a turn of
 * the event loop late, and a frame counted at the old width would leave lines behind.
 */
export function screenSize(stream: {
  columns?: number;
  rows?: number;
  getWindowSize?: () => [number, number];
}): ScreenSize {
  if (typeof stream.getWindowSize === 'function') {
    try {
      const [columns, rows] = stream.getWindowSize();
      return { columns, rows };
    } catch {
      // A terminal that has gone away: the last size known will do.
    }
  }
  return { columns: stream.columns ?? 0, rows: stream.rows ?? 0 };
}

/**
 * Draws frames through `write`. Each frame erases the previous one line by line from the cursor up (the escape codes log-update
 * writes), so what was on the screen above the listing stays. Lines must not be wider than the
 * terminal; when it gets narrower between two frames, the previous frame's lines are counted as
 * the terminal wraps them now.
 */
export function createFrameWriter(write: (text: string) => void): FrameWriter {
  let previous = '';
  /** Columns of each line of the previous frame, and the terminal's width then. */
  let previousWidths: number[] = [];
  let previousColumns = 0;
  return {
    draw(lines, size, isFinal = false) {
      const columns = size.columns || 80;
      const rows = size.rows || 24;
      const shown = isFinal || lines.length < rows ? lines : lines.slice(lines.length - rows + 1);
      const text = `${shown.join('\n')}\n`;
      if (text === previous && columns === previousColumns) return;
      let erase = 0;
      if (previous !== '') {
        // The empty line the cursor is on, then each line of the frame, wrapped if it no longer fits.
        erase = 1;
        for (const width of previousWidths) erase += Math.max(1, Math.ceil(width / columns));
      }
      write(eraseLines(erase) + text);
      previous = text;
      previousColumns = columns;
      previousWidths = shown.map((line) => displayWidth(stripAnsi(line)));
    },
  };
}

/** Erases `count` lines from the cursor's up and leaves the cursor at the start of the last. */
function eraseLines(count: number): string {
  if (count === 0) return '';
  return `${`${ERASE_LINE}${CURSOR_UP}`.repeat(count - 1)}${ERASE_LINE}${CURSOR_TO_COLUMN_1}`;
}
