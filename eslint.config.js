import js from '@eslint/js';
import tseslint from 'typescript-eslint';

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
