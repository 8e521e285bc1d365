// Runs a batch of attempts on one executor inside its own process, as jobrun would, and prints
// their outcomes as one JSON line. Crash cases run here rather than in the test process, because
// node:test reports any uncaught error of its own process as a test failure, even one jobrun
// handles. Usage: node execute-in-child.js '{"config":{"kind":…,"maxWorkers":…},"requests":[…]}'
import { register } from 'tsx/esm/api';

// Spawned as plain `node`, which cannot import TypeScript by itself.
register();
const { createExecutor } = await import('../../src/executors/create-executor.ts');

const { config, requests } = JSON.parse(process.argv[2]);
const executor = await createExecutor(config);
const outcomes = await Promise.all(
  requests.map(({ timeoutMs, ...request }) => executor.execute(request, { timeoutMs })),
);
await executor.shutdown();
process.stdout.write(`${JSON.stringify(outcomes)}\n`);
