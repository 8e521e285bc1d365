// Used only when jobrun runs from source (tests, `node --import tsx`): a pool's child process
// starts here, registers tsx (the parent's loader flags may not include it) and then runs
// process-entry.ts. The build compiles process-entry.ts to a `process-entry.js` of its own, which
// is what the built CLI and package fork.
import { register } from 'tsx/esm/api';

register();
await import('./process-entry.ts');
