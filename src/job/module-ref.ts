import { isAbsolute, resolve } from 'node:path';
import type { ModuleRef } from './types.ts';

/**
 * A `./path/mod.ts#exportName` reference, its path resolved against the job file's folder.
 * Without `#name` the export is `default`.
 *
 * @example
 * parseModuleRef('./tasks/parse.ts#parsePage', '/jobs'); // { path: '/jobs/tasks/parse.ts', exportName: 'parsePage', source: … }
 */
export function parseModuleRef(source: string, dir: string): ModuleRef {
  const hash = source.lastIndexOf('#');
  const file = hash === -1 ? source : source.slice(0, hash);
  const exportName = hash === -1 ? 'default' : source.slice(hash + 1);
  return { path: isAbsolute(file) ? file : resolve(dir, file), exportName, source };
}
