import assert from 'node:assert/strict';
import { existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runCli } from '../helpers/cli.ts';
import { tempDir } from '../helpers/files.ts';
import { runProcess } from '../helpers/processes.ts';
import { byIndex, readRecords } from '../helpers/results.ts';

// Task modules load the same way in any user folder: no package.json, "type": "module" or
// "type": "commonjs"; every extension with the syntax it implies; on every executor kind; as a
// function and as a callback. Each folder lives outside this repository (whose own package.json
// says "type": "module") and holds one job that uses all its modules at once.

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const KINDS = ['process', 'thread', 'coroutine'] as const;
const ITEMS = [1, 2, 3];
const workDir = tempDir('modules');

/** A module's source: `double` doubles its input; the default export labels a result. */
type ModuleSource = (label: string) => string;

const esm: ModuleSource = (label) => `export function double(n) {
  return n * 2;
}
export default function label(result) {
  return '${label}:' + String(result);
}
`;

const commonJs: ModuleSource = (label) => `function label(result) {
  return '${label}:' + String(result);
}
module.exports = label;
module.exports.double = (n) => n * 2;
`;

// TypeScript-only syntax throughout: an interface, annotations, type-only imports, and an import
// of another TypeScript file written the NodeNext way (`.js` for `helper.ts`).
const typeScript: ModuleSource = (label) => `import type { Stats } from 'node:fs';
import type { Factor } from './types.ts';
import { FACTOR } from './helper.js';

interface Labelled {
  text: string;
  stats?: Stats;
}

export function double(n: number): number {
  const factor: Factor = FACTOR;
  return n * factor;
}

export default function label(result: number): string {
  const labelled: Labelled = { text: '${label}:' + String(result) };
  return labelled.text;
}
`;

const HELPERS: Record<string, string> = {
  'types.ts': 'export type Factor = number;\n',
  'helper.ts': "import type { Factor } from './types.ts';\nexport const FACTOR: Factor = 2;\n",
};

interface Folder {
  name: string;
  packageJson?: object;
  modules: Record<string, ModuleSource>;
}

const FOLDERS: Folder[] = [
  {
    name: 'no-package-json',
    modules: {
      'esm.mjs': esm,
      'cjs.cjs': commonJs,
      // Node reads the syntax of a .js file that no package.json types.
      'esm-syntax.js': esm,
      'cjs-syntax.js': commonJs,
      'typed.ts': typeScript,
      'typed.mts': typeScript,
      'typed.cts': typeScript,
    },
  },
  {
    name: 'type-module',
    packageJson: { type: 'module' },
    modules: {
      'esm.mjs': esm,
      'cjs.cjs': commonJs,
      'esm-syntax.js': esm,
      'typed.ts': typeScript,
      'typed.mts': typeScript,
      'typed.cts': typeScript,
    },
  },
  {
    name: 'type-commonjs',
    // What `npm init -y` writes.
    packageJson: { name: 'tasks', version: '1.0.0', type: 'commonjs' },
    modules: {
      'esm.mjs': esm,
      'cjs.cjs': commonJs,
      'cjs-syntax.js': commonJs,
      'typed.ts': typeScript,
      'typed.mts': typeScript,
      'typed.cts': typeScript,
    },
  },
];

function writeFiles(dir: string, files: Record<string, string>): void {
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
}

/** A task id for a module file: `typed.cts` → `typed-cts`. */
function taskId(file: string): string {
  return file.replace(/\./g, '-');
}

/**
 * One job for a folder: per module, one task on each executor kind (function `double`, callback:
 * the default export), and one that calls the default export as its function.
 */
function matrixJob(folder: Folder): string {
  const lines = [`name: ${folder.name}`, 'executor: { kind: coroutine, maxWorkers: 2 }', 'tasks:'];
  for (const file of Object.keys(folder.modules)) {
    for (const kind of KINDS) {
      lines.push(
        `  ${taskId(file)}-${kind}:`,
        `    executor: { kind: ${kind}, maxWorkers: 2 }`,
        `    map: [${ITEMS.join(', ')}]`,
        `    function: ./${file}#double`,
        `    callback: ./${file}`,
      );
    }
    lines.push(`  ${taskId(file)}-default:`, `    function: ./${file}`, `    with: default`);
  }
  return `${lines.join('\n')}\n`;
}

before(() => {
  // The "no package.json" folder means nothing above it may have one either.
  for (let dir = workDir; dirname(dir) !== dir; dir = dirname(dir)) {
    assert.equal(existsSync(join(dir, 'package.json')), false, `${dir} has a package.json`);
  }
  for (const folder of FOLDERS) {
    const dir = join(workDir, folder.name);
    const files: Record<string, string> = { ...HELPERS, 'job.yaml': matrixJob(folder) };
    if (folder.packageJson) files['package.json'] = JSON.stringify(folder.packageJson);
    for (const [file, source] of Object.entries(folder.modules)) files[file] = source(file);
    writeFiles(dir, files);
  }
});

describe('task modules load in any folder, on every executor kind', () => {
  for (const folder of FOLDERS) {
    test(folder.name, { timeout: 120_000 }, async () => {
      const dir = join(workDir, folder.name);
      // Run from the user's folder, as a user would.
      const run = await runCli(['job.yaml', '--output', 'plain'], { cwd: dir });
      const records = readRecords(join(dir, 'results', `${folder.name}.jsonl`));
      const failures = records
        .filter((record) => record.type === 'item' && record.status !== 'ok')
        .map((record) => `${String(record.task)}: ${JSON.stringify(record.error)}`);
      assert.deepEqual(failures, [], run.stderr);
      assert.equal(run.code, 0, run.stderr);
      for (const file of Object.keys(folder.modules)) {
        for (const kind of KINDS) {
          const items = byIndex(records, `${taskId(file)}-${kind}`);
          assert.deepEqual(
            items.map((record) => record.result),
            ITEMS.map((n) => `${file}:${n * 2}`),
            `${file} on ${kind}`,
          );
          for (const record of items) {
            assert.match(String(record.worker), new RegExp(`^${kind}`), `${file} ran on ${kind}`);
          }
        }
        assert.deepEqual(
          byIndex(records, `${taskId(file)}-default`).map((record) => record.result),
          [`${file}:default`],
          `the default export of ${file}`,
        );
      }
    });
  }
});

// The same library code, once as an ES module and once as CommonJS: it runs the folder's job on
// each executor kind and prints every item's result.
const LIBRARY_USE = `const job = await loadJob(join(HERE, 'job.yaml'));
const results = {};
for (const kind of ['process', 'thread', 'coroutine']) {
  let items = [];
  const run = await runJob(job, {
    executor: { kind, maxWorkers: 2 },
    resultsPath: join(HERE, 'results', kind + '.jsonl'),
    onEvent: (event) => {
      if (event.type === 'item-finished') items.push(event.record.result);
    },
  });
  results[kind] = { status: run.summary.status, items: items.sort() };
}
console.log(JSON.stringify(results));
`;

describe('runJob from a user program', () => {
  const programs = {
    'an ES module program': {
      packageJson: { type: 'module' },
      script: 'main.js',
      text: `import { join } from 'node:path';
import { loadJob, runJob } from 'jobrun';
const HERE = import.meta.dirname;
${LIBRARY_USE}`,
    },
    'a CommonJS program': {
      packageJson: { name: 'app', version: '1.0.0', type: 'commonjs' },
      script: 'main.js',
      // Node 20.19 and later can require() an ES module such as jobrun.
      text: `const { join } = require('node:path');
const { loadJob, runJob } = require('jobrun');
const HERE = __dirname;
(async () => {
${LIBRARY_USE}
})().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
`,
    },
  };

  for (const [name, program] of Object.entries(programs)) {
    test(name, { timeout: 120_000 }, async () => {
      const dir = join(workDir, name.replace(/\W+/g, '-'));
      writeFiles(dir, {
        ...HELPERS,
        'package.json': JSON.stringify(program.packageJson),
        [program.script]: program.text,
        'typed.ts': typeScript('typed.ts'),
        'typed.cts': typeScript('typed.cts'),
        'job.yaml': [
          'name: library',
          'tasks:',
          '  ts:',
          `    map: [${ITEMS.join(', ')}]`,
          '    function: ./typed.ts#double',
          '    callback: ./typed.cts',
        ].join('\n'),
      });
      // As `npm install jobrun` would place it, but this checkout itself.
      mkdirSync(join(dir, 'node_modules'));
      symlinkSync(REPO, join(dir, 'node_modules', 'jobrun'), 'dir');
      const run = await runProcess(process.execPath, [program.script], {
        cwd: dir,
        timeoutMs: 90_000,
      });
      assert.equal(run.code, 0, run.stderr);
      const expected = { status: 'ok', items: ITEMS.map((n) => `typed.cts:${n * 2}`) };
      assert.deepEqual(JSON.parse(run.stdout), {
        process: expected,
        thread: expected,
        coroutine: expected,
      });
    });
  }
});

describe('jobrun validate reads modules without running them', () => {
  test('a module that cannot load is reported with its FILE:LINE:COL', async () => {
    const dir = join(workDir, 'broken');
    writeFiles(dir, {
      'package.json': JSON.stringify({ type: 'commonjs' }),
      'broken.ts': 'export function double(n: number): number {\n  return n *;\n}\n',
      'await.ts':
        'const base: number = await Promise.resolve(1);\nexport const double = (n: number) => base * n;\n',
      'esm-syntax.js':
        '// ES module syntax where Node expects CommonJS\nexport const double = (n) => n * 2;\n',
      'runs.ts':
        "writeFileSync('ran', '');\nimport { writeFileSync } from 'node:fs';\nexport const double = (n: number) => n * 2;\n",
      'job.yaml': [
        'name: broken',
        'tasks:',
        '  broken:',
        '    function: ./broken.ts#double',
        '  await:',
        '    function: ./runs.ts#double',
        '    callback: ./await.ts#double',
        '  esm:',
        '    function: ./esm-syntax.js#double',
      ].join('\n'),
    });
    const job = join(dir, 'job.yaml');
    const run = await runCli(['validate', job], { cwd: dir });
    assert.equal(run.code, 2, run.stderr);
    const lines = run.stderr.split('\n');
    for (const expected of [
      `${job}:4:15  tasks.broken.function: ./broken.ts:2:13: syntax error: Unexpected ";"`,
      `${job}:7:15  tasks.await.callback: ./await.ts:1:22: Top-level await is currently not supported with the "cjs" output format; tsx compiles this file to CommonJS because ${join(dir, 'package.json')} has "type": "commonjs"`,
      `${job}:9:15  tasks.esm.function: ./esm-syntax.js:2:1: it uses import/export, but Node loads it as CommonJS because ${join(dir, 'package.json')} has "type": "commonjs"`,
    ]) {
      assert.ok(
        lines.some((line) => line.startsWith(expected)),
        `expected a line starting ${expected}\n${run.stderr}`,
      );
    }
    assert.equal(lines.filter((line) => line.startsWith(job)).length, 3, run.stderr);
    assert.equal(existsSync(join(dir, 'ran')), false, 'validate ran a module');
  });
});

describe("a TypeScript function's error names its file and line", () => {
  const THROWS = `interface Input { word: string }\nexport function shout(input: Input): string {\n  throw new Error('no ' + input.word);\n}\n`;
  for (const [name, packageJson] of [
    ['no package.json (CommonJS to tsx)', null],
    ['"type": "module"', JSON.stringify({ type: 'module' })],
  ] as const) {
    test(name, { timeout: 60_000 }, async () => {
      const dir = join(workDir, `stack-${packageJson === null ? 'cjs' : 'esm'}`);
      writeFiles(dir, {
        ...(packageJson === null ? {} : { 'package.json': packageJson }),
        'shout.ts': THROWS,
        'job.yaml': [
          'name: stack',
          'tasks:',
          ...KINDS.flatMap((kind) => [
            `  ${kind}:`,
            `    executor: { kind: ${kind}, maxWorkers: 1 }`,
            '    function: ./shout.ts#shout',
            '    with: { word: hi }',
          ]),
        ].join('\n'),
      });
      const run = await runCli([join(dir, 'job.yaml'), '--output', 'quiet'], { cwd: dir });
      assert.equal(run.code, 1, run.stderr);
      const records = readRecords(join(dir, 'results', 'stack.jsonl'));
      for (const kind of KINDS) {
        const record = records.find((r) => r.type === 'item' && r.task === kind);
        const stack = String((record?.error as { stack?: string } | undefined)?.stack);
        const [message, frame] = stack.split('\n');
        assert.equal(message, 'Error: no hi', `${kind}: ${stack.slice(0, 300)}`);
        assert.match(frame ?? '', new RegExp(`^ {4}at shout \\(${join(dir, 'shout.ts')}:3:9\\)$`));
        assert.ok(!stack.includes('data:'), `${kind}: ${stack.slice(0, 300)}`);
      }
    });
  }
});
