import type { Job } from '../job/types.ts';
import { createSecretMask, type SecretMask } from '../results/secret-mask.ts';
import { secretValues } from '../run/job-env.ts';

/** The mask of a job's `secrets:` as this process sees them; `null` without any. */
export function secretMaskOf(job: Job): SecretMask | null {
  return createSecretMask(secretValues(job, process.env));
}

/**
 * Masks secrets in everything written to `streams` from now on: jobrun's own lines and what task
 * code prints (a coroutine function writes to jobrun's stdout; pool workers' output is forwarded
 * to its stderr). Each write is masked as a whole, so a secret printed in pieces by separate
 * writes is not recognised.
 */
export function maskStreams(mask: SecretMask, streams: readonly NodeJS.WritableStream[]): void {
  for (const stream of streams) {
    const write = stream.write.bind(stream) as (chunk: unknown, ...rest: unknown[]) => boolean;
    stream.write = (chunk: unknown, ...rest: unknown[]) => write(maskChunk(mask, chunk), ...rest);
  }
}

function maskChunk(mask: SecretMask, chunk: unknown): unknown {
  if (typeof chunk === 'string') return mask.text(chunk);
  if (chunk instanceof Uint8Array) return mask.bytes(chunk);
  return chunk;
}
