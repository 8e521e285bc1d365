import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { MapSpec } from '../job/types.ts';
import { rangeLength } from '../plan/item-count.ts';

/** The items of a map task, produced lazily. */
export interface ItemSource {
  /** The item count when known before iterating (list, range, glob); otherwise `null`. */
  total: number | null;
  items: AsyncIterable<unknown> | Iterable<unknown>;
}

function* rangeItems(start: number, stop: number, step: number): Generator<number> {
  const length = rangeLength(start, stop, step);
  for (let i = 0; i < length; i++) yield start + i * step;
}

/** A file's lines, trimmed, without blank lines and `#` comments, read as they are consumed. */
async function* readLineItems(path: string): AsyncGenerator<string> {
  const lines = createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity });
  try {
    for await (const raw of lines) {
      const line = raw.trim();
      if (line === '' || line.startsWith('#')) continue;
      yield line;
    }
  } finally {
    lines.close();
  }
}

/**
 * Opens the static forms of `map:` (list, range, lines, glob). The expression and streaming forms
 * depend on the run and are opened by the engine.
 */
export async function openStaticItemSource(
  map: Exclude<MapSpec, { form: 'expression' } | { form: 'from' }>,
): Promise<ItemSource> {
  switch (map.form) {
    case 'list':
      return { total: map.items.length, items: map.items };
    case 'range':
      return {
        total: rangeLength(map.start, map.stop, map.step),
        items: rangeItems(map.start, map.stop, map.step),
      };
    case 'lines':
      return { total: null, items: readLineItems(map.path) };
    case 'glob': {
      const { glob } = await import('tinyglobby');
      const paths = await glob(map.pattern, {
        cwd: map.cwd,
        onlyFiles: true,
        expandDirectories: false,
      });
      paths.sort();
      return { total: paths.length, items: paths };
    }
  }
}
