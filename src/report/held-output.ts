import { StringDecoder } from 'node:string_decoder';

type Stream = NodeJS.WritableStream;

/** The terminal while the live listing owns it. */
export interface HeldOutput {
  /** Writes the listing's own text, past the hold. */
  write(stream: 'stdout' | 'stderr', text: string): void;
  /** Ends the hold: restores both streams and writes what was held, in order, below the listing. */
  release(): void;
}

/** At most this much held text is kept, the latest; what came before it is counted, not kept. */
export const HELD_OUTPUT_LIMIT_BYTES = 1024 * 1024;

/**
 * Holds everything else written to `stdout` and `stderr` (a user's `console.log`, a worker's
 * forwarded output) while the live listing redraws, since a line written between two frames would
 * be erased or would tear the frame. What was held is written once the listing has ended, after
 * an empty line, to the stream it was written to, ending in a newline. Memory stays
 * bounded: beyond `limitBytes`, the oldest chunks are dropped and a line says how many.
 */
export function holdOutput(
  stdout: Stream,
  stderr: Stream,
  limitBytes = HELD_OUTPUT_LIMIT_BYTES,
): HeldOutput {
  const streams = { stdout, stderr };
  // The streams' own `write` (usually none: it is inherited), to put back as it was.
  const owned = {
    stdout: Object.getOwnPropertyDescriptor(stdout, 'write'),
    stderr: Object.getOwnPropertyDescriptor(stderr, 'write'),
  };
  const writes = { stdout: stdout.write.bind(stdout), stderr: stderr.write.bind(stderr) };
  const held: Array<{ stream: 'stdout' | 'stderr'; text: string; size: number }> = [];
  /** Where the kept chunks start in `held` (dropped ones are skipped, then compacted away). */
  let first = 0;
  let heldBytes = 0;
  let droppedChunks = 0;
  let isHolding = true;

  const keep = (stream: 'stdout' | 'stderr', text: string, size: number): void => {
    held.push({ stream, text, size });
    heldBytes += size;
    while (heldBytes > limitBytes && first < held.length - 1) {
      heldBytes -= held[first]!.size;
      first += 1;
      droppedChunks += 1;
    }
    if (first > 1024 && first * 2 > held.length) {
      held.splice(0, first);
      first = 0;
    }
  };

  for (const name of ['stdout', 'stderr'] as const) {
    const decoder = new StringDecoder('utf8');
    streams[name].write = (chunk: string | Uint8Array, ...rest: unknown[]): boolean => {
      const encoding = typeof rest[0] === 'string' ? (rest[0] as BufferEncoding) : 'utf8';
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk, encoding) : Buffer.from(chunk);
      keep(name, decoder.write(bytes), bytes.length);
      const callback = rest.at(-1);
      if (typeof callback === 'function') (callback as () => void)();
      return true;
    };
  }

  const write = (name: 'stdout' | 'stderr', text: string): void => {
    writes[name](text);
  };

  return {
    write,
    release() {
      if (!isHolding) return;
      isHolding = false;
      for (const name of ['stdout', 'stderr'] as const) {
        const own = owned[name];
        if (own === undefined) delete (streams[name] as Partial<Stream>).write;
        else Object.defineProperty(streams[name], 'write', own);
      }
      // Consecutive writes to one stream are one run of text (a line may come in pieces).
      const runs: Array<{ stream: 'stdout' | 'stderr'; text: string }> = [];
      for (const { stream, text } of held.slice(first)) {
        const last = runs.at(-1);
        if (last?.stream === stream) last.text += text;
        else runs.push({ stream, text });
      }
      const shown = runs
        .map((entry) => ({ ...entry, text: entry.text.trimEnd() }))
        .filter((entry) => entry.text !== '');
      if (shown.length > 0 || droppedChunks > 0) write('stdout', '\n');
      if (droppedChunks > 0) {
        write(
          'stderr',
          `jobrun: ${droppedChunks} earlier writes to stdout/stderr during the listing are not shown ` +
            `(the last ${Math.round(limitBytes / 1024)} KB follow; --output plain shows everything)\n`,
        );
      }
      for (const entry of shown) write(entry.stream, `${entry.text}\n`);
    },
  };
}
