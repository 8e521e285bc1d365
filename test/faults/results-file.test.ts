import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  statSync,
  statfsSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { describe, test, type TestContext } from 'node:test';
import { CLI_PATH, runCli, type CliResult } from '../helpers/cli.ts';
import { tempDir, writeJobFile } from '../helpers/files.ts';
import { eventually, isAlive, pidsIn } from '../helpers/processes.ts';
import { itemRecords, readRecords } from '../helpers/results.ts';

// The results file against a hostile machine and hostile paths: links, the job's own inputs,
// another run, leftover locks, read-only and full disks. Every case runs the real CLI in a
// folder of its own outside the repository.

const isRoot = process.getuid?.() === 0;
/** A uid without any rights on root's files, to meet permission bits root would bypass. */
const NOBODY = 65534;

function scratch(): string {
  const dir = tempDir('faults');
  // Readable by the unprivileged user of the permission case.
  chmodSync(dir, 0o755);
  return dir;
}

function lockFiles(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir).filter((name) => name.endsWith('.lock')) : [];
}

/** Mounts a tmpfs at `dir` with `options`, or says why it cannot. */
function mountTmpfs(dir: string, options: string): string | null {
  if (!isRoot) return 'needs root to mount a tmpfs';
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', dir], { stdio: 'pipe' });
    return null;
  } catch (error) {
    return `cannot mount a tmpfs here: ${(error as Error).message.split('\n')[0]}`;
  }
}

function unmount(dir: string): void {
  try {
    execFileSync('umount', [dir], { stdio: 'pipe' });
  } catch {
    execFileSync('umount', ['-l', dir], { stdio: 'pipe' });
  }
}

/** Runs `body` with a tmpfs mounted at a new folder, unmounting it whatever happens. */
async function withTmpfs(
  t: TestContext,
  options: string,
  body: (mount: string, dir: string) => Promise<void>,
): Promise<void> {
  const dir = scratch();
  const mount = join(dir, 'mnt');
  mkdirSync(mount);
  const reason = mountTmpfs(mount, options);
  if (reason !== null) {
    t.skip(reason);
    return;
  }
  try {
    await body(mount, dir);
  } finally {
    unmount(mount);
  }
}

/** Leaves `bytesFree` bytes free on the file system of `dir`, with one filler file. */
function fillUpTo(dir: string, bytesFree: number): void {
  const filler = join(dir, 'filler');
  writeFileSync(filler, '');
  const free = (): number => statfsSync(dir).bavail * statfsSync(dir).bsize;
  writeFileSync(filler, Buffer.alloc(Math.max(0, free() - bytesFree)));
  assert.equal(free(), bytesFree);
}

/**
 * A run stopped by a results file it could not write: exit 74, one line naming the file and the
 * cause, no stack, no lock left, and whatever reached the file is whole lines.
 */
function assertStoppedByWriteError(result: CliResult, resultsPath: string, cause: RegExp): void {
  assert.equal(result.code, 74, result.stderr);
  const lines = result.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, result.stderr);
  assert.ok(
    lines[0]?.startsWith(`jobrun: cannot write the results file ${resultsPath}: `),
    result.stderr,
  );
  assert.match(lines[0] ?? '', cause);
  assert.doesNotMatch(result.stderr, /internal error|\n\s+at /);
  assert.deepEqual(lockFiles(join(resultsPath, '..')), []);
  if (existsSync(resultsPath) && statSync(resultsPath).isFile()) readRecords(resultsPath);
}

describe('the results file is never a link, nor one of the job’s inputs', () => {
  test('a symbolic link at the results path is refused: exit 2, one line, its target untouched', async () => {
    const dir = scratch();
    const target = join(dir, 'precious.txt');
    writeFileSync(target, 'keep me\n');
    symlinkSync(target, join(dir, 'out.jsonl'));
    const job = writeJobFile(
      dir,
      'linked',
      `results: out.jsonl\ntasks:\n  t:\n    run: touch ran\n`,
    );
    const result = await runCli([job, '--output', 'plain'], { cwd: dir });
    assert.equal(result.code, 2, result.stderr);
    assert.equal(result.stderr.trimEnd().split('\n').length, 1, result.stderr);
    assert.match(result.stderr, /out\.jsonl is a symbolic link .*never writes through a link/);
    assert.equal(readFileSync(target, 'utf8'), 'keep me\n');
    assert.equal(existsSync(join(dir, 'ran')), false, 'nothing ran');
    assert.deepEqual(lockFiles(dir), [], 'nothing touched, not even a lock');
  });

  test('results: naming the lines file is a validation error at results:, the input untouched', async () => {
    const dir = scratch();
    writeFileSync(join(dir, 'urls.txt'), 'a\nb\n');
    const job = writeJobFile(
      dir,
      'eats-input',
      `results: urls.txt\ntasks:\n  fetch:\n    map: { lines: urls.txt }\n    run: echo \${{ item }}\n`,
    );
    const result = await runCli([job, '--output', 'plain'], { cwd: dir });
    assert.equal(result.code, 2, result.stderr);
    assert.match(
      result.stderr,
      /eats-input\.yaml:2:10 +results: the results file \.\/urls\.txt is the lines file of tasks\.fetch\.map\.lines/,
    );
    assert.equal(readFileSync(join(dir, 'urls.txt'), 'utf8'), 'a\nb\n');
    assert.deepEqual(lockFiles(dir), []);
  });

  test('results: naming the job file itself is a validation error, the job untouched', async () => {
    const dir = scratch();
    const job = writeJobFile(dir, 'self', `results: self.yaml\ntasks:\n  t:\n    run: "true"\n`);
    const before = readFileSync(job, 'utf8');
    const result = await runCli([job, '--output', 'plain'], { cwd: dir });
    assert.equal(result.code, 2, result.stderr);
    assert.match(
      result.stderr,
      /self\.yaml:2:10 +results: the results file \.\/self\.yaml is the job file itself/,
    );
    assert.equal(readFileSync(job, 'utf8'), before);
  });

  test('results: naming a task module, or a file a glob lists, is a validation error', async () => {
    const dir = scratch();
    writeFileSync(join(dir, 'work.mjs'), 'export function work(x) { return x; }\n');
    const job = writeJobFile(
      dir,
      'module',
      `results: work.mjs\ntasks:\n  t:\n    function: ./work.mjs#work\n`,
    );
    const result = await runCli([job], { cwd: dir });
    assert.equal(result.code, 2, result.stderr);
    assert.match(
      result.stderr,
      /module\.yaml:2:10 +results: .*is the module of tasks\.t\.function/,
    );
    assert.equal(
      readFileSync(join(dir, 'work.mjs'), 'utf8'),
      'export function work(x) { return x; }\n',
    );

    const globbed = writeJobFile(
      dir,
      'globbed',
      `results: data/out.jsonl\ntasks:\n  t:\n    map: { glob: "data/*.jsonl" }\n    run: cat \${{ item }}\n`,
    );
    const second = await runCli([globbed], { cwd: dir });
    assert.equal(second.code, 2, second.stderr);
    assert.match(
      second.stderr,
      /globbed\.yaml:2:10 +results: .*matches tasks\.t\.map\.glob "data\/\*\.jsonl"/,
    );
    assert.equal(existsSync(join(dir, 'data')), false);
  });

  test('--results naming an input is refused, naming the option', async () => {
    const dir = scratch();
    writeFileSync(join(dir, 'urls.txt'), 'a\n');
    const job = writeJobFile(
      dir,
      'option',
      `tasks:\n  fetch:\n    map: { lines: urls.txt }\n    run: echo \${{ item }}\n`,
    );
    for (const target of ['urls.txt', 'option.yaml']) {
      const before = readFileSync(join(dir, target), 'utf8');
      const result = await runCli([job, '--results', target], { cwd: dir });
      assert.equal(result.code, 2, result.stderr);
      assert.match(result.stderr, /--results: the results file .* is the/);
      assert.equal(readFileSync(join(dir, target), 'utf8'), before);
    }
  });
});

describe('one results file, one run at a time', () => {
  test('a second job with another name and the same results file exits 75 and touches nothing', async () => {
    const dir = scratch();
    const first = writeJobFile(
      dir,
      'first',
      `results: shared.jsonl\ntasks:\n  wait:\n    run: touch started && sleep 2\n`,
    );
    const second = writeJobFile(
      dir,
      'second',
      `results: shared.jsonl\ntasks:\n  t:\n    run: touch second-ran\n`,
    );
    const running = spawn(process.execPath, [CLI_PATH, first, '--output', 'quiet'], {
      cwd: dir,
      stdio: 'ignore',
    });
    const exited = new Promise<number | null>((resolve) => running.on('close', resolve));
    assert.ok(await eventually(() => existsSync(join(dir, 'started'))));
    const before = readFileSync(join(dir, 'shared.jsonl'), 'utf8');
    const result = await runCli([second, '--output', 'plain'], { cwd: dir });
    assert.equal(result.code, 75, result.stderr);
    assert.match(
      result.stderr,
      new RegExp(`another run is writing .*shared\\.jsonl \\(pid ${running.pid}`),
    );
    assert.equal(existsSync(join(dir, 'second-ran')), false);
    assert.ok(readFileSync(join(dir, 'shared.jsonl'), 'utf8').startsWith(before));
    assert.equal(await exited, 0);
    assert.equal(readRecords(join(dir, 'shared.jsonl'))[0]?.job, 'first');
  });

  for (const [what, content] of [
    ['a dead pid', '2147483646\n'],
    ['an empty file', ''],
    ['garbage', '\u0000\u0001 not a pid'],
  ] as const) {
    test(`a lock left holding ${what} is taken over, and the message names it`, async () => {
      const dir = scratch();
      const job = writeJobFile(
        dir,
        'leftover',
        `results: out.jsonl\ntasks:\n  t:\n    run: "true"\n`,
      );
      writeFileSync(join(dir, '.out.jsonl.lock'), content);
      writeFileSync(join(dir, '.leftover.lock'), content);
      const result = await runCli([job, '--output', 'quiet'], { cwd: dir });
      assert.equal(result.code, 0, result.stderr);
      assert.ok(result.stderr.includes(join(dir, '.out.jsonl.lock')), result.stderr);
      assert.ok(result.stderr.includes(join(dir, '.leftover.lock')), result.stderr);
      assert.equal(readRecords(join(dir, 'out.jsonl')).at(-1)?.status, 'ok');
      assert.deepEqual(lockFiles(dir), []);
    });
  }
});

describe('a results file that cannot be written stops the run: exit 74', () => {
  test('a folder at the results path (EISDIR)', async () => {
    const dir = scratch();
    mkdirSync(join(dir, 'out.jsonl'));
    const job = writeJobFile(
      dir,
      'isdir',
      `results: out.jsonl\ntasks:\n  t:\n    run: touch ran\n`,
    );
    const result = await runCli([job, '--output', 'plain'], { cwd: dir });
    assertStoppedByWriteError(result, join(dir, 'out.jsonl'), /it is a folder \(EISDIR\)/);
    assert.equal(existsSync(join(dir, 'ran')), false);
  });

  test('a folder the user may not write to (EACCES)', async () => {
    const dir = scratch();
    const locked = join(dir, 'locked');
    mkdirSync(locked);
    chmodSync(locked, 0o555);
    const job = writeJobFile(
      dir,
      'denied',
      `results: locked/out.jsonl\ntasks:\n  t:\n    run: "true"\n`,
    );
    // Root passes permission bits by: the run goes as an unprivileged user then.
    const result = await runCli(
      [job, '--output', 'plain'],
      isRoot ? { cwd: dir, uid: NOBODY, env: { HOME: dir } } : { cwd: dir },
    );
    assertStoppedByWriteError(result, join(locked, 'out.jsonl'), /permission denied \(EACCES\)/);
  });

  test('a read-only file system (EROFS), a new folder in it too', async (t) => {
    await withTmpfs(t, 'ro,size=64k', async (mount, dir) => {
      for (const results of ['out.jsonl', 'sub/deeper/out.jsonl']) {
        const job = writeJobFile(dir, 'readonly', `tasks:\n  t:\n    run: touch ran\n`);
        const path = join(mount, results);
        const result = await runCli([job, '--results', path, '--output', 'plain'], { cwd: dir });
        assertStoppedByWriteError(result, path, /read-only file system \(EROFS\)/);
        assert.equal(existsSync(join(dir, 'ran')), false);
      }
    });
  });

  test('a folder bind-mounted read-only keeps its last results file whole (EROFS)', async (t) => {
    await withTmpfs(t, 'size=64k', async (mount, dir) => {
      const job = writeJobFile(
        dir,
        'rebind',
        `results: ${mount}/out.jsonl\ntasks:\n  t:\n    run: "true"\n`,
      );
      assert.equal((await runCli([job, '--output', 'quiet'], { cwd: dir })).code, 0);
      const before = readFileSync(join(mount, 'out.jsonl'), 'utf8');
      execFileSync('mount', ['-o', 'remount,ro', mount]);
      const result = await runCli([job, '--output', 'plain'], { cwd: dir });
      assertStoppedByWriteError(
        result,
        join(mount, 'out.jsonl'),
        /read-only file system \(EROFS\)/,
      );
      assert.equal(readFileSync(join(mount, 'out.jsonl'), 'utf8'), before);
    });
  });

  test('a full disk at the start: no lock is left to block the next run', async (t) => {
    await withTmpfs(t, 'size=64k', async (mount, dir) => {
      const job = writeJobFile(
        dir,
        'full',
        `results: ${mount}/out.jsonl\ntasks:\n  t:\n    run: touch ran\n`,
      );
      const { bsize } = statfsSync(mount);
      // Nothing free: the lock cannot be written. Two blocks: the locks fit, the run record not.
      for (const blocksFree of [0, 2]) {
        fillUpTo(mount, blocksFree * bsize);
        const result = await runCli([job, '--output', 'plain'], { cwd: dir });
        assertStoppedByWriteError(
          result,
          join(mount, 'out.jsonl'),
          /no space left on the device \(ENOSPC\)/,
        );
        assert.equal(existsSync(join(dir, 'ran')), false, 'nothing ran');
        if (blocksFree > 0) assert.doesNotMatch(result.stderr, /lock/, 'the results file failed');
      }
      // Space again: the next run is not blocked by anything the failed ones left.
      writeFileSync(join(mount, 'filler'), '');
      const next = await runCli([job, '--output', 'quiet'], { cwd: dir });
      assert.equal(next.code, 0, next.stderr);
      assert.equal(readRecords(join(mount, 'out.jsonl')).at(-1)?.status, 'ok');
    });
  });

  test('a disk filling up mid-run: in-flight commands stopped, dependents not run, whole lines kept', async (t) => {
    await withTmpfs(t, 'size=64k', async (mount, dir) => {
      const pids = join(dir, 'pids');
      // Each big item prints 2 KB into its record, once the sleeper is surely in flight.
      const job = writeJobFile(
        dir,
        'fills',
        [
          `results: ${mount}/out.jsonl`,
          'executor: { kind: coroutine, maxWorkers: 8 }',
          'tasks:',
          '  sleeper:',
          `    run: echo $$ >> ${pids}; exec sleep 60`,
          '  big:',
          '    map: { range: 400 }',
          `    run: while [ ! -s ${pids} ]; do sleep 0.05; done; head -c 2000 /dev/zero | tr '\\0' x`,
          '  after:',
          '    needs: [big]',
          `    run: touch ${join(dir, 'after-ran')}`,
          '',
        ].join('\n'),
      );
      const result = await runCli([job, '--output', 'plain'], { cwd: dir, timeoutMs: 30_000 });
      assertStoppedByWriteError(
        result,
        join(mount, 'out.jsonl'),
        /no space left on the device \(ENOSPC\)/,
      );
      const records = readRecords(join(mount, 'out.jsonl'));
      assert.equal(records[0]?.type, 'run', 'the run record came first');
      assert.equal(existsSync(join(dir, 'after-ran')), false, 'dependents never ran');
      const [sleeper] = pidsIn(pids);
      assert.ok(sleeper !== undefined);
      assert.ok(await eventually(() => !isAlive(sleeper)), 'the in-flight command was stopped');
    });
  });
});

describe('nothing lost, nothing reported before it is on disk', () => {
  test('a coroutine that never yields still leaves the run record behind a SIGKILL', async () => {
    const dir = scratch();
    writeFileSync(
      join(dir, 'spin.mjs'),
      "import { writeFileSync } from 'node:fs';\nexport function spin(marker) { writeFileSync(marker, 'spinning'); for (;;) {} }\nexport function after() {}\n",
    );
    const marker = join(dir, 'spinning');
    const job = writeJobFile(
      dir,
      'spin',
      // The callback loads the module before the run starts, so the loop begins at once.
      `results: out.jsonl\ntasks:\n  t:\n    function: ./spin.mjs#spin\n    callback: ./spin.mjs#after\n    with: ${JSON.stringify(marker)}\n`,
    );
    const child = spawn(process.execPath, [CLI_PATH, job, '--output', 'plain'], {
      cwd: dir,
      stdio: 'ignore',
    });
    const exited = new Promise((resolve) => child.on('close', resolve));
    try {
      assert.ok(await eventually(() => existsSync(marker)));
    } finally {
      child.kill('SIGKILL');
      await exited;
    }
    const records = readRecords(join(dir, 'out.jsonl'));
    assert.equal(records[0]?.type, 'run');
    assert.equal(records[0]?.job, 'spin');
  });

  for (const mode of ['plain', 'json'] as const) {
    test(`--output ${mode}: an item shown finished is in the file, even after a SIGKILL right then`, async () => {
      const dir = scratch();
      // Item 1 holds the event loop for a while right after item 0 finished: a report of item 0
      // made before its record is written would come long before the record.
      writeFileSync(
        join(dir, 'work.mjs'),
        'export function work(n) { if (n === 1) { const end = Date.now() + 1500; while (Date.now() < end); } return n; }\n',
      );
      const job = writeJobFile(
        dir,
        `shown-${mode}`,
        `results: out.jsonl\nexecutor: { kind: coroutine, maxWorkers: 1 }\ntasks:\n  t:\n    map: [0, 1]\n    function: ./work.mjs#work\n`,
      );
      const child = spawn(process.execPath, [CLI_PATH, job, '--output', mode], {
        cwd: dir,
        stdio: ['ignore', 'pipe', 'ignore'],
      });
      const exited = new Promise((resolve) => child.on('close', resolve));
      const shown = mode === 'plain' ? /t\[0\] +ok/ : /"type":"item-finished".*"index":0/;
      let output = '';
      await new Promise<void>((resolve) => {
        child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
          output += chunk;
          if (!shown.test(output)) return;
          child.kill('SIGKILL');
          resolve();
        });
        child.on('close', () => resolve());
      });
      await exited;
      assert.match(output, shown);
      const items = itemRecords(readRecords(join(dir, 'out.jsonl')), 't');
      assert.ok(
        items.some((record) => record.index === 0 && record.status === 'ok'),
        `item 0 was shown finished but is not in the file:\n${output}`,
      );
    });
  }
});
