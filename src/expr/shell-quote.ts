/**
 * Quotes text as one POSIX shell word: inside single quotes nothing is special, and a single
 * quote is written as `'\''` (close, escaped quote, reopen).
 *
 * @example
 * shellQuote('a; rm -rf ~'); // "'a; rm -rf ~'"
 * shellQuote("it's"); // "'it'\\''s'"
 */
export function shellQuote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}
