import { pathToFileURL } from 'node:url';
import { readModuleFormat } from '../job/module-format.ts';

const TYPESCRIPT_EXTENSION = /\.[cm]?ts$/;
/**
 * tsx's namespace for the modules jobrun loads. Only imports made through it (and what those
 * modules import in turn) go through tsx: the program around jobrun keeps its own loader, and
 * loading a task module changes nothing for it.
 */
const TSX_NAMESPACE = 'jobrun';

type Exports = Record<string, unknown>;

/** One load per module path per worker (thread, process or the main thread). */
const modules = new Map<string, Promise<Exports>>();
/** The same modules once loaded, readable without a promise turn on every call. */
const loadedModules = new Map<string, Exports>();
/** tsx's loaders: ES module TypeScript imports through `load`, CommonJS is required. */
interface TypeScriptLoader {
  load: (url: string) => Promise<Exports>;
  require: (path: string) => unknown;
}
let typeScriptLoading: Promise<TypeScriptLoader> | undefined;

/**
 * Imports a user's task module once per worker and caches it (docs/modules.md). JavaScript loads
 * with Node's own loader, as `node` would run it; TypeScript through tsx, as `tsx` would, in any
 * folder. Plain JS never pays for tsx.
 */
export function loadModule(path: string): Promise<Exports> {
  let loaded = modules.get(path);
  if (loaded === undefined) {
    loaded = importModule(path);
    modules.set(path, loaded);
    loaded.then(
      (exports) => loadedModules.set(path, exports),
      // A failed import (syntax error, missing file) is retried by the next attempt.
      () => modules.delete(path),
    );
  }
  return loaded;
}

/** The exports of a module `loadModule` has finished loading in this worker, else `undefined`. */
export function loadedModule(path: string): Exports | undefined {
  return loadedModules.get(path);
}

async function importModule(path: string): Promise<Exports> {
  const url = pathToFileURL(path).href;
  try {
    let namespace: Exports;
    if (!TYPESCRIPT_EXTENSION.test(path)) namespace = (await import(url)) as Exports;
    else {
      const [loader, { format }] = await Promise.all([typeScriptLoader(), readModuleFormat(path)]);
      // A CommonJS one through tsx's import would run from a `data:` URL, which its stack traces
      // would show (the whole compiled module, in every frame) instead of its file and line.
      namespace =
        format === 'commonjs' ? namespaceOf(loader.require(path)) : await loader.load(url);
    }
    return declaredExports(namespace);
  } catch (error) {
    throw oneLine(error);
  }
}

/**
 * tsx's ESM and CommonJS hooks under one namespace, registered once in this thread, the way its
 * `tsImport` does it for one file. Both are needed: a `.ts` file outside a `"type": "module"`
 * package is CommonJS to tsx, and its own `require()`s and extensionless imports go through the
 * CommonJS hooks. A worker thread registers its own: hooks and `--import tsx` do not reach it.
 */
function typeScriptLoader(): Promise<TypeScriptLoader> {
  typeScriptLoading ??= Promise.all([import('tsx/cjs/api'), import('tsx/esm/api')]).then(
    ([commonJs, esm]) => {
      const required = commonJs.register({ namespace: TSX_NAMESPACE });
      const scoped = esm.register({ namespace: TSX_NAMESPACE });
      return {
        load: async (url) => (await scoped.import(url, import.meta.url)) as Exports,
        require: (path) => required.require(path, path) as unknown,
      };
    },
  );
  typeScriptLoading.catch(() => (typeScriptLoading = undefined));
  return typeScriptLoading;
}

/** What `import()` of a CommonJS module gives: its `module.exports` as `default`, and its names. */
function namespaceOf(exports: unknown): Exports {
  const isObject =
    (typeof exports === 'object' && exports !== null) || typeof exports === 'function';
  return { ...(isObject ? (exports as Exports) : {}), default: exports };
}

/**
 * The exports a module's source declares. A CommonJS module compiled from `import`/`export` (by
 * tsx for a `.ts` file outside a `"type": "module"` package, or by tsc or Babel beforehand) marks
 * its `module.exports` with `__esModule`; Node gives that whole object as `default`, where the
 * author's default export is `default.default`. Its `module.exports` holds every export by name.
 */
function declaredExports(namespace: Exports): Exports {
  const commonJs = namespace.default;
  const isCompiledEsm =
    (typeof commonJs === 'object' || typeof commonJs === 'function') &&
    commonJs !== null &&
    (commonJs as { __esModule?: unknown }).__esModule === true;
  return isCompiledEsm ? (commonJs as Exports) : namespace;
}

/**
 * tsx reports a module it cannot compile as `Transform failed with 1 error:` and the place on the
 * next line; an item's error and a callback's load failure read better as that one place.
 */
function oneLine(error: unknown): unknown {
  if (!(error instanceof Error) || !error.message.startsWith('Transform failed')) return error;
  const message = error.message.split('\n').slice(1).join(' ').replace(': ERROR: ', ': ');
  error.stack = error.stack?.replace(error.message, message);
  error.message = message;
  return error;
}
