import { hasExpression, parseTemplate, type ExpressionRef } from './parse-template.ts';

/** A key or list index on the way from a value's root to one of its strings. */
export type DataPath = Array<string | number>;

/** Calls `visit` for every string inside nested lists and objects, with its path. */
export function walkStrings(
  value: unknown,
  visit: (text: string, path: DataPath) => void,
  path: DataPath = [],
): void {
  if (typeof value === 'string') {
    visit(value, path);
  } else if (Array.isArray(value)) {
    value.forEach((entry, index) => walkStrings(entry, visit, [...path, index]));
  } else if (isPlainObject(value)) {
    for (const [key, entry] of Object.entries(value)) walkStrings(entry, visit, [...path, key]);
  }
}

/**
 * Every `${{ … }}` in a value, walking nested lists and objects (object keys are not templates).
 *
 * @throws {ExpressionSyntaxError} for the first malformed expression.
 */
export function collectExpressions(value: unknown): ExpressionRef[] {
  const found: ExpressionRef[] = [];
  walkStrings(value, (text) => {
    if (!hasExpression(text)) return;
    for (const part of parseTemplate(text).parts) if (typeof part !== 'string') found.push(part);
  });
  return found;
}

/** A `{…}` object literal or null-prototype object, not a list, Date or class instance. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}
