// Whether dist/ is as current as what it is built from, by modification times: `npm test` builds
// only when it is not (scripts/build.js --if-stale), and the tests of the built CLI and package
// refuse to run an out-of-date one (test/helpers/built.ts). After a build, its first output file,
// dist/cmd/jobrun.js, carries the time the build started.

import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { SCHEMA_VALIDATOR_PATH } from './build-schema-validator.js';

/** What the build writes, relative to the package root; the first one is the stamp. */
export const BUILD_OUTPUTS = [
  join('dist', 'cmd', 'jobrun.js'),
  join('dist', 'cmd', 'chunks.json'),
  join('dist', 'src', 'index.js'),
  join('dist', 'src', 'index.d.ts'),
  SCHEMA_VALIDATOR_PATH,
];

/** What the build reads: folders (every file below) and files, relative to the package root. */
const BUILD_INPUTS = [
  'cmd',
  'src',
  'schemas',
  'scripts',
  'package.json',
  'tsconfig.json',
  'tsconfig.build.json',
  // Rewritten by every `npm install` or `npm ci`: the bundled libraries may have changed.
  join('node_modules', '.package-lock.json'),
];

/**
 * Why the build of the package at `root` is not current (an output missing, or an input changed
 * since the build started), or `null` when it is.
 * @param {string} root
 * @returns {string | null}
 */
export function staleBuildReason(root) {
  const missing = BUILD_OUTPUTS.find((path) => !existsSync(join(root, path)));
  if (missing !== undefined) return `${missing} is missing`;
  const builtAt = statSync(join(root, BUILD_OUTPUTS[0])).mtimeMs;
  for (const input of BUILD_INPUTS) {
    const changed = newerFile(root, input, builtAt);
    if (changed !== null) return `${changed} changed since the last build`;
  }
  return null;
}

/** The first file at or below `path` modified after `time`, or `null`. */
function newerFile(root, path, time) {
  const full = join(root, path);
  if (!existsSync(full)) return null;
  const stats = statSync(full);
  if (!stats.isDirectory()) return stats.mtimeMs > time ? path : null;
  for (const entry of readdirSync(full)) {
    const found = newerFile(root, join(path, entry), time);
    if (found !== null) return found;
  }
  return null;
}
