import { distance } from 'fastest-levenshtein';

/**
 * The candidate a person most likely meant by `found`, or `undefined` when none is close:
 * a case-only difference always counts; otherwise a candidate is close when at most a third of
 * the letters differ, or when it is the same word with another ending (see `isSameStem`). Of
 * several close candidates, the one with the fewest differing letters wins.
 *
 * @example
 * suggest('proces', ['process', 'thread', 'coroutine']); // 'process'
 * suggest('maxworkers', ['kind', 'maxWorkers']); // 'maxWorkers'
 * suggest('retry', ['retries', 'retryDelay', 'timeout']); // 'retries'
 */
export function suggest(found: string, candidates: Iterable<string>): string | undefined {
  const lower = found.toLowerCase();
  const limit = Math.max(1, Math.floor(Math.max(found.length, 3) / 3));
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    if (candidate === found) continue;
    const candidateLower = candidate.toLowerCase();
    if (candidateLower === lower) return candidate;
    const d = distance(lower, candidateLower);
    const isClose = d <= limit || isSameStem(lower, candidateLower);
    if (isClose && d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

/** Fewer shared letters than this say little: `map` and `max` are different words. */
const MIN_STEM_LENGTH = 4;

/**
 * `retry` and `retries`, `exec` and `executor`, `callbacks` and `callback`: one word begins the
 * other, but for at most its own last letter. Edit distance alone misses these, since a plural
 * or an abbreviation changes several letters at once.
 */
function isSameStem(a: string, b: string): boolean {
  let shared = 0;
  while (shared < a.length && shared < b.length && a[shared] === b[shared]) shared++;
  return shared >= MIN_STEM_LENGTH && shared >= Math.min(a.length, b.length) - 1;
}

/** ` (did you mean "x"?)` for a near miss, '' otherwise; ready to append to a message. */
export function didYouMean(found: string, candidates: Iterable<string>): string {
  const match = suggest(found, candidates);
  return match === undefined ? '' : ` (did you mean "${match}"?)`;
}

/** `a, b and c`, for messages. */
export function listWords(words: readonly string[], conjunction = 'and'): string {
  if (words.length <= 1) return words.join('');
  return `${words.slice(0, -1).join(', ')} ${conjunction} ${words.at(-1) ?? ''}`;
}
