import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { tempDir, writeJobFile } from '../helpers/files.ts';
// The package's main entry: what `import … from 'jobrun'` gives a user, compiled as it is.
import {
  LockHeldError,
  JobValidationError,
  loadJob,
  runJob,
  validateJob,
  type RunEvent,
} from '../../src/index.ts';

const MOD = fileURLToPath(new URL('../fixtures/engine/mod.js', import.meta.url));
const workDir = tempDir('library');

function writeJob(name: string, body: string): string {
  return writeJobFile(workDir, name, body.replaceAll('MOD', MOD));
}

describe('library use', () => {
  test('loadJob, then runJob with an event stream and typed options', async () => {
    const file = writeJob(
      'library',
      `tasks:\n  double:\n    map: [1, 2, 3]\n    function: MOD#describe\n  after:\n    needs: [double]\n    run: echo done\n`,
    );
    const job = await loadJob(file);
    const events: RunEvent[] = [];
    const result = await runJob(job, {
      executor: { kind: 'thread', maxWorkers: 2 },
      resultsPath: join(workDir, 'library.jsonl'),
      onEvent: (event) => events.push(event),
    });
    assert.equal(result.summary.status, 'ok');
    assert.equal(result.resultsPath, join(workDir, 'library.jsonl'));
    assert.equal(events[0]?.type, 'run-started');
    assert.equal(events.at(-1)?.type, 'run-finished');
    const finished = events.filter((event) => event.type === 'item-finished');
    assert.equal(finished.length, 4);
    const started = events.find((event) => event.type === 'item-started');
    assert.match(started?.type === 'item-started' ? started.worker : '', /^thread-\d+$/);
    const states = events.flatMap((event) =>
      event.type === 'task-state' && event.task === 'after' ? [event.state] : [],
    );
    assert.deepEqual(states, ['waiting', 'running', 'ok']);
  });

  test('validateJob lists problems; loadJob throws them all', async () => {
    const file = writeJob('broken', `tasks:\n  a:\n    run: echo\n    need: [b]\n`);
    const problems = await validateJob(file);
    assert.equal(problems.length, 1);
    assert.match(problems[0]?.message ?? '', /did you mean "needs"/);
    await assert.rejects(
      loadJob(file),
      (error: unknown) => error instanceof JobValidationError && error.problems.length === 1,
    );
  });

  test('a second run of the same job in the same process is refused with LockHeldError', async () => {
    const job = await loadJob(
      writeJob('twice', `tasks:\n  wait:\n    function: MOD#sleepFor\n    with: 300\n`),
    );
    const resultsPath = join(workDir, 'twice.jsonl');
    const first = runJob(job, { resultsPath });
    await assert.rejects(
      runJob(job, { resultsPath }),
      (error: unknown) => error instanceof LockHeldError && error.holderPid === process.pid,
    );
    assert.equal((await first).summary.status, 'ok');
  });
});
