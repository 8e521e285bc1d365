import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';

/** The exports of a module, read without running it. */
export interface ModuleExports {
  names: Set<string>;
  /** `false` when the module re-exports another whole module (`export *`), whose names are not followed. */
  isComplete: boolean;
  /** CommonJS: Node exposes names only for forms its lexer sees (`exports.NAME = …`). */
  isCommonJs: boolean;
}

/**
 * Reads a JS or TS module's export names by lexing its source (es-module-lexer, which also lexes
 * TypeScript; cjs-module-lexer for CommonJS, as Node itself does). The lexers and esbuild load
 * on first use only, so jobs without function tasks never pay for them.
 *
 * @throws {Error} when the module cannot be read or does not parse; the message says why.
 */
export async function readModuleExports(file: string): Promise<ModuleExports> {
  const source = await readFile(file, 'utf8');
  const ext = extname(file);
  if (ext === '.cjs') return readCommonJsExports(source);
  const lexer = await import('es-module-lexer');
  await lexer.init();
  let parsed: ReturnType<typeof lexer.parse>;
  try {
    parsed = lexer.parse(source);
  } catch {
    // The lexer trips on rare syntax (JSX-like generics, some regex forms): let a real parser
    // strip the types, and report its syntax errors, which are the module's own.
    parsed = lexer.parse(await transformWithEsbuild(source, file));
  }
  const [, exports, , hasModuleSyntax] = parsed;
  if (!hasModuleSyntax && ext !== '.mjs' && ext !== '.mts') return readCommonJsExports(source);
  const names = new Set<string>();
  let isComplete = true;
  for (const entry of exports) {
    if (entry.typeOnly) continue;
    if (entry.type === 'reexport-all') isComplete = false;
    else names.add(entry.name);
  }
  return { names, isComplete, isCommonJs: false };
}

async function readCommonJsExports(source: string): Promise<ModuleExports> {
  const lexer = await import('cjs-module-lexer');
  await lexer.init();
  const { exports, reexports } = lexer.parse(source);
  // `module.exports` itself is what `import()` gives as the default export.
  return {
    names: new Set(['default', ...exports]),
    isComplete: reexports.length === 0,
    isCommonJs: true,
  };
}

async function transformWithEsbuild(source: string, file: string): Promise<string> {
  const { transform } = await import('esbuild');
  const ext = extname(file);
  const loader = ext === '.ts' || ext === '.mts' ? 'ts' : 'js';
  try {
    return (await transform(source, { loader, sourcefile: file })).code;
  } catch (error) {
    const first = (
      error as {
        errors?: Array<{ text: string; location?: { line: number; column: number } | null }>;
      }
    ).errors?.[0];
    if (first === undefined) throw error;
    const where = first.location
      ? ` at line ${first.location.line}:${first.location.column + 1}`
      : '';
    throw new Error(`syntax error${where}: ${first.text}`, { cause: error });
  }
}
