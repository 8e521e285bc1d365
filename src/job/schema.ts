import { readFileSync } from 'node:fs';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import { JOB_SCHEMA_PATH } from '../paths.ts';

/** The job file's JSON Schema (`schemas/job.schema.json`), as plain data. */
export type JobSchema = Record<string, unknown> & {
  properties: Record<string, Record<string, unknown>>;
  $defs: Record<string, Record<string, unknown>>;
};

let schema: JobSchema | undefined;
let validator: ValidateFunction | undefined;

/** The job file's JSON Schema, read once per process. */
export function jobSchema(): JobSchema {
  schema ??= JSON.parse(readFileSync(JOB_SCHEMA_PATH, 'utf8')) as JobSchema;
  return schema;
}

/**
 * Validates data against the job schema. The validator is compiled on first use, once per
 * process. `verbose` keeps each error's schema object, which turns ajv's errors into messages.
 */
export function validateAgainstSchema(data: unknown): ErrorObject[] {
  if (validator === undefined) {
    const ajv = new Ajv2020({ strict: true, allErrors: true, verbose: true });
    validator = ajv.compile(jobSchema());
  }
  return validator(data) ? [] : [...(validator.errors ?? [])];
}
