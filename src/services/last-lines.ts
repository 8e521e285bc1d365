/** How many of a service's last lines of output a failure message shows. */
export const SHOWN_LINES = 20;
/** A line longer than this is cut: a service that prints no newline keeps memory bounded. */
const MAX_LINE_CHARS = 1000;

/**
 * The last lines a service printed, stdout and stderr in the order the lines ended, each stream
 * cut into lines on its own so that their chunks do not mix within a line.
 */
export class LastLines {
  readonly #lines: string[] = [];
  readonly #partial = new Map<string, string>();

  /** Adds a chunk of one stream; returns the lines it completed. */
  push(stream: string, chunk: Buffer): string[] {
    const text = (this.#partial.get(stream) ?? '') + chunk.toString('utf8');
    const parts = text.split('\n');
    const rest = parts.pop() ?? '';
    this.#partial.set(stream, rest.slice(-MAX_LINE_CHARS));
    for (const line of parts) this.note(line.replace(/\r$/, '').slice(0, MAX_LINE_CHARS));
    return parts;
  }

  /** Adds one line of jobrun's own about the service. */
  note(line: string): void {
    this.#lines.push(line);
    if (this.#lines.length > SHOWN_LINES) this.#lines.shift();
  }

  /** The kept lines, with any unfinished last line of each stream. */
  lines(): string[] {
    const unfinished = [...this.#partial.values()].filter((line) => line !== '');
    return [...this.#lines, ...unfinished].slice(-SHOWN_LINES);
  }
}
