import { readFile } from 'node:fs/promises';
import { dirname, extname, join } from 'node:path';

/**
 * How a task module will be loaded (docs/modules.md): JavaScript as Node loads it, TypeScript as
 * tsx does. `either`: a `.js` file that no package.json types, which Node loads as an ES module
 * when it uses `import`/`export`, else as CommonJS.
 */
export interface ModuleFormat {
  isTypeScript: boolean;
  format: 'module' | 'commonjs' | 'either';
  /** Why, for messages: `its extension is .cjs`, `/app/package.json has "type": "commonjs"`. */
  reason: string;
}

/**
 * The format of a module file from its extension and the nearest package.json's `type`, the way
 * Node and tsx decide it, without running anything.
 *
 * @throws {Error} when the nearest package.json is not valid JSON (Node refuses it too).
 */
export async function readModuleFormat(file: string): Promise<ModuleFormat> {
  const ext = extname(file);
  const isTypeScript = /^\.[cm]?ts$/.test(ext);
  if (ext === '.mjs' || ext === '.mts') {
    return { isTypeScript, format: 'module', reason: `its extension is ${ext}` };
  }
  if (ext === '.cjs' || ext === '.cts') {
    return { isTypeScript, format: 'commonjs', reason: `its extension is ${ext}` };
  }
  const pkg = await nearestPackageType(dirname(file));
  if (pkg?.type === 'module') {
    return { isTypeScript, format: 'module', reason: `${pkg.path} has "type": "module"` };
  }
  const reason =
    pkg === undefined
      ? 'no package.json above it says "type": "module"'
      : pkg.type === 'commonjs'
        ? `${pkg.path} has "type": "commonjs"`
        : `${pkg.path} has no "type": "module"`;
  // Node detects the syntax of an untyped .js file; tsx compiles an untyped .ts file to CommonJS.
  const format = isTypeScript || pkg?.type === 'commonjs' ? 'commonjs' : 'either';
  return { isTypeScript, format, reason };
}

async function nearestPackageType(
  dir: string,
): Promise<{ path: string; type: unknown } | undefined> {
  for (;;) {
    const path = join(dir, 'package.json');
    let text: string | undefined;
    try {
      text = await readFile(path, 'utf8');
    } catch {
      // No package.json here (or not readable, which Node skips alike): look further up.
    }
    if (text !== undefined) {
      try {
        return { path, type: (JSON.parse(text) as { type?: unknown } | null)?.type };
      } catch {
        throw new Error(`${path} is not valid JSON, so Node cannot tell the module's format`);
      }
    }
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}
