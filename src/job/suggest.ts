import { distance } from 'fastest-levenshtein';

/**
 * The candidate a person most likely meant by `found`, or `undefined` when none is close:
 * a case-only difference always counts; otherwise at most a third of the letters may differ.
 *
 * @example
 * suggest('proces', ['process', 'thread', 'coroutine']); // 'process'
 * suggest('maxworkers', ['kind', 'maxWorkers']); // 'maxWorkers'
 */
export function suggest(found: string, candidates: Iterable<string>): string | undefined {
  const lower = found.toLowerCase();
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    if (candidate === found) continue;
    if (candidate.toLowerCase() === lower) return candidate;
    const d = distance(lower, candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  const limit = Math.max(1, Math.floor(Math.max(found.length, 3) / 3));
  return bestDistance <= limit ? best : undefined;
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
