import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { readModuleFormat } from './module-format.ts';

/** The exports of a module, read without running it. */
export interface ModuleExports {
  names: Set<string>;
  /** `false` when the module re-exports another whole module (`export *`), whose names are not followed. */
  isComplete: boolean;
  /** CommonJS: Node exposes names only for forms its lexer sees (`exports.NAME = …`). */
  isCommonJs: boolean;
}

/** Why a module cannot load, and where in it when that is known (1-based line and column). */
export interface ModuleProblem {
  text: string;
  line?: number;
  column?: number;
}

export type ModuleReading =
  { isOk: true; exports: ModuleExports } | { isOk: false; problem: ModuleProblem };

/**
 * Reads a JS or TS module's export names without running it: esbuild parses it (and strips its
 * types) as tsx would, so a syntax error is found here with its place; then es-module-lexer, or
 * cjs-module-lexer for CommonJS as Node itself does, reads the names. The lexers and esbuild load
 * on first use only, so jobs without modules never pay for them.
 *
 * @throws {Error} when the module or its package.json cannot be read.
 */
export async function readModuleExports(file: string): Promise<ModuleReading> {
  const source = await readFile(file, 'utf8');
  const format = await readModuleFormat(file);
  const parsed = await transform(source, file, format.isTypeScript ? 'ts' : 'js');
  if (!parsed.isOk) return problem(`syntax error: ${parsed.error.text}`, parsed.error);
  // What Node's lexer sees for JS is the source itself; TypeScript once its types are gone.
  const code = format.isTypeScript ? parsed.code : source;
  const lexer = await import('es-module-lexer');
  await lexer.init();
  let lexed: ReturnType<typeof lexer.parse>;
  let isSourceLexed = !format.isTypeScript;
  try {
    lexed = lexer.parse(code);
  } catch {
    // The lexer trips on rare syntax (some regex forms); esbuild's output is plain enough.
    lexed = lexer.parse(parsed.code);
    isSourceLexed = false;
  }
  const [imports, exports, , hasModuleSyntax] = lexed;
  if (!hasModuleSyntax) {
    if (format.format !== 'module') return { isOk: true, exports: await readCommonJsExports(code) };
    if (await hasCommonJsExports(code)) {
      return problem(
        `it assigns CommonJS exports (module.exports, exports.NAME), but it loads as an ES module because ${format.reason}; use export, or rename it ${commonJsExtension(file)}`,
      );
    }
    return { isOk: true, exports: { names: new Set(), isComplete: true, isCommonJs: false } };
  }
  if (format.format === 'commonjs') {
    if (!format.isTypeScript) {
      const first = Math.min(
        ...imports.flatMap((entry) => (entry.type === 'dynamic' ? [] : [entry.importStart])),
        ...exports.map((entry) => entry.exportStart),
      );
      return problem(
        `it uses import/export, but Node loads it as CommonJS because ${format.reason}; rename it .mjs, or use require() and module.exports`,
        isSourceLexed && Number.isFinite(first) ? positionOf(source, first) : {},
      );
    }
    // tsx compiles it to CommonJS: what that format cannot hold (top-level await) fails there.
    const compiled = await transform(source, file, 'ts', 'cjs');
    if (!compiled.isOk) {
      return problem(
        `${compiled.error.text}; tsx compiles this file to CommonJS because ${format.reason}: rename it .mts, or set "type": "module" in its package.json`,
        compiled.error,
      );
    }
  }
  const names = new Set<string>();
  let isComplete = true;
  for (const entry of exports) {
    if (entry.typeOnly) continue;
    if (entry.type === 'reexport-all') isComplete = false;
    else names.add(entry.name);
  }
  return { isOk: true, exports: { names, isComplete, isCommonJs: false } };
}

async function readCommonJsExports(source: string): Promise<ModuleExports> {
  const lexer = await import('cjs-module-lexer');
  await lexer.init();
  const { exports, reexports } = lexer.parse(source);
  const names = new Set(exports);
  // Compiled from ESM (tsc, Babel): jobrun takes its exports as declared, `default` included
  // only when there is one. Plain CommonJS: `module.exports` itself is the default export.
  if (names.has('__esModule')) names.delete('__esModule');
  else names.add('default');
  return { names, isComplete: reexports.length === 0, isCommonJs: true };
}

async function hasCommonJsExports(code: string): Promise<boolean> {
  const lexer = await import('cjs-module-lexer');
  await lexer.init();
  const { exports, reexports } = lexer.parse(code);
  return exports.length > 0 || reexports.length > 0 || /\bmodule\.exports\s*=/.test(code);
}

type Transformed = { isOk: true; code: string } | { isOk: false; error: ModuleProblem };

async function transform(
  source: string,
  file: string,
  loader: 'ts' | 'js',
  format?: 'cjs',
): Promise<Transformed> {
  const esbuild = await import('esbuild');
  try {
    const { code } = await esbuild.transform(source, { loader, format, sourcefile: file });
    return { isOk: true, code };
  } catch (error) {
    const first = (error as { errors?: Array<import('esbuild').Message> }).errors?.[0];
    if (first === undefined) throw error;
    const at = first.location;
    const where = at ? { line: at.line, column: at.column + 1 } : {};
    return { isOk: false, error: { text: first.text, ...where } };
  }
}

function problem(
  text: string,
  at: { line?: number; column?: number } = {},
): { isOk: false; problem: ModuleProblem } {
  return { isOk: false, problem: { text, line: at.line, column: at.column } };
}

/** 1-based line and column of a character offset (esbuild and editors count UTF-16 units too). */
function positionOf(source: string, offset: number): { line: number; column: number } {
  const before = source.slice(0, offset);
  const lineStart = before.lastIndexOf('\n') + 1;
  return { line: before.split('\n').length, column: offset - lineStart + 1 };
}

function commonJsExtension(file: string): string {
  return /ts$/.test(extname(file)) ? '.cts' : '.cjs';
}
