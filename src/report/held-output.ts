import { StringDecoder } from 'node:string_decoder';

type Stream = NodeJS.WritableStream;

/** The terminal while the live listing owns it. */
export interface HeldOutput {
  /** Writes the listing's own text, past the hold. */
  write(stream: 'stdout' | 'stderr', text: string): void;
  /** Ends the hold: restores both streams and writes what was held, in order, below the listing. */
  release(): void;
}

/**
 * Holds everything else written to `stdout` and `stderr` (a user's `console.log`, a worker's
 * forwarded output) while the live listing redraws, since a line written between two frames would
 * be erased or would tear the frame. What was held is written once the listing has ended, after
 * an empty line, each chunk on its own lines, to the stream it was written to.
 */
export function holdOutput(stdout: Stream, stderr: Stream): HeldOutput {
  const streams = { stdout, stderr };
  // The streams' own `write` (usually none: it is inherited), to put back as it was.
  const owned = {
    stdout: Object.getOwnPropertyDescriptor(stdout, 'write'),
    stderr: Object.getOwnPropertyDescriptor(stderr, 'write'),
  };
  const writes = { stdout: stdout.write.bind(stdout), stderr: stderr.write.bind(stderr) };
  const held: Array<{ stream: 'stdout' | 'stderr'; text: string }> = [];
  let isHolding = true;

  for (const name of ['stdout', 'stderr'] as const) {
    const decoder = new StringDecoder('utf8');
    streams[name].write = (chunk: string | Uint8Array, ...rest: unknown[]): boolean => {
      const encoding = typeof rest[0] === 'string' ? (rest[0] as BufferEncoding) : 'utf8';
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk, encoding) : Buffer.from(chunk);
      held.push({ stream: name, text: decoder.write(bytes) });
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
      const shown = held
        .map((entry) => ({ ...entry, text: entry.text.trimEnd() }))
        .filter((entry) => entry.text !== '');
      if (shown.length > 0) write('stdout', '\n');
      for (const entry of shown) write(entry.stream, `${entry.text}\n`);
    },
  };
}
