import { inspect } from 'node:util';
import { isPlainObject } from './collect-expressions.ts';
import {
  hasExpression,
  parseTemplate,
  type ExpressionRef,
  type Template,
} from './parse-template.ts';
import { shellSlots, type ShellSlot } from './shell-context.ts';
import { quoteForSlot } from './shell-quote.ts';

/** What expressions can read while a task runs. */
export interface Scope {
  /** The current item of a map task. */
  item?: unknown;
  /** The current item's index; `null` in a task without `map`. */
  index?: number | null;
  vars: Record<string, unknown>;
  env: Record<string, string | undefined>;
  /** Finished upstream tasks: `result` (a map task's: item results in item order) and `status`. */
  tasks: Record<string, { result?: unknown; status?: string }>;
  job: { name: string };
  run: { id: string; startedAt: string };
}

// Templates repeat for every item of a map task: parse each distinct string once.
const TEMPLATE_CACHE_LIMIT = 2048;
const templateCache = new Map<string, Template>();

function templateOf(text: string): Template {
  let template = templateCache.get(text);
  if (template === undefined) {
    template = parseTemplate(text);
    if (templateCache.size >= TEMPLATE_CACHE_LIMIT) templateCache.clear();
    templateCache.set(text, template);
  }
  return template;
}

/**
 * Evaluates every `${{ … }}` inside a value, walking nested lists and objects. A string that is
 * exactly one expression takes the value's own type; inside a longer string the value is inserted
 * as text (JSON for non-strings, '' for a missing value). Missing paths give `undefined`.
 *
 * @throws {ExpressionSyntaxError} for a malformed expression (validation reports these first).
 * @example
 * evaluateValue({ url: '${{ item }}', n: '${{ index }}' }, scope); // { url: 'https://…', n: 3 }
 */
export function evaluateValue(value: unknown, scope: Scope): unknown {
  if (typeof value === 'string') return evaluateString(value, scope);
  if (Array.isArray(value)) return value.map((entry) => evaluateValue(entry, scope));
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [key, entry] of Object.entries(value)) out[key] = evaluateValue(entry, scope);
    return out;
  }
  return value;
}

function evaluateString(text: string, scope: Scope): unknown {
  if (!hasExpression(text)) return text;
  const template = templateOf(text);
  if (template.isWhole) return resolveReference(template.parts[0] as ExpressionRef, scope);
  let out = '';
  for (const part of template.parts) {
    out += typeof part === 'string' ? part : toText(resolveReference(part, scope));
  }
  return out;
}

const slotCache = new WeakMap<Template, ShellSlot[]>();

/**
 * A `run:` command with each expression's value inserted as literal text, escaped for the
 * quoting spot where the expression stands (bare, `"…"` or `'…'`): whatever the value holds,
 * `/bin/sh` reads it back as exactly that text. Non-strings are inserted as JSON text, a missing
 * value or `null` as empty text. See docs/shell-quoting.md.
 *
 * @throws {Error} for an expression at a spot validation refuses (backticks, a here-document…).
 * @example
 * evaluateCommand('echo "Processing ${{ item }}"', { ...scope, item: '$(id)' });
 * // 'echo "Processing \\$(id)"'
 */
export function evaluateCommand(command: string, scope: Scope): string {
  if (!hasExpression(command)) return command;
  const template = templateOf(command);
  let slots = slotCache.get(template);
  if (slots === undefined) {
    slots = shellSlots(template);
    slotCache.set(template, slots);
  }
  let out = '';
  let slot = 0;
  for (const part of template.parts) {
    if (typeof part === 'string') out += part;
    else out += quoteForSlot(slots[slot++] as ShellSlot, toText(resolveReference(part, scope)));
  }
  return out;
}

/** The text form of an inserted value: strings as they are, '' for nothing, JSON otherwise. */
export function toText(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'bigint') return value.toString();
  try {
    return JSON.stringify(value) ?? '';
  } catch {
    // A cyclic value has no JSON form; show it as Node would rather than fail the item.
    return inspect(value, { depth: 2, breakLength: Infinity });
  }
}

/** The value a data path points at in a scope; `undefined` when any step is missing. */
export function resolveReference(ref: ExpressionRef, scope: Scope): unknown {
  let current = rootValue(ref.root, scope);
  for (const step of ref.steps) {
    if (current === null || typeof current !== 'object') return undefined;
    const key = 'index' in step ? step.index : step.key;
    // Own properties only: a path must never reach `constructor` or `__proto__`.
    if (!Object.hasOwn(current, key)) return undefined;
    current = (current as Record<string | number, unknown>)[key];
  }
  return current;
}

function rootValue(root: string, scope: Scope): unknown {
  switch (root) {
    case 'item':
      return scope.item;
    case 'index':
      return scope.index;
    case 'vars':
      return scope.vars;
    case 'env':
      return scope.env;
    case 'tasks':
      return scope.tasks;
    case 'job':
      return scope.job;
    case 'run':
      return scope.run;
    default:
      return undefined;
  }
}
