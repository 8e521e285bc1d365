import { foldMessage } from '../util/fold-message.ts';
import type { FailureGroup, ItemSummary } from './model.ts';

/** Items listed under one failure; the count goes on. */
export const ITEMS_PER_FAILURE_GROUP = 50;
/** Distinct failures listed; further messages are counted in `folded`. */
const MAX_GROUPS = 200;
const MAX_STACK_CHARS = 4000;

/** The first line of a message, cut to `width` characters (ending with `…` when cut). */
export function clipFirstLine(message: string, width: number): string {
  const text = message.trim().split('\n', 1)[0] ?? '';
  return text.length > width ? `${text.slice(0, width - 1)}…` : text;
}

/** Failed items grouped by error code and folded message, in order of first appearance. */
export class FailureGrouper {
  readonly #groups: FailureGroup[] = [];
  readonly #indexByKey = new Map<string, number>();
  #folded = 0;

  /** Adds a failure and returns its group's index (`-1` when it was folded past the limit). */
  add(code: string, message: string, stack: string | null, item: ItemSummary): number {
    const pattern = foldMessage(message);
    const key = `${code}\u0000${pattern}`;
    let index = this.#indexByKey.get(key);
    if (index === undefined) {
      if (this.#groups.length >= MAX_GROUPS) {
        this.#folded++;
        return -1;
      }
      index = this.#groups.length;
      this.#indexByKey.set(key, index);
      this.#groups.push({
        code,
        pattern,
        sample: clipFirstLine(message, 1000),
        stack: null,
        count: 0,
        tasks: {},
        items: [],
      });
    }
    const group = this.#groups[index] as FailureGroup;
    group.count++;
    group.tasks[item.task] = (group.tasks[item.task] ?? 0) + 1;
    if (group.stack === null && stack !== null && stack !== '') {
      group.stack = stack.length > MAX_STACK_CHARS ? `${stack.slice(0, MAX_STACK_CHARS)}…` : stack;
    }
    if (group.items.length < ITEMS_PER_FAILURE_GROUP) group.items.push(item);
    return index;
  }

  /** In order of first appearance: the timeline refers to groups by this index. */
  get groups(): FailureGroup[] {
    return this.#groups;
  }

  get folded(): number {
    return this.#folded;
  }
}
