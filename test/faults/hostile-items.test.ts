import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { runCli } from '../helpers/cli.ts';
import { tempDir } from '../helpers/files.ts';
import { HOSTILE_VALUES } from '../helpers/hostile-values.ts';
import { byIndex, readRecords } from '../helpers/results.ts';

const HOSTILE = HOSTILE_VALUES;

const KINDS = ['process', 'thread', 'coroutine'] as const;

/**
 * One `printf` line per quoting context of the expression `path`: bare, inside double quotes (the
 * natural `"Processing …"`), inside single quotes, glued to other text, after `$NAME` in double
 * quotes, mixed quotes, and inside `$( … )` within double quotes.
 */
function printfLine(path: string): string {
  const e = `\${{ ${path} }}`;
  return [
    `printf '[%s]\\n' ${e} "Processing ${e}" 'single ${e} quoted' pre${e}post`,
    `"$JOBRUN_JOB${e}" "mix '${e}' "'"${e}"' "$(printf %s "${e}")"`,
  ].join(' ');
}

/** What `printfLine` prints for `value` in job `job`. */
function expectedLines(value: string, job: string): string {
  return [
    value,
    `Processing ${value}`,
    `single ${value} quoted`,
    `pre${value}post`,
    `${job}${value}`,
    `mix '${value}' "${value}"`,
    value.replace(/\n+$/, ''),
  ]
    .map((line) => `[${line}]\n`)
    .join('');
}

/** A YAML block scalar of `text`, indented for a task key. */
function block(text: string): string {
  return `|\n${text
    .split('\n')
    .map((line) => `      ${line}`)
    .join('\n')}`;
}

function hostileJob(dir: string): string {
  writeFileSync(join(dir, 'produce.mjs'), `export default () => ${JSON.stringify(HOSTILE)};\n`);
  const vars = HOSTILE.map((_, index) => `  v${index}: placeholder`).join('\n');
  const yaml = `name: hostile
vars:
${vars}
tasks:
  items:
    map: [${HOSTILE.map((value) => JSON.stringify(value)).join(', ')}]
    run: ${block(printfLine('item'))}
  natural:
    map: [${HOSTILE.filter((value) => !value.includes('\\'))
      .map((value) => JSON.stringify(value))
      .join(', ')}]
    run: echo "Processing \${{ item }}"
  from-vars:
    run: ${block(HOSTILE.map((_, index) => printfLine(`vars.v${index}`)).join('\n'))}
  produce:
    function: ./produce.mjs
  from-result:
    needs: [produce]
    run: ${block(HOSTILE.map((_, index) => printfLine(`tasks.produce.result[${index}]`)).join('\n'))}
  result-via-env:
    needs: [produce]
    env: { VALUES: "\${{ tasks.produce.result }}" }
    run: printf '%s' "$VALUES"
`;
  const file = join(dir, 'hostile.yaml');
  writeFileSync(file, yaml);
  return file;
}

describe('hostile items are printed as they are, never run, on every executor', () => {
  for (const kind of KINDS) {
    test(kind, { timeout: 120_000 }, async () => {
      const dir = tempDir(`hostile-${kind}`);
      const file = hostileJob(dir);
      const results = join(dir, 'results.jsonl');
      const run = await runCli(
        [
          file,
          '--executor',
          kind,
          '--results',
          results,
          '--output',
          'plain',
          ...HOSTILE.flatMap((value, index) => ['--var', `v${index}=${value}`]),
        ],
        { cwd: dir },
      );
      assert.equal(run.code, 0, run.stderr);
      const records = readRecords(results);
      const stdoutOf = (task: string): string[] =>
        byIndex(records, task).map((record) => (record.result as { stdout: string }).stdout);

      assert.deepEqual(
        stdoutOf('items'),
        HOSTILE.map((value) => expectedLines(value, 'hostile')),
      );
      assert.deepEqual(
        stdoutOf('natural'),
        HOSTILE.filter((value) => !value.includes('\\')).map((value) => `Processing ${value}\n`),
      );
      const all = HOSTILE.map((value) => expectedLines(value, 'hostile')).join('');
      assert.deepEqual(stdoutOf('from-vars'), [all]);
      assert.deepEqual(stdoutOf('from-result'), [all]);
      assert.deepEqual(stdoutOf('result-via-env'), [JSON.stringify(HOSTILE)]);
      assert.deepEqual(
        readdirSync(dir).filter((name) => name.includes('pwned')),
        [],
        'a value ran as a command',
      );
    });
  }
});

describe('spots where a value cannot be literal are refused before anything runs', () => {
  // [line of the run: block, what it shows, the message expected at its expression]
  const refusals: Array<[string, string, RegExp]> = [
    ['      echo `echo ${{ item }}`', 'backticks', /inside backticks.*"\$JOBRUN_ITEM"/],
    ['      echo $(( ${{ index }} + 1 ))', '$(( ))', /inside \$\(\( … \)\).*"\$JOBRUN_INDEX"/],
    ['      echo ${x:-${{ vars.dir }}}', '${…}', /parameter expansion.*env: \{ DIR: /],
    ['      true # ${{ item }}', 'comment', /in a comment.*; remove it from the comment$/],
    ['      echo "\\${{ item }}"', 'backslash', /right after a backslash/],
    ['      echo $${{ item }}', 'dollar', /right after \$/],
    ['      cat <<EOF', 'here-document', /^$/],
    ['      body ${{ item }}', 'here-document body', /in a here-document body/],
    ['      EOF', 'here-document', /^$/],
    // Last: after it, every expression is refused.
    ['      echo $\'x\' "${{ item }}"', "$'…'", /after \$'…'/],
  ];

  test('each refused spot is one problem at the expression, exit 2, nothing run', async () => {
    const dir = tempDir('refused');
    const lines = [
      'name: refused',
      'vars: { dir: /tmp }',
      'tasks:',
      '  t:',
      '    map: ["$(touch pwned)"]',
      '    run: |',
      '      touch ran',
      ...refusals.map(([line]) => line),
    ];
    const file = join(dir, 'refused.yaml');
    writeFileSync(file, lines.join('\n') + '\n');
    const expected = refusals
      .map(([line, , message], position) => ({
        place: `${8 + position}:${line.indexOf('${{') + 1}`,
        message,
      }))
      .filter((_, position) => refusals[position]?.[0].includes('${{'));

    for (const command of [
      ['validate', file],
      [file, '--output', 'plain'],
    ]) {
      const run = await runCli(command, { cwd: dir });
      assert.equal(run.code, 2, run.stderr);
      const problems = run.stderr.split('\n').filter((line) => line.startsWith(file));
      assert.equal(problems.length, expected.length, run.stderr);
      for (const { place, message } of expected) {
        const line = problems.find((problem) => problem.startsWith(`${file}:${place}  `));
        assert.ok(line, `no problem at ${place}:\n${run.stderr}`);
        assert.match(line, message);
      }
    }
    assert.equal(existsSync(join(dir, 'ran')), false);
    assert.equal(existsSync(join(dir, 'pwned')), false);
    assert.equal(existsSync(join(dir, 'results')), false);
  });
});

describe('env:', () => {
  test("a task's value wins over the job's; both reach commands and functions as environment", async () => {
    const dir = tempDir('env');
    writeFileSync(
      join(dir, 'read-env.mjs'),
      'export default () => [process.env.SHARED, process.env.ONLY_JOB, process.env.INHERITED];\n',
    );
    writeFileSync(
      join(dir, 'env.yaml'),
      `name: env
vars: { site: "$(touch pwned)" }
env:
  SHARED: from-job
  ONLY_JOB: "job \${{ vars.site }} \${{ job.name }}"
  NUMBER: 42
tasks:
  cmd:
    map: ["$(touch pwned) it's", "b"]
    env:
      SHARED: "task \${{ item }}"
    run: printf '[%s]\\n' "$SHARED" "$ONLY_JOB" "$INHERITED" "$NUMBER" "$JOBRUN_ITEM"
  fn:
    function: ./read-env.mjs
`,
    );
    for (const kind of KINDS) {
      const results = join(dir, `${kind}.jsonl`);
      const run = await runCli(
        [join(dir, 'env.yaml'), '--executor', kind, '--results', results, '--output', 'plain'],
        { cwd: dir, env: { INHERITED: 'from jobrun' } },
      );
      assert.equal(run.code, 0, run.stderr);
      const records = readRecords(results);
      assert.deepEqual(
        byIndex(records, 'cmd').map((record) => (record.result as { stdout: string }).stdout),
        ["$(touch pwned) it's", 'b'].map(
          (item) => `[task ${item}]\n[job $(touch pwned) env]\n[from jobrun]\n[42]\n[${item}]\n`,
        ),
        kind,
      );
      const [fn] = byIndex(records, 'fn');
      assert.deepEqual(fn?.result, ['from-job', 'job $(touch pwned) env', 'from jobrun'], kind);
    }
    assert.equal(existsSync(join(dir, 'pwned')), false);
  });

  test('env: on a function task and per-item values in the job env are refused', async () => {
    const dir = tempDir('env-refused');
    const file = join(dir, 'job.yaml');
    writeFileSync(join(dir, 'fn.mjs'), 'export default () => 1;\n');
    writeFileSync(
      file,
      `name: bad-env
env:
  ITEM: \${{ item }}
  JOBRUN_ITEM: x
secrets: [1X]
tasks:
  f:
    function: ./fn.mjs
    env: { A: b }
`,
    );
    const run = await runCli(['validate', file], { cwd: dir });
    assert.equal(run.code, 2);
    assert.match(run.stderr, /:3:9 {2}env\.ITEM: .*only vars, env and job/);
    assert.match(run.stderr, /:4:3 {2}env\.JOBRUN_ITEM: expected an environment variable name/);
    assert.match(run.stderr, /:5:11 {2}secrets\[0\]: expected an environment variable name/);
    assert.match(run.stderr, /:9:5 {2}tasks\.f\.env: expected env: only on a run task/);
  });
});

describe('secrets:', () => {
  // A value with characters JSON escapes, so both its plain and its JSON form must be masked.
  const SECRET = 's3cr3t"tok\\en';

  function secretsJob(dir: string): string {
    writeFileSync(
      join(dir, 'leak.mjs'),
      `export default (input, ctx) => {
  const token = process.env.API_TOKEN;
  console.log('printed ' + token);
  console.error('warned ' + token);
  ctx.log('logged ' + token);
  if (input === 'fail') throw new Error('failed with ' + token);
  return { token, [token]: 'as a key' };
};
`,
    );
    const fnTasks = KINDS.map(
      (kind) => `  fn-${kind}:
    map: [ok, fail]
    function: ./leak.mjs
    continueOnError: true
    executor: { kind: ${kind}, maxWorkers: 1 }`,
    ).join('\n');
    const file = join(dir, 'secrets.yaml');
    writeFileSync(
      file,
      `name: secrets
secrets: [API_TOKEN, FROM_JOB]
env:
  FROM_JOB: job-secret-value
tasks:
  cmd:
    run: |
      printf 'out %s %s\\n' "$API_TOKEN" "$FROM_JOB"
      printf 'err %s\\n' "$API_TOKEN" >&2
  fails:
    continueOnError: true
    run: printf 'bad %s\\n' "$API_TOKEN" >&2; exit 3
${fnTasks}
  relay:
    map: { from: fn-coroutine }
    run: "true"
`,
    );
    return file;
  }

  for (const output of ['plain', 'json'] as const) {
    test(`masked in the results file and in jobrun's ${output} output`, async () => {
      const dir = tempDir(`secrets-${output}`);
      const file = secretsJob(dir);
      const results = join(dir, 'results.jsonl');
      const run = await runCli([file, '--results', results, '--output', output], {
        cwd: dir,
        env: { API_TOKEN: SECRET },
      });
      assert.equal(run.code, 0, run.stderr);
      const text = readFileSync(results, 'utf8');
      const jsonForm = JSON.stringify(SECRET).slice(1, -1);
      for (const [where, content] of [
        ['results', text],
        ['stdout', run.stdout],
        ['stderr', run.stderr],
      ] as const) {
        assert.ok(!content.includes(SECRET), `${where} shows the secret:\n${content}`);
        assert.ok(!content.includes(jsonForm), `${where} shows the secret as JSON:\n${content}`);
        assert.ok(!content.includes('job-secret-value'), `${where} shows the job's secret`);
      }
      const records = readRecords(results);
      assert.equal(
        (byIndex(records, 'cmd')[0]?.result as { stdout: string }).stdout,
        'out *** ***\n',
      );
      assert.deepEqual(byIndex(records, 'relay')[0]?.item, { token: '***', '***': 'as a key' });
      for (const kind of KINDS) {
        const [ok, failed] = byIndex(records, `fn-${kind}`);
        assert.deepEqual(ok?.result, { token: '***', '***': 'as a key' }, kind);
        assert.match((failed?.error as { message: string }).message, /failed with \*\*\*/);
      }
      // What task code printed and logged still shows, masked.
      const shown = run.stdout + run.stderr;
      for (const line of ['printed ***', 'warned ***', 'logged ***']) {
        assert.ok(shown.includes(line), `missing ${JSON.stringify(line)} in:\n${shown}`);
      }
    });
  }
});
