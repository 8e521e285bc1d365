import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * The folders of src/, top to bottom: a folder imports only folders on a lower row, never one on
 * its own row or above, so data and calls flow one way down the pipeline (docs/architecture.md,
 * "Layers"). cmd/ and the barrel src/index.ts sit above every row; src/errors.ts, exit-codes.ts
 * and paths.ts sit with util/ on the last.
 */
const LAYERS = [
  ['schedule', 'html-report', 'report'],
  ['run'],
  ['queue'],
  ['executors', 'plan', 'services'],
  ['actions'],
  ['proc', 'results'],
  ['job'],
  ['expr'],
  ['util'],
];

/**
 * The rules that keep `folder` (on row `row`) from importing its own row or anything above;
 * `lazyAllowed`: folders above that it may still reach through a dynamic `import()`.
 */
function layerRules(folder, row, lazyAllowed = []) {
  const above = LAYERS.slice(0, row + 1)
    .flat()
    .filter((name) => name !== folder);
  const allowed = LAYERS.slice(row + 1).flat();
  // Also refuses the barrel and anything outside src/ (cmd/).
  const upwardOf = (names) => `^\\.\\./(?:(?:${names.join('|')})/|index\\.ts$|\\.\\./)`;
  const upward = upwardOf(above);
  const lazyUpward = upwardOf(above.filter((name) => !lazyAllowed.includes(name)));
  const message =
    `src/${folder}/ may import only ${[...allowed.map((name) => `${name}/`), 'the files at the root of src/'].join(', ')}: ` +
    'imports point down the layers (docs/architecture.md, "Layers"). Move the shared thing down.';
  return {
    files: [`src/${folder}/**`],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ regex: upward, message }] }],
      // A dynamic import() is not seen by no-restricted-imports.
      'no-restricted-syntax': [
        'error',
        {
          selector: `ImportExpression[source.value=/${lazyUpward.replaceAll('/', '\\/')}/]`,
          message,
        },
      ],
    },
  };
}

const layering = [
  ...LAYERS.flatMap((names, row) => names.map((folder) => layerRules(folder, row))),
  {
    // The one way up the layers: createExecutor reaches the queue executor by a dynamic import, so
    // that a local run never loads BullMQ, while queue/ runs a worker's attempts on the local
    // executors below it.
    ...layerRules('executors', 3, ['queue']),
    files: ['src/executors/create-executor.ts'],
  },
  {
    files: ['src/*.ts'],
    ignores: ['src/index.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^\\./(?:(?!util/)[^/]+/|index\\.ts$)|^\\.\\./',
              message:
                'src/errors.ts, exit-codes.ts and paths.ts sit at the bottom with util/: they may ' +
                'import only util/ (docs/architecture.md, "Layers").',
            },
          ],
        },
      ],
    },
  },
];

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'bench/results/', 'test/fixtures/', 'jobs/', 'bench/'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          // node:test's test() and describe() return promises the runner itself awaits.
          allowForKnownSafeCalls: [
            { from: 'package', package: 'node:test', name: ['test', 'describe', 'it', 'suite'] },
          ],
        },
      ],
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  ...layering,
  {
    // Tests match ANSI escape sequences on purpose.
    files: ['test/**'],
    rules: { 'no-control-regex': 'off' },
  },
  {
    // Plain JS: the build scripts, the tests' helpers and the worker bootstraps of src/.
    files: ['eslint.config.js', 'scripts/**/*.js', 'test/**/*.js', 'src/**/*.js'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    // Node scripts; TypeScript files get globals from @types/node.
    files: ['**/*.js'],
    rules: { 'no-undef': 'off' },
  },
);
