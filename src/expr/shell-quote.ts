import type { ShellSlot } from './shell-context.ts';

/**
 * Quotes text as one POSIX shell word: inside single quotes nothing is special, and a single
 * quote is written as `'\''` (close, escaped quote, reopen).
 *
 * @example
 * shellQuote('a; rm -rf ~'); // "'a; rm -rf ~'"
 * shellQuote("it's"); // "'it'\\''s'"
 */
export function shellQuote(text: string): string {
  return `'${escapeInSingleQuotes(text)}'`;
}

function escapeInSingleQuotes(text: string): string {
  return text.replaceAll("'", `'\\''`);
}

/**
 * Text written so that `/bin/sh` reads it back as exactly `text`, at a spot found by
 * `shellSlots`: one quoted piece when bare, backslashes before `\ $ \` "` inside double quotes
 * (and `""` first after `$NAME`, so the value cannot lengthen the name), `'\''` for each `'`
 * inside single quotes.
 *
 * @throws {Error} for a refused spot (validation reports those before anything runs), and for a
 * value holding a NUL character, which no command can receive.
 * @example
 * quoteForSlot({ kind: 'double', afterName: false }, '$(id) "x"'); // '\\$(id) \\"x\\"'
 */
export function quoteForSlot(slot: ShellSlot, text: string): string {
  if (text.includes('\0')) {
    throw new Error(
      `a value holding a NUL character cannot be part of a run: command (no command can receive one): ${JSON.stringify(text)}`,
    );
  }
  switch (slot.kind) {
    case 'bare':
      return shellQuote(text);
    case 'double': {
      const escaped = text.replace(/[\\$`"]/g, '\\$&');
      return slot.afterName ? `""${escaped}` : escaped;
    }
    case 'single':
      return escapeInSingleQuotes(text);
    case 'refused':
      throw new Error(`a value cannot be inserted ${slot.spot}`);
  }
}
