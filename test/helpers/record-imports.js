// Preloaded with `node --import` by the start-up tests: records every module the process imports
// (ES modules through a resolve hook) into the file named by JOBRUN_TEST_IMPORTS.
import { register } from 'node:module';

register(
  'data:text/javascript,' +
    encodeURIComponent(`
      import { appendFileSync } from 'node:fs';
      export async function resolve(specifier, context, next) {
        const resolved = await next(specifier, context);
        appendFileSync(process.env.JOBRUN_TEST_IMPORTS, resolved.url + '\\n');
        return resolved;
      }
    `),
);
