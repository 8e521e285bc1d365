import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { describe, test } from 'node:test';
import { evaluateCommand, type Scope } from '../../src/expr/evaluate.ts';
import { parseTemplate } from '../../src/expr/parse-template.ts';
import { REFUSED_SPOTS, shellSlots, type ShellSlot } from '../../src/expr/shell-context.ts';
import { quoteForSlot } from '../../src/expr/shell-quote.ts';
import { tempDir } from '../helpers/files.ts';
import { HOSTILE_VALUES } from '../helpers/hostile-values.ts';

const slots = (command: string): ShellSlot[] => shellSlots(parseTemplate(command));
const kinds = (command: string): string[] =>
  slots(command).map((slot) => (slot.kind === 'refused' ? `refused ${slot.spot}` : slot.kind));

const BARE = 'bare';
const DOUBLE = 'double';
const SINGLE = 'single';
const refused = (spot: string): string => `refused ${spot}`;

describe('shellSlots: the quoting spot of each expression', () => {
  test('bare, double-quoted and single-quoted, alone or next to other text', () => {
    assert.deepEqual(kinds('echo ${{ item }}'), [BARE]);
    assert.deepEqual(kinds('echo "Processing ${{ item }}"'), [DOUBLE]);
    assert.deepEqual(kinds("echo 'x ${{ item }} y'"), [SINGLE]);
    assert.deepEqual(kinds('cp a${{ item }}b "x${{ index }}y" \'${{ vars.v }}\'z'), [
      BARE,
      DOUBLE,
      SINGLE,
    ]);
    assert.deepEqual(kinds(`echo "it's \${{ item }}" 'say "\${{ item }}"'`), [DOUBLE, SINGLE]);
    assert.deepEqual(kinds('${{ item }}${{ index }}'), [BARE, BARE]);
  });

  test('quotes, escapes and $ forms that end before the expression', () => {
    assert.deepEqual(kinds(`echo "a\\"b" \\' \${{ item }}`), [BARE]);
    assert.deepEqual(kinds(`echo 'a\\' \${{ item }}`), [BARE]);
    assert.deepEqual(kinds('echo "$x $1 $@ ${y} $$" ${{ item }}'), [BARE]);
    assert.deepEqual(kinds('echo a#b ${{ item }} $# ${{ index }}'), [BARE, BARE]);
    assert.deepEqual(kinds('echo $"x ${{ item }}"'), [DOUBLE]);
    assert.deepEqual(kinds('echo "$" ${{ item }}'), [BARE]);
  });

  test('$NAME right before an expression inside double quotes', () => {
    assert.deepEqual(slots('echo "$dir${{ item }}" "$dir/${{ item }}"'), [
      { kind: 'double', afterName: true },
      { kind: 'double', afterName: false },
    ]);
  });

  test('$( … ) is a fresh shell context, also inside double quotes', () => {
    assert.deepEqual(kinds('echo "$(basename ${{ item }})"'), [BARE]);
    assert.deepEqual(kinds('echo "$(printf %s "in ${{ item }}")" "${{ index }}"'), [
      DOUBLE,
      DOUBLE,
    ]);
    assert.deepEqual(kinds(`x=$( (cd a; echo ')') ) && echo \${{ item }}`), [BARE]);
    assert.deepEqual(kinds(`echo "$(echo ')')" '\${{ item }}'`), [SINGLE]);
    assert.deepEqual(kinds('echo $(echo a # ) in a comment\n) ${{ item }}'), [BARE]);
  });

  test('refused: backticks, $(( )), ${…}, comments, after \\ or $', () => {
    assert.deepEqual(kinds('echo `echo ${{ item }}` ${{ index }}'), [
      refused(REFUSED_SPOTS.backticks),
      BARE,
    ]);
    assert.deepEqual(kinds('echo "`echo \\` ${{ item }}`"'), [refused(REFUSED_SPOTS.backticks)]);
    assert.deepEqual(kinds('echo $(( ${{ index }} + (1) )) ${{ item }}'), [
      refused(REFUSED_SPOTS.arithmetic),
      BARE,
    ]);
    assert.deepEqual(kinds('echo ${x:-${{ item }}} "${y#${{ item }}}" ${{ index }}'), [
      refused(REFUSED_SPOTS.parameter),
      refused(REFUSED_SPOTS.parameter),
      BARE,
    ]);
    assert.deepEqual(kinds('echo ${x:-$(echo ${{ item }})}'), [refused(REFUSED_SPOTS.parameter)]);
    assert.deepEqual(kinds('echo hi # ${{ item }}\necho ${{ index }}'), [
      refused(REFUSED_SPOTS.comment),
      BARE,
    ]);
    assert.deepEqual(kinds('echo >#${{ item }}\n'), [refused(REFUSED_SPOTS.comment)]);
    assert.deepEqual(kinds('echo \\${{ item }} "\\${{ index }}"'), [
      refused(REFUSED_SPOTS.afterBackslash),
      refused(REFUSED_SPOTS.afterBackslash),
    ]);
    assert.deepEqual(kinds('echo $${{ item }} "$${{ index }}"'), [
      refused(REFUSED_SPOTS.afterDollar),
      refused(REFUSED_SPOTS.afterDollar),
    ]);
  });

  test('here-documents: bodies and delimiters refused, text after them read again', () => {
    const command = [
      'cat <<EOF; echo ${{ item }}',
      'body ${{ item }} "',
      'EOF',
      'cat <<-\'END\' <<"B"',
      '\t$x ${{ index }}',
      '\tEND',
      "b '",
      'B',
      'echo "${{ item }}"',
    ].join('\n');
    assert.deepEqual(kinds(command), [
      BARE,
      refused(REFUSED_SPOTS.heredocBody),
      refused(REFUSED_SPOTS.heredocBody),
      DOUBLE,
    ]);
    // An unquoted delimiter's body joins a line ending in a backslash with the next one.
    assert.deepEqual(kinds('cat <<E\nab\\\nE\n${{ item }}\nE\necho ${{ index }}'), [
      refused(REFUSED_SPOTS.heredocBody),
      BARE,
    ]);
    assert.deepEqual(kinds("cat <<'E'\nab\\\nE\necho ${{ index }}"), [BARE]);
    assert.deepEqual(kinds('cat <<<"${{ item }}"'), [DOUBLE]);
    const [first, second] = slots('cat <<${{ item }}\nx\n${{ index }}');
    assert.deepEqual(first, { kind: 'refused', spot: REFUSED_SPOTS.heredocWord });
    assert.equal(second?.kind, 'refused');
  });

  test('after text shells read differently, every later expression is refused', () => {
    for (const command of [
      "echo $'a\\'' ${{ item }}",
      'x=$(case a in a) echo;; esac) ${{ item }}',
      `echo "\${x:-'}'}" \${{ item }}`,
      'echo ${x:-{a}} ${{ item }}',
      'echo $(( (1) + 2 ) ) ${{ item }}',
    ]) {
      const [slot] = slots(command);
      assert.equal(slot?.kind, 'refused', command);
      assert.match((slot as { spot: string }).spot, /^after /, command);
    }
    assert.deepEqual(kinds("echo ${{ index }} $'x'"), [BARE]);
  });
});

describe('quoteForSlot', () => {
  test('bare: one single-quoted word', () => {
    assert.equal(quoteForSlot({ kind: 'bare' }, "it's"), `'it'\\''s'`);
    assert.equal(quoteForSlot({ kind: 'bare' }, ''), "''");
  });

  test('double: backslashes before \\ $ ` " only, and "" after $NAME', () => {
    assert.equal(
      quoteForSlot({ kind: 'double', afterName: false }, 'a\\b $(x) `y` "z" \'q\''),
      'a\\\\b \\$(x) \\`y\\` \\"z\\" \'q\'',
    );
    assert.equal(quoteForSlot({ kind: 'double', afterName: true }, 'abc'), '""abc');
  });

  test('single: each quote closes, escapes and reopens', () => {
    assert.equal(quoteForSlot({ kind: 'single' }, "a'b"), `a'\\''b`);
  });

  test('a refused spot throws, and so does a NUL character', () => {
    assert.throws(() => quoteForSlot({ kind: 'refused', spot: 'in a comment' }, 'x'), /comment/);
    assert.throws(() => quoteForSlot({ kind: 'bare' }, 'a\0b'), /NUL character/);
  });
});

const scopeOf = (item: unknown): Scope => ({
  item,
  index: 0,
  vars: {},
  env: {},
  tasks: {},
  job: { name: 'j' },
  run: { id: 'r', startedAt: '' },
});

// /bin/sh is dash on Debian and bash in POSIX mode on macOS: a command must read the same in each.
const SHELLS: string[][] = [
  ['/bin/sh'],
  ...(existsSync('/bin/bash')
    ? [
        ['/bin/bash', '--norc', '--posix'],
        ['/bin/bash', '--norc'],
      ]
    : []),
];

const workDir = tempDir('shell-context');

/**
 * What `/bin/sh -c command` prints, run with `$dir` set in a temp folder; the same from every shell
 * at hand, and nothing run from a value (no `pwned` file).
 */
function sh(command: string): string {
  const outputs = SHELLS.map(([shell, ...flags]) =>
    execFileSync(shell as string, [...flags, '-c', command], {
      encoding: 'utf8',
      cwd: workDir,
      env: { dir: '/d' },
    }),
  );
  assert.deepEqual(readdirSync(workDir), [], `${JSON.stringify(command)} ran a value`);
  for (const [position, output] of outputs.entries()) {
    const shell = SHELLS[position]?.join(' ');
    assert.equal(output, outputs[0], `${shell} reads ${JSON.stringify(command)} differently`);
  }
  return outputs[0] as string;
}

describe('evaluateCommand: /bin/sh reads every value back as literal text', () => {
  for (const item of HOSTILE_VALUES) {
    test(JSON.stringify(item), () => {
      const command = [
        `printf '[%s]\\n' \${{ item }} "in \${{ item }} dq" 'in \${{ item }} sq'`,
        ` x\${{ item }}y "$dir\${{ item }}" "$(printf %s "\${{ item }}")"`,
      ].join('');
      const expected = [item, `in ${item} dq`, `in ${item} sq`, `x${item}y`, `/d${item}`, item];
      assert.equal(
        sh(evaluateCommand(command, scopeOf(item))),
        expected.map((line) => `[${line}]\n`).join(''),
      );
    });
  }

  test('non-strings are inserted as JSON text, nothing as empty text', () => {
    const output = sh(
      evaluateCommand(`printf '[%s]' \${{ item }} "\${{ item.list }}" '\${{ item.none }}'`, {
        ...scopeOf({ list: [1, 'a b'], n: null }),
      }),
    );
    assert.equal(output, '[{"list":[1,"a b"],"n":null}][[1,"a b"]][]');
  });
});
