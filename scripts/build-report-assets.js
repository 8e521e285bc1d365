// Part of `npm run build` (scripts/build.js): the page script and style that `jobrun report` inlines into every
// report, minified into dist/src/html-report/assets/ beside the built generator, which reads them
// from its own folder (in a checkout, tsx runs the generator from src/ and reads the sources).

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { transform } from 'esbuild';

/** Minifies the report's page script and style of the package at `root` into its dist/. */
export async function buildReportAssets(root) {
  const source = join(root, 'src', 'html-report', 'assets');
  const out = join(root, 'dist', 'src', 'html-report', 'assets');
  mkdirSync(out, { recursive: true });
  for (const [file, loader] of [
    ['report.js', 'js'],
    ['report.css', 'css'],
  ]) {
    const { code } = await transform(readFileSync(join(source, file), 'utf8'), {
      loader,
      minify: true,
      target: loader === 'js' ? 'es2020' : undefined,
      legalComments: 'none',
    });
    // Inlined into a <script> or <style> element, where this text would end it early.
    if (/<\/(script|style)/i.test(code)) throw new Error(`${file}: contains a closing tag`);
    writeFileSync(join(out, file), code);
  }
}
