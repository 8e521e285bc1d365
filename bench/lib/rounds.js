// Repeats measurements in rounds: each round runs every contender once, in an order that rotates,
// so a noisy moment of the machine hits all of them alike rather than one row.

import { median } from './stats.js';

/**
 * Runs `rounds` rounds over `contenders` (`{ label: async () => number }`; a function may return
 * `null` when its tool is absent) and resolves with `{ label: number[] }`.
 */
export async function inRounds(rounds, contenders) {
  const labels = Object.keys(contenders);
  const samples = Object.fromEntries(labels.map((label) => [label, []]));
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < labels.length; i++) {
      const label = labels[(i + round) % labels.length];
      const value = await contenders[label]();
      if (value !== null) samples[label].push(value);
    }
  }
  return samples;
}

/** Items per second from elapsed milliseconds. */
export const perSecond = (items) => (ms) => (items * 1000) / ms;

/**
 * A row comparison: `ratio` of two medians (`of / to`) checked against `target` with `op`
 * (`'>='` or `'<='`).
 */
export function check(label, of, to, op, target) {
  if (of.length === 0 || to.length === 0) {
    return { label, ratio: null, target: `${op} ${target}`, met: null };
  }
  const ratio = median(of) / median(to);
  return {
    label,
    ratio,
    target: `${op} ${target}`,
    met: op === '>=' ? ratio >= target : ratio <= target,
  };
}

/** A check of one median against an absolute bound (e.g. megabytes). */
export function bound(label, values, op, target, unit) {
  if (values.length === 0)
    return { label, ratio: null, target: `${op} ${target} ${unit}`, met: null };
  const value = median(values);
  return {
    label,
    ratio: value,
    unit,
    target: `${op} ${target} ${unit}`,
    met: op === '>=' ? value >= target : value <= target,
  };
}
