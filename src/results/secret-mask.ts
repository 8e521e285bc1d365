/** What a secret's value is replaced by. */
export const SECRET_MASK = '***';

const MASK_BYTES = Buffer.from(SECRET_MASK);

/** Replaces the values of a job's `secrets:` wherever they appear. */
export interface SecretMask {
  /** `text` with every secret replaced by `***`. */
  text(text: string): string;
  /** `chunk` with every secret's UTF-8 bytes replaced; the same chunk when none is in it. */
  bytes(chunk: Uint8Array): Uint8Array;
  /** A copy of JSON data with every string and key masked. */
  value<T>(value: T): T;
}

/**
 * The mask of some secret values, or `null` when there is nothing to mask (so that a job without
 * `secrets:` pays nothing). Each value is looked for as it is and as it appears inside a JSON
 * string (escaped), and a value of several lines also line by line, since output often shows it
 * so. Longer forms go first, so a secret that contains another is masked whole.
 *
 * @example
 * createSecretMask(['s3cr3t'])?.text('token=s3cr3t'); // 'token=***'
 */
export function createSecretMask(values: readonly string[]): SecretMask | null {
  const forms = new Set<string>();
  for (const value of values) {
    if (value === '') continue;
    forms.add(value);
    forms.add(JSON.stringify(value).slice(1, -1));
    for (const line of value.split(/\r?\n/)) if (line.trim() !== '') forms.add(line);
  }
  if (forms.size === 0) return null;
  const ordered = [...forms].sort((a, b) => b.length - a.length);
  const pattern = new RegExp(ordered.map(escapeRegExp).join('|'), 'g');
  const byteForms = ordered.map((form) => Buffer.from(form));

  const text = (input: string): string => input.replace(pattern, SECRET_MASK);
  const value = (input: unknown): unknown => {
    if (typeof input === 'string') return text(input);
    if (Array.isArray(input)) return input.map(value);
    if (typeof input === 'object' && input !== null) {
      const out: Record<string, unknown> = {};
      for (const [key, entry] of Object.entries(input)) out[text(key)] = value(entry);
      return out;
    }
    return input;
  };
  return {
    text,
    value: value as <T>(input: T) => T,
    bytes(chunk) {
      const buffer = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      const pieces: Uint8Array[] = [];
      let from = 0;
      for (;;) {
        let at = -1;
        let length = 0;
        for (const form of byteForms) {
          const found = buffer.indexOf(form, from);
          if (found !== -1 && (at === -1 || found < at)) {
            at = found;
            length = form.length;
          }
        }
        if (at === -1) break;
        pieces.push(buffer.subarray(from, at), MASK_BYTES);
        from = at + length;
      }
      if (pieces.length === 0) return chunk;
      pieces.push(buffer.subarray(from));
      return Buffer.concat(pieces);
    },
  };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Masks every record a sink is given before it is written, in place of `write`. A `null` mask
 * leaves the sink as it is.
 */
export function maskRecords<S extends { write(record: never): void }>(
  sink: S,
  mask: SecretMask | null,
): S {
  if (mask === null) return sink;
  const write = sink.write.bind(sink) as (record: unknown) => void;
  sink.write = (record: unknown) => write(mask.value(record));
  return sink;
}
