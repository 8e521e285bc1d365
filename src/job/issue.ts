/** A key or list index on the way from the top of the job file to a value. */
export type JobPath = ReadonlyArray<string | number>;

/**
 * A problem before it is placed in the file: `path` names where it is; `at: 'key'` points at the
 * key itself (an unknown key), `'value'` at its value.
 */
export interface Issue {
  path: JobPath;
  at: 'key' | 'value';
  /**
   * Where in a string value the problem starts (the index of a `${{`), to point at it rather
   * than at the start of the value.
   */
  offset?: number;
  /** What was expected, what was found, a suggestion; without the path prefix. */
  text: string;
}

const PLAIN_KEY = /^[A-Za-z0-9_$-]+$/;

/**
 * The dotted form of a path, as people write it in messages.
 *
 * @example
 * formatJobPath(['tasks', 'fetch', 'needs', 0]); // 'tasks.fetch.needs[0]'
 */
export function formatJobPath(path: JobPath): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (PLAIN_KEY.test(segment)) out += out === '' ? segment : `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out;
}

/** `path: text`, or the text alone for the whole file. */
export function issueMessage(issue: Issue): string {
  const where = formatJobPath(issue.path);
  return where === '' ? issue.text : `${where}: ${issue.text}`;
}
