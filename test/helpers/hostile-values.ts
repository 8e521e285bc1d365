/**
 * Values that would run code, split words, expand or glob if jobrun inserted them into a shell
 * command as shell text. Tests that use them run commands in a temp folder and check that no
 * `pwned` file appears there.
 */
export const HOSTILE_VALUES: readonly string[] = [
  '$(touch pwned)',
  '`touch pwned`',
  "'; touch pwned; '",
  '" ; touch pwned ; "',
  '\\',
  'ends with \\',
  '\\"; touch pwned; \\"',
  'line one\nline two $(touch pwned)',
  '$HOME',
  '${IFS}touch${IFS}pwned',
  '*',
  '~',
  'ünïcödé 😀 שלום',
  '',
  '-n',
  '--help',
  "it's",
  'tab\there',
  '  spaced  out  ',
  '#not a comment',
  '!',
  '}}',
];
