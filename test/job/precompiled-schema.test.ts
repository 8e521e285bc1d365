import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runInThisContext } from 'node:vm';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { parse } from 'yaml';
import { schemaValidatorSource } from '../../scripts/build-schema-validator.js';

// `npm run build` compiles the job schema ahead of time (scripts/build-schema-validator.js) so a
// valid job file is checked without loading ajv's compiler. The built validator must come from
// the current schema and decide exactly as ajv compiling the schema at run time does. It is built
// here as the build does it, and loaded as CommonJS the way Node would.

const schemaPath = fileURLToPath(new URL('../../schemas/job.schema.json', import.meta.url));
const schemaText = readFileSync(schemaPath, 'utf8');
const require = createRequire(import.meta.url);
const built = loadCommonJs(schemaValidatorSource(schemaText)) as {
  default: (data: unknown) => boolean;
  schemaHash: string;
};

/** A CommonJS module's exports from its source; its `require()`s resolve from this folder. */
function loadCommonJs(source: string): unknown {
  const module = { exports: {} };
  const wrapper = runInThisContext(`(function (module, exports, require) {\n${source}\n})`) as (
    module: { exports: object },
    exports: object,
    load: NodeJS.Require,
  ) => void;
  wrapper(module, module.exports, require);
  return module.exports;
}

const folders = ['../../jobs/', '../fixtures/valid/', '../fixtures/invalid/'].map((folder) =>
  fileURLToPath(new URL(folder, import.meta.url)),
);
// Files that are not even YAML (duplicate keys, bad syntax) never reach the schema.
const documents = folders.flatMap((folder) =>
  readdirSync(folder)
    .filter((name) => name.endsWith('.yaml'))
    .flatMap((name) => {
      try {
        return [{ name, data: parse(readFileSync(join(folder, name), 'utf8')) as unknown }];
      } catch {
        return [];
      }
    }),
);

test('the built validator comes from the current schema', () => {
  assert.equal(built.schemaHash, createHash('sha256').update(schemaText).digest('hex'));
});

test('the built validator accepts and rejects what ajv at run time does', () => {
  const ajv = new Ajv2020({ strict: true, allErrors: true, verbose: true });
  const compiled = ajv.compile(JSON.parse(schemaText) as object);
  let rejected = 0;
  for (const { name, data } of documents) {
    const expected = compiled(data);
    if (!expected) rejected++;
    assert.equal(built.default(data), expected, name);
  }
  // The corpus exercises both answers, so agreement means something.
  assert.ok(rejected > 10 && rejected < documents.length, `${rejected} of ${documents.length}`);
});
