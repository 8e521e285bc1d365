// Peer of the crawl row: got with a hand-written bounded loop (a fixed number of lanes).
//   node bench/peers/got-crawl.js BASE_URL REQUESTS IN_FLIGHT  → {"ms": …}
import { performance } from 'node:perf_hooks';

const [base, requestsArg, inFlightArg] = process.argv.slice(2);
const requests = Number(requestsArg);
const inFlight = Number(inFlightArg);
// Timed from before got is loaded, as jobrun's run includes loading it.
const started = performance.now();
const { got } = await import('got');
let next = 0;
let bytes = 0;
async function lane() {
  while (next < requests) {
    const index = next++;
    const response = await got(`${base}/pages/${index}`, { retry: { limit: 0 } });
    bytes += response.rawBody.length;
  }
}
await Promise.all(Array.from({ length: inFlight }, lane));
if (bytes < requests * 10_000) throw new Error(`only ${bytes} bytes fetched`);
console.log(JSON.stringify({ ms: performance.now() - started }));
