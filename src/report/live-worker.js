// Used only when jobrun runs from source (tests, `node --import tsx`): a worker thread cannot start
// from a `.ts` file on Node 20, and `--import tsx` does not reach threads, so this registers tsx in
// the listing thread and then runs live-worker.ts. The build compiles live-worker.ts to a
// `live-worker.js` of its own, which is what the built CLI and package start.
import { register } from 'tsx/esm/api';

register();
await import('./live-worker.ts');
