import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function findPackageRoot(): string {
  // The same code runs from src/ (tsx, tests) and from dist/src/ (the built CLI), at different
  // depths, so walk up to jobrun's own package.json instead of counting `..`.
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'package.json');
    if (existsSync(candidate)) {
      const pkg = JSON.parse(readFileSync(candidate, 'utf8')) as { name?: string };
      if (pkg.name === 'jobrun') return dir;
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error('jobrun: cannot find its own package.json');
    dir = parent;
  }
}

/** The folder holding jobrun's package.json, schemas/ and dist/. */
export const PACKAGE_ROOT = findPackageRoot();

/** The JSON Schema of a job file. */
export const JOB_SCHEMA_PATH = join(PACKAGE_ROOT, 'schemas', 'job.schema.json');
