import type { FailureGroup, ItemSummary } from './model.ts';

/** Items listed under one failure; the count goes on. */
export const ITEMS_PER_FAILURE_GROUP = 50;
/** Distinct failures listed; further messages are counted in `folded`. */
const MAX_GROUPS = 200;
const MAX_PATTERN_CHARS = 300;
const MAX_STACK_CHARS = 4000;

// Order matters: a URL holds a path and numbers, a timestamp holds numbers.
const FOLDS: [RegExp, string][] = [
  [/\b[a-z][a-z0-9+.-]*:\/\/[^\s'"<>`]+/gi, '<url>'],
  [/\b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?/g, '<time>'],
  [/\b\d{1,3}(?:\.\d{1,3}){3}(?::\d+)?\b/g, '<host>'],
  [/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, '<id>'],
  [/\b(?:0x)?(?=[0-9a-f]*\d)[0-9a-f]{12,}\b/gi, '<id>'],
  // `/tmp/x.txt`, `./tasks/a.ts`, `~/data`, `results/crawl.txt`: anything with a slash between names.
  [
    /(?<![\w<>])(?:~|\.{1,2})?(?:\/[\w.@+=-]+)+\/?|(?<![\w<>/])[\w.@+-]+(?:\/[\w.@+=-]+)+\/?/g,
    '<path>',
  ],
  // Numbers, except the few that name the failure itself: `HTTP 404`, `exit code 3`, `signal 9`.
  [/(?<![\w.]|(?:HTTP|status|code|signal) )-?\d+(?:\.\d+)?(?:e[+-]?\d+)?(?![\w])/gi, '<n>'],
];

/**
 * An error message with what varies between items folded (URLs, paths, numbers, timestamps, ids),
 * so the same failure on a thousand items is one group: `HTTP 404 Not Found from GET <url>`.
 */
export function normalizeMessage(message: string): string {
  let text = message.trim();
  const newline = text.indexOf('\n');
  if (newline !== -1) text = text.slice(0, newline).trimEnd();
  if (text.length > 2000) text = text.slice(0, 2000);
  for (const [pattern, replacement] of FOLDS) text = text.replace(pattern, replacement);
  text = text.replace(/\s+/g, ' ');
  return text.length > MAX_PATTERN_CHARS ? `${text.slice(0, MAX_PATTERN_CHARS - 1)}…` : text;
}

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
    const pattern = normalizeMessage(message);
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
