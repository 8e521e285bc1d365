#!/usr/bin/env node
// Part of `npm run build`: bundles the libraries on jobrun's start-up path into single ES modules
// under dist/vendor/, reached through package.json's "imports" (#yaml, #commander, #listr2).
// Node 20 loads a CommonJS package from an ES module slowly (it scans the source for its exports
// and loads each file separately): yaml as shipped costs ~17 ms, bundled ~4 ms; commander ~8 ms
// against ~4 ms. That is most of the distance between `jobrun validate` and `node -e 0`.

import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist', 'vendor');
mkdirSync(out, { recursive: true });

// CommonJS code inside a bundle calls require() for Node's built-ins.
const REQUIRE_BANNER =
  "import { createRequire as __jobrunCreateRequire } from 'node:module';\nconst require = __jobrunCreateRequire(import.meta.url);";

const common = {
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  logLevel: 'warning',
  legalComments: 'inline',
};

await Promise.all([
  // yaml's own ES module build (its "default" export condition), the same parser as its CommonJS one.
  build({
    ...common,
    entryPoints: [join(root, 'node_modules', 'yaml', 'browser', 'index.js')],
    outfile: join(out, 'yaml.js'),
  }),
  // listr2 and its terminal modules (log-update, wrap-ansi, …: two dozen small packages, several
  // imported only when the listing starts) as one module: ~35 ms of resolving and loading files
  // became the largest cost of a live listing over a short run.
  //
  // Its text measuring, `string-width` (two versions: wrap-ansi pins an older one), is swapped for
  // `fast-string-width`, same signature: string-width compiles Unicode-property regular
  // expressions (`\p{RGI_Emoji}` with the `v` flag) and an `Intl.Segmenter` on first use, ~45 ms
  // before the first row is drawn, against ~6 ms. Plain text, CJK and common emoji measure the
  // same; a rare emoji sequence may differ by a column (docs/output.md).
  build({
    ...common,
    entryPoints: [join(root, 'node_modules', 'listr2', 'dist', 'index.js')],
    outfile: join(out, 'listr2.js'),
    banner: { js: REQUIRE_BANNER },
    alias: { 'string-width': 'fast-string-width' },
  }),
  build({
    ...common,
    entryPoints: [join(root, 'node_modules', 'commander', 'esm.mjs')],
    outfile: join(out, 'commander.js'),
    // commander is CommonJS inside: its require() of Node's built-ins needs a real require.
    banner: { js: REQUIRE_BANNER },
  }),
]);
