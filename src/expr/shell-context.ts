import type { Template } from './parse-template.ts';

/**
 * Where one `${{ … }}` of a `run:` command stands, as `/bin/sh` will read it, which decides how
 * its value is escaped (see docs/shell-quoting.md).
 *
 * - `bare`: outside quotes (also inside `$( … )`); the value becomes one single-quoted piece.
 * - `double`: inside `"…"`; `\ $ \` "` in the value get a backslash. `afterName` is set when the
 *   expression directly follows `$NAME`, whose name the value must not extend.
 * - `single`: inside `'…'`; a `'` in the value closes, escapes and reopens the quotes.
 * - `refused`: a spot where no escaping makes the value literal text; `spot` says where, in words
 *   that follow "stands" ("inside backticks").
 */
export type ShellSlot =
  | { kind: 'bare' }
  | { kind: 'double'; afterName: boolean }
  | { kind: 'single' }
  | { kind: 'refused'; spot: string };

/** The spots jobrun refuses, each named once so messages and docs agree. */
export const REFUSED_SPOTS = {
  backticks: 'inside backticks',
  arithmetic: 'inside $(( … ))',
  parameter: 'inside a ${…} parameter expansion',
  comment: 'in a comment',
  heredocBody: 'in a here-document body',
  heredocWord: 'in a here-document delimiter',
  afterBackslash: 'right after a backslash',
  afterDollar: 'right after $',
} as const;

/** A construct after which jobrun cannot tell for sure how the shell reads the rest. */
class LostTrack extends Error {
  readonly spot: string;

  constructor(spot: string) {
    super(spot);
    this.spot = spot;
  }
}

const BLANK = /[ \t]/;
const OPERATOR = /[;&|()<>]/;
const NAME_START = /[A-Za-z_]/;
const NAME_CHAR = /[A-Za-z0-9_]/;
const SPECIAL_PARAMETER = /[0-9@*#?$!-]/;

interface PendingHeredoc {
  delimiter: string;
  isQuoted: boolean;
  stripsTabs: boolean;
}

/**
 * Reads POSIX `sh` quoting the way `/bin/sh -c` does, just far enough to know the quoting state
 * at each expression: quotes, backslashes, `$( … )` (whose inside is a fresh shell context),
 * backticks, `$(( … ))`, `${…}`, comments and here-documents. Where shells disagree or the text
 * cannot be followed for sure (`$'…'`, `case` inside `$( … )`, quotes inside `${…}` within double
 * quotes), every later expression is refused rather than guessed.
 */
class ShellLexer {
  readonly #text: string;
  /** Index in `#text` of each expression's placeholder, in order. */
  readonly #positions: readonly number[];
  readonly #isPlaceholder: ReadonlySet<number>;
  readonly #slotAt = new Map<number, ShellSlot>();
  /** Set while inside a construct whose expressions are all refused. */
  #forcedSpot: string | null = null;
  #pending: PendingHeredoc[] = [];
  #i = 0;

  constructor(text: string, positions: readonly number[]) {
    this.#text = text;
    this.#positions = positions;
    this.#isPlaceholder = new Set(positions);
  }

  read(): ShellSlot[] {
    try {
      this.#script(false);
    } catch (error) {
      if (!(error instanceof LostTrack)) throw error;
      const spot = `after ${error.spot}`;
      for (const position of this.#positions) {
        if (position >= this.#i && !this.#slotAt.has(position)) {
          this.#slotAt.set(position, { kind: 'refused', spot });
        }
      }
    }
    return this.#positions.map(
      (position) => this.#slotAt.get(position) ?? { kind: 'refused', spot: 'where it is' },
    );
  }

  #isExpression(at: number): boolean {
    return this.#isPlaceholder.has(at);
  }

  /** Records the slot of the expression at `at`, unless a refused construct decides. */
  #place(at: number, slot: ShellSlot): void {
    this.#slotAt.set(
      at,
      this.#forcedSpot === null ? slot : { kind: 'refused', spot: this.#forcedSpot },
    );
  }

  #refuse(at: number, spot: string): void {
    this.#slotAt.set(at, { kind: 'refused', spot: this.#forcedSpot ?? spot });
  }

  /** Runs `read` with every expression inside refused as `spot`. */
  #forced(spot: string, read: () => void): void {
    const outer = this.#forcedSpot;
    this.#forcedSpot ??= spot;
    try {
      read();
    } finally {
      this.#forcedSpot = outer;
    }
  }

  /**
   * A shell script: the whole command, or the inside of `$( … )` when `isSubstitution` (then it
   * returns after the matching `)`).
   */
  #script(isSubstitution: boolean): void {
    const text = this.#text;
    let isWordStart = true;
    let depth = 0;
    while (this.#i < text.length) {
      const at = this.#i;
      if (this.#isExpression(at)) {
        this.#place(at, { kind: 'bare' });
        this.#i++;
        isWordStart = false;
        continue;
      }
      const char = text[at] as string;
      if (BLANK.test(char)) {
        this.#i++;
        isWordStart = true;
      } else if (char === '\n') {
        this.#i++;
        isWordStart = true;
        this.#heredocBodies();
      } else if (char === '#' && isWordStart) {
        this.#comment();
      } else if (char === "'") {
        this.#single();
        isWordStart = false;
      } else if (char === '"') {
        this.#double();
        isWordStart = false;
      } else if (char === '\\') {
        // A line continuation vanishes before words are formed: the word state goes on.
        const isContinuation = text[at + 1] === '\n';
        this.#escaped(REFUSED_SPOTS.afterBackslash);
        if (!isContinuation) isWordStart = false;
      } else if (char === '`') {
        this.#backticks();
        isWordStart = false;
      } else if (char === '$') {
        this.#dollar(false);
        isWordStart = false;
      } else if (text.startsWith('<<<', at)) {
        // bash's here-string: its word is an ordinary word.
        this.#i += 3;
        isWordStart = true;
      } else if (text.startsWith('<<', at)) {
        this.#heredocOperator();
        isWordStart = true;
      } else if (isSubstitution && char === '(') {
        depth++;
        this.#i++;
        isWordStart = true;
      } else if (isSubstitution && char === ')') {
        this.#i++;
        if (depth === 0) return;
        depth--;
        isWordStart = true;
      } else if (OPERATOR.test(char)) {
        this.#i++;
        isWordStart = true;
      } else {
        // A `case` pattern's `)` would end `$( … )` early for a reader that only counts parens.
        if (isSubstitution && isWordStart && /^case(?:[ \t\n]|$)/.test(text.slice(at, at + 5))) {
          throw new LostTrack('case … esac inside $( … )');
        }
        this.#i++;
        isWordStart = false;
      }
    }
  }

  /** A backslash and the character it escapes; an expression there is refused as `spot`. */
  #escaped(spot: string): void {
    const next = this.#i + 1;
    if (this.#isExpression(next)) this.#refuse(next, spot);
    this.#i = Math.min(this.#text.length, this.#i + 2);
  }

  #comment(): void {
    const text = this.#text;
    while (this.#i < text.length && text[this.#i] !== '\n') {
      if (this.#isExpression(this.#i)) this.#refuse(this.#i, REFUSED_SPOTS.comment);
      this.#i++;
    }
  }

  #single(): void {
    const text = this.#text;
    this.#i++;
    while (this.#i < text.length && text[this.#i] !== "'") {
      if (this.#isExpression(this.#i)) this.#place(this.#i, { kind: 'single' });
      this.#i++;
    }
    this.#i++;
  }

  #double(): void {
    const text = this.#text;
    this.#i++;
    let isAfterName = false;
    while (this.#i < text.length) {
      const at = this.#i;
      if (this.#isExpression(at)) {
        this.#place(at, { kind: 'double', afterName: isAfterName });
        this.#i++;
        isAfterName = false;
        continue;
      }
      const char = text[at];
      isAfterName = false;
      if (char === '"') {
        this.#i++;
        return;
      } else if (char === '\\') {
        this.#escaped(REFUSED_SPOTS.afterBackslash);
      } else if (char === '`') {
        this.#backticks();
      } else if (char === '$') {
        isAfterName = this.#dollar(true);
      } else {
        this.#i++;
      }
    }
  }

  /** A `$` and what it starts. Returns whether it was `$NAME`. */
  #dollar(isInDouble: boolean): boolean {
    const text = this.#text;
    const next = this.#i + 1;
    const char = text[next];
    if (this.#isExpression(next)) {
      this.#refuse(next, REFUSED_SPOTS.afterDollar);
      this.#i += 2;
      return false;
    }
    if (char === '(' && text[next + 1] === '(') {
      this.#arithmetic();
    } else if (char === '(') {
      this.#i += 2;
      this.#script(true);
    } else if (char === '{') {
      this.#parameter(isInDouble);
    } else if (char === "'" && !isInDouble) {
      throw new LostTrack(`$'…' (read as quoting by bash, as $ then '…' by other shells)`);
    } else if (char !== undefined && NAME_START.test(char)) {
      this.#i = next;
      while (this.#i < text.length && NAME_CHAR.test(text[this.#i] as string)) {
        if (this.#isExpression(this.#i)) break;
        this.#i++;
      }
      return true;
    } else if (char !== undefined && SPECIAL_PARAMETER.test(char)) {
      this.#i += 2;
    } else {
      // A lone `$`, or `$"…"`, whose quotes the caller reads next.
      this.#i++;
    }
    return false;
  }

  #arithmetic(): void {
    const text = this.#text;
    this.#i += 3;
    let depth = 2;
    this.#forced(REFUSED_SPOTS.arithmetic, () => {
      while (this.#i < text.length) {
        const at = this.#i;
        if (this.#isExpression(at)) {
          this.#refuse(at, REFUSED_SPOTS.arithmetic);
          this.#i++;
          continue;
        }
        const char = text[at] as string;
        if (char === '(') {
          depth++;
        } else if (char === ')') {
          depth--;
          if (depth === 1) {
            if (text[at + 1] !== ')') throw new LostTrack('$(( … ) … ), which shells read apart');
            this.#i += 2;
            return;
          }
        } else if (/['"`\\]/.test(char)) {
          throw new LostTrack('quotes or backslashes inside $(( … ))');
        }
        this.#i++;
      }
    });
  }

  #parameter(isInDouble: boolean): void {
    const text = this.#text;
    this.#i += 2;
    this.#forced(REFUSED_SPOTS.parameter, () => {
      while (this.#i < text.length) {
        const at = this.#i;
        if (this.#isExpression(at)) {
          this.#refuse(at, REFUSED_SPOTS.parameter);
          this.#i++;
          continue;
        }
        const char = text[at];
        if (char === '}') {
          this.#i++;
          return;
        } else if (char === '\\') {
          this.#escaped(REFUSED_SPOTS.parameter);
        } else if (char === '{') {
          throw new LostTrack('a { inside ${…}, which shells match differently');
        } else if ((char === "'" || char === '"') && isInDouble) {
          throw new LostTrack('quotes inside ${…} within double quotes');
        } else if (char === "'") {
          this.#single();
        } else if (char === '"') {
          this.#double();
        } else if (char === '`') {
          this.#backticks();
        } else if (char === '$') {
          this.#dollar(isInDouble);
        } else {
          this.#i++;
        }
      }
    });
  }

  #backticks(): void {
    const text = this.#text;
    this.#i++;
    this.#forced(REFUSED_SPOTS.backticks, () => {
      // The first backquote that is not escaped ends them, whatever quotes stand between.
      while (this.#i < text.length) {
        const at = this.#i;
        if (this.#isExpression(at)) {
          this.#refuse(at, REFUSED_SPOTS.backticks);
          this.#i++;
        } else if (text[at] === '\\') {
          this.#escaped(REFUSED_SPOTS.backticks);
        } else if (text[at] === '`') {
          this.#i++;
          return;
        } else {
          this.#i++;
        }
      }
    });
  }

  /** `<<` or `<<-` and the delimiter word; its body starts after the next unquoted newline. */
  #heredocOperator(): void {
    const text = this.#text;
    this.#i += 2;
    const stripsTabs = text[this.#i] === '-';
    if (stripsTabs) this.#i++;
    while (this.#i < text.length && BLANK.test(text[this.#i] as string)) this.#i++;
    let delimiter = '';
    let isQuoted = false;
    while (this.#i < text.length) {
      const at = this.#i;
      if (this.#isExpression(at)) {
        this.#refuse(at, REFUSED_SPOTS.heredocWord);
        this.#i++;
        throw new LostTrack('a here-document delimiter made of a value');
      }
      const char = text[at] as string;
      if (BLANK.test(char) || char === '\n' || OPERATOR.test(char)) break;
      if (char === "'" || char === '"') {
        isQuoted = true;
        const close = text.indexOf(char, at + 1);
        const end = close === -1 ? text.length : close;
        const inner = text.slice(at + 1, end);
        if (this.#positions.some((position) => position > at && position < end)) {
          throw new LostTrack('a here-document delimiter made of a value');
        }
        delimiter += char === '"' ? inner.replace(/\\([$`"\\\n])/g, '$1') : inner;
        this.#i = end + 1;
      } else if (char === '\\') {
        isQuoted = true;
        delimiter += text[at + 1] ?? '';
        this.#escaped(REFUSED_SPOTS.heredocWord);
      } else {
        delimiter += char;
        this.#i++;
      }
    }
    if (delimiter !== '') this.#pending.push({ delimiter, isQuoted, stripsTabs });
  }

  /** The bodies of the here-documents opened on the line that just ended, in order. */
  #heredocBodies(): void {
    const text = this.#text;
    const pending = this.#pending;
    this.#pending = [];
    for (const heredoc of pending) {
      while (this.#i < text.length) {
        let line = '';
        // An unquoted delimiter's body joins a line ending in a backslash with the next one
        // before the delimiter is looked for.
        for (;;) {
          const end = text.indexOf('\n', this.#i);
          const lineEnd = end === -1 ? text.length : end;
          for (let at = this.#i; at < lineEnd; at++) {
            if (this.#isExpression(at)) this.#refuse(at, REFUSED_SPOTS.heredocBody);
          }
          line += text.slice(this.#i, lineEnd);
          this.#i = Math.min(text.length, lineEnd + 1);
          const trailing = /\\*$/.exec(line)?.[0].length ?? 0;
          if (heredoc.isQuoted || trailing % 2 === 0 || end === -1) break;
          line = line.slice(0, -1);
        }
        if ((heredoc.stripsTabs ? line.replace(/^\t+/, '') : line) === heredoc.delimiter) break;
      }
    }
  }
}

/**
 * What an expression leaves in the text the lexer reads: one character that no rule treats as
 * special (expressions are known by position, so a NUL in the command itself is harmless).
 */
const PLACEHOLDER = '\u0000';

/**
 * The quoting spot of each expression of a `run:` command, in order.
 *
 * @example
 * shellSlots(parseTemplate('echo "Processing ${{ item }}" ${{ index }}'));
 * // [{ kind: 'double', afterName: false }, { kind: 'bare' }]
 */
export function shellSlots(template: Template): ShellSlot[] {
  let text = '';
  const positions: number[] = [];
  for (const part of template.parts) {
    if (typeof part === 'string') {
      text += part;
    } else {
      positions.push(text.length);
      text += PLACEHOLDER;
    }
  }
  return new ShellLexer(text, positions).read();
}
