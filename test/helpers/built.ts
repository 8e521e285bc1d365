import { fileURLToPath } from 'node:url';
import { staleBuildReason } from '../../scripts/build-state.js';

// Imported by the tests of what a user installs: the built CLI (cli.ts) and the package's compiled
// code and declarations. They refuse to run a dist/ that is missing or older than the source, which
// would test other code than the one in front of you. `npm test` builds first when needed.

/** The repository's root folder, which holds package.json and dist/. */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

const reason = staleBuildReason(ROOT);
if (reason !== null) {
  throw new Error(`these tests run the built jobrun, but ${reason}: run \`npm run build\` first`);
}
