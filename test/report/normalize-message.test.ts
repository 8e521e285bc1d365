import assert from 'node:assert/strict';
import { test } from 'node:test';
import { normalizeMessage } from '../../src/report/format.ts';

test('what varies between items is folded, the kind of error stays', () => {
  const cases: Array<[string, string]> = [
    ['connect ECONNREFUSED 127.0.0.1:41234', 'connect ECONNREFUSED 127.0.0.1:<n>'],
    ['GET http://127.0.0.1:8080/a/7?x=1 failed', 'GET <url> failed'],
    [
      "ENOENT: no such file or directory, open '/tmp/x/y.txt'",
      "ENOENT: no such file or directory, open '<path>'",
    ],
    ['cannot read ./data/3.csv', 'cannot read <path>'],
    ['the attempt timed out after 1000 ms', 'the attempt timed out after <n> ms'],
    ['order 3f2a1c9e-1234-4bcd-8def-0123456789ab not found', 'order <id> not found'],
    ['bad item 2', 'bad item <n>'],
    ['E2BIG utf8 HTTP/1.1', 'E2BIG utf8 HTTP/1.1'],
    ['no digits here', 'no digits here'],
  ];
  for (const [message, folded] of cases) assert.equal(normalizeMessage(message), folded, message);
});
