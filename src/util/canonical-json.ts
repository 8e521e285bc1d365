/**
 * JSON text of `value` with every object's keys in sorted order, at every depth: two values that
 * differ only in key order give the same text. Otherwise as `JSON.stringify`: `toJSON` is called,
 * keys whose value has no JSON form (`undefined`, a function) are left out, and such values in an
 * array become `null`.
 *
 * @example canonicalJson({ b: 1, a: [{ d: 2, c: 3 }] }) // '{"a":[{"c":3,"d":2}],"b":1}'
 */
export function canonicalJson(value: unknown): string {
  return canonical(value) ?? 'null';
}

function canonical(given: unknown): string | undefined {
  // Scalars first: a map's items are mostly strings and numbers.
  if (typeof given !== 'object' || given === null) return scalar(given);
  const value: unknown =
    typeof (given as { toJSON?: unknown }).toJSON === 'function'
      ? (given as { toJSON: () => unknown }).toJSON()
      : given;
  if (typeof value !== 'object' || value === null) return scalar(value);
  if (Array.isArray(value)) {
    return '[' + value.map((entry: unknown) => canonical(entry) ?? 'null').join(',') + ']';
  }
  const fields: string[] = [];
  for (const key of Object.keys(value).sort()) {
    const text = canonical((value as Record<string, unknown>)[key]);
    if (text !== undefined) fields.push(JSON.stringify(key) + ':' + text);
  }
  return '{' + fields.join(',') + '}';
}

function scalar(value: unknown): string | undefined {
  // A function or symbol has no JSON form, whatever the declared return type says.
  const text: string | undefined = JSON.stringify(value);
  return text;
}
