import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { runCli } from '../helpers/cli.ts';

// `jobrun FILE` is the main use, so `jobrun --help` must show the options of a run, not only
// the commands.

const RUN_OPTIONS = [
  '--executor <kind>',
  '--max-workers <n>',
  '--connection <url>',
  '--results <path>',
  '--var <name=value>',
  '--output <mode>',
  '--dry-run',
  '--fail-fast',
  '--no-services',
  '--resume',
];

/** The option terms (`--name <arg>`) listed under a help heading, up to the next heading. */
function optionsUnder(help: string, heading: RegExp): string[] {
  const lines = help.split('\n');
  const start = lines.findIndex((line) => heading.test(line));
  assert.notEqual(start, -1, `no heading ${String(heading)} in:\n${help}`);
  const terms: string[] = [];
  for (const line of lines.slice(start + 1)) {
    if (!line.startsWith(' ')) break;
    const term = /^ {2}(-\S.*?)(?: {2,}|$)/.exec(line)?.[1];
    if (term !== undefined) terms.push(term.replace(/^-\w, /, ''));
  }
  return terms;
}

describe('jobrun --help', () => {
  test('lists every run option before the commands, with no empty default', async () => {
    const { code, stdout } = await runCli(['--help']);
    assert.equal(code, 0);
    assert.match(stdout, /^Usage: jobrun \[run options\] <file>\n/);
    const listed = optionsUnder(stdout, /^Run options\b/);
    assert.deepEqual(listed, RUN_OPTIONS);
    assert.ok(stdout.indexOf('Run options') < stdout.indexOf('Commands:'), stdout);
    assert.doesNotMatch(stdout, /\(default: \{\}\)/);
    assert.deepEqual(optionsUnder(stdout, /^Options:/), ['--version', '--help']);
  });

  test('`jobrun run --help` lists the same options', async () => {
    const root = await runCli(['--help']);
    const run = await runCli(['run', '--help']);
    assert.equal(run.code, 0);
    const runOptions = optionsUnder(run.stdout, /^Options:/).filter((term) => term !== '--help');
    assert.deepEqual(optionsUnder(root.stdout, /^Run options\b/), runOptions);
    assert.doesNotMatch(run.stdout, /\(default: \{\}\)/);
  });

  test('`jobrun` alone prints the same help and exits 2', async () => {
    const root = await runCli(['--help']);
    const bare = await runCli([]);
    assert.equal(bare.code, 2);
    assert.equal(bare.stdout, root.stdout);
  });
});
