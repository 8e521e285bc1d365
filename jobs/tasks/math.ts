import { setTimeout as sleep } from 'node:timers/promises';
import type { TaskContext } from 'jobrun';

/** n², after a random pause of up to 50 ms, so items finish out of order. */
export async function squareSlowly(n: number, ctx: TaskContext): Promise<number> {
  await sleep(Math.random() * 50, undefined, { signal: ctx.signal });
  return n * n;
}

export function sum(values: number[]): number {
  return values.reduce((total, value) => total + value, 0);
}

/** Deliberately slow Fibonacci: CPU work for the process and thread executors. */
export function fib(n: number): number {
  return n < 2 ? n : fib(n - 1) + fib(n - 2);
}
