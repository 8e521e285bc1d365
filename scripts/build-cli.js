// Part of `npm run build` (scripts/build.js): bundles the command line into dist/cmd/ with esbuild.
// Source code imports its libraries by name and runs as it is (tsx in development, tsc's output in
// the package); only the CLI is bundled, for its start-up time. Node 20 loads a CommonJS package
// from an ES module slowly (it scans the source for its exports and loads each file separately):
// yaml as shipped costs ~17 ms, bundled ~4 ms; commander ~8 ms against ~4 ms. That is most of the
// distance between `jobrun validate` and `node -e 0`.

import { writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { build } from 'esbuild';

/**
 * Packages bundled, with everything they import; other packages load from node_modules. bullmq
 * and ioredis as shipped take ~100 ms more to load (hundreds of files, each CommonJS one scanned),
 * once per queue run and per `jobrun worker`.
 */
const BUNDLED = new Set(['yaml', 'commander', 'bullmq', 'ioredis']);
/** Imported by bundled packages, but loaded from node_modules: it finds its native addon there. */
const LEFT_OUT = new Set(['msgpackr-extract']);

// CommonJS code inside a bundle calls require() for Node's built-ins, through esbuild's shim, which
// looks for a `require` in scope.
const REQUIRE_BANNER = {
  js: "import { createRequire as __jobrunCreateRequire } from 'node:module';\nconst require = __jobrunCreateRequire(import.meta.url);",
};

/** Bundles the CLI of the package at `root` into `root`/dist/cmd/ (which must not exist yet). */
export async function buildCli(root) {
  const outdir = join(root, 'dist', 'cmd');
  const common = {
    absWorkingDir: root,
    outdir,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    sourcemap: 'linked',
    // As tsc's maps: they point into src/ and node_modules/ rather than carry a copy.
    sourcesContent: false,
    legalComments: 'inline',
    logLevel: 'warning',
    metafile: true,
    plugins: [bundledLibraries(root)],
  };
  const builds = await Promise.all([
    // The command. Each `await import()` of the source stays a chunk of its own, so `jobrun
    // --version` or `validate` loads no got, reporter or engine code: test/cli/start-up.test.ts
    // checks it through chunks.json (below).
    build({
      ...common,
      entryPoints: { jobrun: 'cmd/jobrun.ts' },
      splitting: true,
      chunkNames: 'chunk-[hash]',
      banner: REQUIRE_BANNER,
    }),
    // commander on its own (the command imports it as ./commander.js): it is CommonJS, whose
    // runtime helpers would otherwise make one more chunk that every chunk imports (~1 ms).
    build({
      ...common,
      entryPoints: { commander: 'node_modules/commander/esm.mjs' },
      banner: REQUIRE_BANNER,
    }),
    // The worker entries, each one self-contained file that a thread or process loads whole. They
    // sit next to the chunks, whose `new URL('./thread-entry.js', import.meta.url)` finds them.
    build({
      ...common,
      entryPoints: {
        'thread-entry': 'src/executors/thread-entry.ts',
        'process-entry': 'src/executors/process-entry.ts',
      },
      banner: REQUIRE_BANNER,
    }),
  ]);
  const contents = Object.assign({}, ...builds.map(({ metafile }) => sourcesByOutput(metafile)));
  writeFileSync(join(outdir, 'chunks.json'), `${JSON.stringify(contents, null, 2)}\n`);
}

/**
 * Packages that jobrun's own code imports are left to load from node_modules at run time (got,
 * ajv, tsx, esbuild…: as the source does, and as lazily), except the BUNDLED ones. What a bundled
 * package imports is bundled with it.
 */
function bundledLibraries(root) {
  return {
    name: 'jobrun-bundled-libraries',
    setup(build) {
      build.onResolve({ filter: /^[^./]/ }, (args) => {
        if (LEFT_OUT.has(args.path)) return { external: true };
        if (args.kind === 'entry-point' || args.importer.includes('/node_modules/'))
          return undefined;
        const name = args.path.startsWith('@')
          ? args.path.split('/').slice(0, 2).join('/')
          : args.path.split('/')[0];
        if (!BUNDLED.has(name)) return { external: true };
        if (name === 'commander') return { path: './commander.js', external: true };
        // yaml's own ES module build (its "default" export condition), the same parser as the
        // CommonJS one Node picks, without CommonJS's wrapper.
        if (args.path === 'yaml')
          return { path: join(root, 'node_modules', 'yaml', 'browser', 'index.js') };
        return undefined;
      });
    },
  };
}

/** dist/cmd/chunks.json: each output file, and the files (relative to the root) bundled in it. */
function sourcesByOutput(metafile) {
  const contents = {};
  for (const [output, { inputs }] of Object.entries(metafile.outputs)) {
    if (output.endsWith('.js')) contents[relative('dist/cmd', output)] = Object.keys(inputs).sort();
  }
  return contents;
}
