import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { JOB_SCHEMA_PATH, PACKAGE_ROOT } from '../paths.ts';

/** The job file's JSON Schema (`schemas/job.schema.json`), as plain data. */
export type JobSchema = Record<string, unknown> & {
  properties: Record<string, Record<string, unknown>>;
  $defs: Record<string, Record<string, unknown>>;
};

const require = createRequire(import.meta.url);
let schemaText: string | undefined;
let schema: JobSchema | undefined;
let validator: ValidateFunction | undefined;
let quickCheck: ((data: unknown) => boolean) | null | undefined;

function readSchemaText(): string {
  schemaText ??= readFileSync(JOB_SCHEMA_PATH, 'utf8');
  return schemaText;
}

/** The job file's JSON Schema, read once per process. */
export function jobSchema(): JobSchema {
  schema ??= JSON.parse(readSchemaText()) as JobSchema;
  return schema;
}

/**
 * The validator `npm run build` compiled ahead of time (scripts/build-schema-validator.js), when
 * it was built from this very schema; else `null` (not built, or the schema changed since). It is
 * found from the package root: the bundled CLI's modules are not where tsc's output is.
 * Loading it costs a millisecond, where loading ajv and compiling the schema costs a hundred.
 */
function precompiled(): ((data: unknown) => boolean) | null {
  if (quickCheck !== undefined) return quickCheck;
  quickCheck = null;
  try {
    const built = require(join(PACKAGE_ROOT, 'dist', 'src', 'job', 'job-schema-validator.cjs')) as {
      default: (data: unknown) => boolean;
      schemaHash: string;
    };
    const hash = createHash('sha256').update(readSchemaText()).digest('hex');
    if (built.schemaHash === hash) quickCheck = built.default;
  } catch {
    // Not built: compile below.
  }
  return quickCheck;
}

/**
 * Validates data against the job schema. A valid file is accepted by the precompiled validator
 * alone; otherwise the schema is compiled with ajv on first use, once per process, with
 * `allErrors` and `verbose` (each error keeps its schema object, which turns ajv's errors into
 * messages).
 */
export function validateAgainstSchema(data: unknown): ErrorObject[] {
  if (precompiled()?.(data) === true) return [];
  if (validator === undefined) {
    // Loaded only for an invalid file (or without a build): ajv's compiler is large.
    const { Ajv2020 } = require('ajv/dist/2020.js') as typeof import('ajv/dist/2020.js');
    const ajv = new Ajv2020({ strict: true, allErrors: true, verbose: true });
    validator = ajv.compile(jobSchema());
  }
  return validator(data) ? [] : [...(validator.errors ?? [])];
}
