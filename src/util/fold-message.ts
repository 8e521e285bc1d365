/** The longest folded message kept: a group's title, not a log. */
const MAX_FOLDED_CHARS = 300;

/**
 * What varies from item to item in an error message, in the order it is folded (a URL holds a
 * path and numbers, a timestamp holds numbers). An IPv4 address stays, only its port is folded:
 * ten `ECONNREFUSED 127.0.0.1:PORT` are one kind of failure. Numbers inside a word (`E2BIG`,
 * `utf8`) and the ones that name the failure (`HTTP 404`, `exit code 3`, `signal 9`) stay.
 */
const FOLDS: ReadonlyArray<
  readonly [RegExp, string | ((match: string, ...groups: string[]) => string)]
> = [
  [/\b[a-z][a-z\d+.-]*:\/\/[^\s'"<>`()]+/gi, '<url>'],
  [/\b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?/g, '<time>'],
  [/(?<![\w.])((?:\d{1,3}\.){3}\d{1,3})(?::\d+)(?![\w.])/g, (_match, ip) => `${ip}:<n>`],
  [/\b[\da-f]{8}-[\da-f]{4}-[\da-f]{4}-[\da-f]{4}-[\da-f]{12}\b/gi, '<id>'],
  [/\b(?:0x)?(?=[\da-f]*\d)[\da-f]{12,}\b/gi, '<id>'],
  // `/tmp/x.txt`, `./tasks/a.ts`, `~/data`, `results/crawl.txt`: names with a slash between them;
  // a protocol version (`HTTP/1.1`) is not a path.
  [
    /(?<![\w<>])(?:~|\.{1,2})?(?:\/[\w.@%+=~-]+)+\/?|(?<![\w<>/])(?![A-Z]+\/\d)[\w.@%+~-]+(?:\/[\w.@%+=~-]+)+\/?/g,
    '<path>',
  ],
  [/(?<![\w.</]|(?:HTTP|status|code|signal) )-?\d+(?:\.\d+)?(?:e[+-]?\d+)?(?![\w.]|\.\d)/gi, '<n>'],
];

/**
 * The first line of an error message with what varies between items folded (URLs, paths,
 * timestamps, ids, ports and numbers), so one kind of failure on a thousand items is one group
 * in the summaries and in the report: `HTTP 404 Not Found from GET <url>`.
 *
 * @example foldMessage('connect ECONNREFUSED 127.0.0.1:41234') // 'connect ECONNREFUSED 127.0.0.1:<n>'
 * @example foldMessage('HTTP 404 Not Found from GET http://h/a/7') // 'HTTP 404 Not Found from GET <url>'
 */
export function foldMessage(message: string): string {
  let text = message.trim();
  const newline = text.indexOf('\n');
  if (newline !== -1) text = text.slice(0, newline).trimEnd();
  if (text.length > 2000) text = text.slice(0, 2000);
  for (const [pattern, replacement] of FOLDS) text = text.replace(pattern, replacement as string);
  text = text.replace(/\s+/g, ' ');
  return text.length > MAX_FOLDED_CHARS ? `${text.slice(0, MAX_FOLDED_CHARS - 1)}…` : text;
}
