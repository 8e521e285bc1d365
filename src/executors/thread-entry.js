// Used only when jobrun runs from source (tests, `node --import tsx`): a worker thread cannot start
// from a `.ts` file on Node 20, and `--import tsx` does not reach threads, so this registers tsx in
// the thread and then runs thread-entry.ts. The build compiles thread-entry.ts to a
// `thread-entry.js` of its own, which is what the built CLI and package start.
import { register } from 'tsx/esm/api';

register();
await import('./thread-entry.ts');
