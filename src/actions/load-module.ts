import { pathToFileURL } from 'node:url';

const TYPESCRIPT_EXTENSION = /\.[cm]?ts$/;

/** One load per module path per worker (thread, process or the main thread). */
const modules = new Map<string, Promise<Record<string, unknown>>>();
/** The same modules once loaded, readable without a promise turn on every call. */
const loadedModules = new Map<string, Record<string, unknown>>();
let tsxRegistered: Promise<void> | undefined;

/**
 * Imports a user's task module once per worker and caches it. TypeScript modules first register
 * tsx's loader in this thread: an inherited `--import tsx` does not reach worker threads on
 * Node 20, and plain JS should not pay for tsx at all.
 */
export function loadModule(path: string): Promise<Record<string, unknown>> {
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
export function loadedModule(path: string): Record<string, unknown> | undefined {
  return loadedModules.get(path);
}

async function importModule(path: string): Promise<Record<string, unknown>> {
  if (TYPESCRIPT_EXTENSION.test(path)) await registerTsx();
  return (await import(pathToFileURL(path).href)) as Record<string, unknown>;
}

function registerTsx(): Promise<void> {
  tsxRegistered ??= import('tsx/esm/api').then(({ register }) => {
    register();
  });
  return tsxRegistered;
}
