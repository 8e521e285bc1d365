import assert from 'node:assert/strict';
import { test } from 'node:test';
import { foldMessage } from '../../src/util/fold-message.ts';

// One folding for the summaries and the report: the same failures group the same way in both.
const cases: Array<[string, string]> = [
  ['connect ECONNREFUSED 127.0.0.1:41234', 'connect ECONNREFUSED 127.0.0.1:<n>'],
  ['GET http://127.0.0.1:8080/a/7?x=1 failed', 'GET <url> failed'],
  [
    'HTTP 404 Not Found from GET http://127.0.0.1:8787/missing/3',
    'HTTP 404 Not Found from GET <url>',
  ],
  [
    'HTTP 503 Service Unavailable from GET https://example.org/a?b=1',
    'HTTP 503 Service Unavailable from GET <url>',
  ],
  [
    "ENOENT: no such file or directory, open '/tmp/x/y.txt'",
    "ENOENT: no such file or directory, open '<path>'",
  ],
  [
    'command exited with code 3: cat: /tmp/abc/x12.txt: No such file',
    'command exited with code 3: cat: <path>: No such file',
  ],
  [
    'cannot read ./tasks/crawl.ts, results/pages.txt or ~/data',
    'cannot read <path>, <path> or <path>',
  ],
  ['the attempt timed out after 1000 ms', 'the attempt timed out after <n> ms'],
  ['killed by signal 9 after 2.5 s', 'killed by signal 9 after <n> s'],
  ['order 3f2a1c9e-1234-4bcd-8def-0123456789ab not found', 'order <id> not found'],
  [
    'row 17 at 2026-01-02T10:00:00.123Z id 550e8400-e29b-41d4-a716-446655440000',
    'row <n> at <time> id <id>',
  ],
  ['bad item 2', 'bad item <n>'],
  ['E2BIG utf8 HTTP/1.1', 'E2BIG utf8 HTTP/1.1'],
  ['first line 1\n    at stack (file.js:1:2)', 'first line <n>'],
  ['no digits here', 'no digits here'],
];

for (const [message, folded] of cases) {
  test(`folds ${message.split('\n')[0]}`, () => assert.equal(foldMessage(message), folded));
}

test('a long message is cut to 300 characters', () => {
  const folded = foldMessage(`failed: ${'x'.repeat(1000)}`);
  assert.equal(folded.length, 300);
  assert.ok(folded.endsWith('…'));
});
