#!/usr/bin/env node
// `npm run build` (also npm's `prepare`, so `npm ci` and `npm install` from a clone build): makes
// dist/ from a clean folder.
//   dist/src/  the package, what `import … from 'jobrun'` loads: tsc's output with declarations,
//              the job schema compiled ahead of time (build-schema-validator.js), and the
//              page script and style of `jobrun report`, minified (build-report-assets.js);
//   dist/cmd/  the command line, bundled with esbuild for its start-up time (build-cli.js).
// With `--if-stale` (`npm test`'s pretest) it builds only when dist/ is missing or older than the
// source (build-state.js), so `npm test` after `npm ci` or `npm run build` does not build again.

import { execFileSync } from 'node:child_process';
import { rmSync, utimesSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildCli } from './build-cli.js';
import { buildReportAssets } from './build-report-assets.js';
import { buildSchemaValidator } from './build-schema-validator.js';
import { BUILD_OUTPUTS, staleBuildReason } from './build-state.js';

const root = fileURLToPath(new URL('..', import.meta.url));

if (process.argv.includes('--if-stale')) {
  const reason = staleBuildReason(root);
  if (reason === null) {
    console.log('jobrun build: dist/ is up to date');
    process.exit(0);
  }
  console.log(`jobrun build: ${reason}; building`);
}

const startedAt = new Date();
rmSync(join(root, 'dist'), { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
buildSchemaValidator(root);
await buildReportAssets(root);
await buildCli(root);
// Dated to the build's start: a source file saved while it ran counts as changed since.
utimesSync(join(root, BUILD_OUTPUTS[0]), startedAt, startedAt);
