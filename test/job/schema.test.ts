import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { JOB_SCHEMA_PATH } from '../../src/paths.ts';

const schema = JSON.parse(readFileSync(JOB_SCHEMA_PATH, 'utf8')) as Record<string, unknown>;

test('the job schema compiles under ajv strict mode', () => {
  const ajv = new Ajv2020({ strict: true, allErrors: true });
  const validate = ajv.compile(schema);
  assert.equal(validate({ name: 'a', tasks: { b: { run: 'echo' } } }), true);
  assert.equal(validate({ name: 'a', tasks: { b: { run: 'echo', colour: 'red' } } }), false);
});

test('every property of the schema has a description, for editors', () => {
  const missing: string[] = [];
  const visit = (node: unknown, path: string): void => {
    if (typeof node !== 'object' || node === null) return;
    const record = node as Record<string, unknown>;
    if (typeof record.properties === 'object' && record.properties !== null) {
      for (const [key, property] of Object.entries(record.properties as Record<string, unknown>)) {
        const described =
          typeof (property as { description?: unknown }).description === 'string' ||
          // A `$ref` to a described definition is described too.
          typeof (property as { $ref?: unknown }).$ref === 'string';
        if (!described) missing.push(`${path}.${key}`);
      }
    }
    for (const [key, child] of Object.entries(record)) {
      // The oneOf branches only name an action, described on the task itself.
      if (key !== 'oneOf') visit(child, `${path}/${key}`);
    }
  };
  visit(schema, '#');
  assert.deepEqual(missing, []);
});

test('objects of the schema are closed, so a misspelt key is caught', () => {
  const open: string[] = [];
  const visit = (node: unknown, path: string): void => {
    if (typeof node !== 'object' || node === null) return;
    const record = node as Record<string, unknown>;
    if (record.properties !== undefined && record.additionalProperties !== false) open.push(path);
    for (const [key, child] of Object.entries(record)) {
      // The oneOf branches only name an action; the task object itself is closed.
      if (key !== 'oneOf') visit(child, `${path}/${key}`);
    }
  };
  visit(schema, '#');
  assert.deepEqual(open, []);
});
