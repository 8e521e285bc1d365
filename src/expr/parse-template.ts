import { ExpressionSyntaxError } from './expression-syntax-error.ts';

/** The names an expression may start with. */
export const EXPRESSION_ROOTS = ['item', 'index', 'vars', 'env', 'tasks', 'job', 'run'] as const;

/** One step of a data path: `.key`, `["key"]` or `[n]`. */
export type PathStep = { key: string } | { index: number };

/** One `${{ … }}` in a string. */
export interface ExpressionRef {
  /** The path as written between `${{` and `}}`, trimmed, e.g. `tasks.list.result`. */
  source: string;
  /** The first name of the path, e.g. `tasks`. Not checked here; see `checkReference`. */
  root: string;
  /** The steps after the root. */
  steps: PathStep[];
  /** Index of the `${{` in the text. */
  offset: number;
}

/** A string split into literal text and expressions. */
export interface Template {
  parts: Array<string | ExpressionRef>;
  /** The string is exactly one `${{ … }}`: its value keeps its own type (list, object, number). */
  isWhole: boolean;
}

const OPEN = '${{';
const CLOSE = '}}';
const ROOT_NAME = /[A-Za-z_][A-Za-z0-9_]*/y;
// After a dot, task ids and var names may hold `-` and start with a digit.
const KEY_NAME = /[A-Za-z0-9_$-]+/y;
const INDEX = /\d+/y;
const QUOTED = /"((?:[^"\\]|\\.)*)"|'([^']*)'/y;
const SPACE = /\s*/y;

/** Whether a string holds any `${{`. A cheap test before `parseTemplate`. */
export function hasExpression(text: string): boolean {
  return text.includes(OPEN);
}

/**
 * Splits a string into literal text and `${{ path }}` expressions. Expressions are data paths
 * only; they are never evaluated as code.
 *
 * @throws {ExpressionSyntaxError} for an unclosed `${{`, an empty expression, or anything that is
 * not a data path (calls, operators, spaces inside the path).
 * @example
 * parseTemplate('wc -l ${{ vars.files[0] }}');
 * // { parts: ['wc -l ', { source: 'vars.files[0]', root: 'vars', steps: [{ key: 'files' }, { index: 0 }], offset: 6 }], isWhole: false }
 */
export function parseTemplate(text: string): Template {
  const parts: Array<string | ExpressionRef> = [];
  let cursor = 0;
  for (;;) {
    const open = text.indexOf(OPEN, cursor);
    if (open === -1) break;
    const close = text.indexOf(CLOSE, open + OPEN.length);
    if (close === -1) {
      throw new ExpressionSyntaxError(
        `unclosed "\${{" (expected "}}" to end the expression)`,
        open,
      );
    }
    if (open > cursor) parts.push(text.slice(cursor, open));
    parts.push(parsePath(text.slice(open + OPEN.length, close), open));
    cursor = close + CLOSE.length;
  }
  if (cursor < text.length) parts.push(text.slice(cursor));
  return { parts, isWhole: parts.length === 1 && typeof parts[0] !== 'string' };
}

function parsePath(inner: string, offset: number): ExpressionRef {
  const source = inner.trim();
  const fail = (found: string): never => {
    throw new ExpressionSyntaxError(
      `expected a data path like vars.name, item or tasks.ID.result in "\${{ ${source} }}", found ${found}; calls and operators are not supported`,
      offset,
    );
  };
  if (source === '') {
    throw new ExpressionSyntaxError(
      'empty expression "${{ }}" (expected a data path like vars.name)',
      offset,
    );
  }
  let at = 0;
  const match = (pattern: RegExp): RegExpExecArray | null => {
    pattern.lastIndex = at;
    const found = pattern.exec(source);
    if (found !== null) at = pattern.lastIndex;
    return found;
  };
  const rest = (): string => JSON.stringify(source.slice(at));

  const root = match(ROOT_NAME)?.[0];
  if (root === undefined) return fail(rest());
  const steps: PathStep[] = [];
  while (at < source.length) {
    const char = source[at];
    if (char === '.') {
      at += 1;
      const key = match(KEY_NAME)?.[0];
      if (key === undefined) return fail(`${rest()} after "."`);
      steps.push({ key });
    } else if (char === '[') {
      at += 1;
      match(SPACE);
      const index = match(INDEX);
      const quoted = index === null ? match(QUOTED) : null;
      match(SPACE);
      if ((index === null && quoted === null) || source[at] !== ']') {
        return fail(`${rest()} inside "[ ]" (expected a number or a quoted key)`);
      }
      at += 1;
      if (index !== null) steps.push({ index: Number(index[0]) });
      else if (quoted !== null) steps.push({ key: unquote(quoted) });
    } else {
      return fail(rest());
    }
  }
  return { source, root, steps, offset };
}

function unquote(quoted: RegExpExecArray): string {
  if (quoted[2] !== undefined) return quoted[2];
  return (quoted[1] ?? '').replace(/\\(.)/g, '$1');
}
