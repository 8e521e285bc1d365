/**
 * Colour for jobrun's own text. A tiny helper instead of `util.styleText`, because on Node 20
 * `styleText` ignores `NO_COLOR` and the stream.
 */

export interface Style {
  readonly isEnabled: boolean;
  readonly bold: (text: string) => string;
  readonly dim: (text: string) => string;
  readonly green: (text: string) => string;
  readonly red: (text: string) => string;
  readonly yellow: (text: string) => string;
}

const wrap =
  (isEnabled: boolean, open: number, close: number) =>
  (text: string): string =>
    isEnabled ? `\u001B[${open}m${text}\u001B[${close}m` : text;

/** A style that emits escape codes only when `isEnabled`. */
export function createStyle(isEnabled: boolean): Style {
  return {
    isEnabled,
    bold: wrap(isEnabled, 1, 22),
    dim: wrap(isEnabled, 2, 22),
    green: wrap(isEnabled, 32, 39),
    red: wrap(isEnabled, 31, 39),
    yellow: wrap(isEnabled, 33, 39),
  };
}

/**
 * Whether to colour text written to `stream`, by the rules colorette uses: `NO_COLOR` set forbids
 * colour, `FORCE_COLOR` set (other than `0`) forces it, otherwise only on a TTY whose `TERM` is not
 * `dumb`.
 */
export function shouldUseColor(
  stream: { isTTY?: boolean },
  env: NodeJS.ProcessEnv = process.env,
): boolean {
  if (env.NO_COLOR !== undefined) return false;
  if (env.FORCE_COLOR !== undefined) return env.FORCE_COLOR !== '0';
  return stream.isTTY === true && env.TERM !== 'dumb';
}

/** Removes ANSI escape sequences; used by tests and to measure visible width. */
export function stripAnsi(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\u001B\[[0-9;?]*[ -/]*[@-~]/g, '');
}
