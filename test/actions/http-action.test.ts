import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { createCoroutineExecutor } from '../../src/executors/coroutine-executor.ts';
import type { ActionRequest } from '../../src/executors/types.ts';

/** A site on 127.0.0.1 that answers `/json` at once and never answers `/hang`. */
let server: Server;
let base = '';
const hanging: IncomingMessage[] = [];

before(async () => {
  server = createServer((request, response) => {
    if (request.url === '/hang') {
      hanging.push(request);
      return;
    }
    response.setHeader('set-cookie', ['a=1', 'b=2']);
    response.setHeader('content-type', 'application/json');
    response.end('{"ok":true}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => {
  server.closeAllConnections();
  server.close();
});

function get(path: string): ActionRequest {
  return {
    action: { type: 'http', url: `${base}${path}`, method: 'GET' },
    input: null,
    context: { item: null, index: null, task: 't', job: 'j', attempt: 1 },
  };
}

/** Whether the server saw the request's connection go away. */
function closed(request: IncomingMessage): Promise<true> {
  return new Promise((resolve) => {
    if (request.socket.destroyed) resolve(true);
    else request.socket.once('close', () => resolve(true));
  });
}

describe('http on coroutines', { timeout: 20_000 }, () => {
  test('the result is plain recordable data, headers a plain object', async () => {
    const executor = createCoroutineExecutor({ kind: 'coroutine', maxWorkers: 2 });
    const outcome = await executor.execute(get('/json'));
    await executor.shutdown();
    assert.ok(outcome.ok);
    const value = outcome.value as { headers: object; body: unknown; status: number };
    assert.equal(Object.getPrototypeOf(value.headers), Object.prototype);
    assert.deepEqual(value.body, { ok: true });
    assert.deepEqual(JSON.parse(JSON.stringify(value)), value);
    assert.deepEqual((value.headers as Record<string, unknown>)['set-cookie'], ['a=1', 'b=2']);
  });

  test('a timeout fails the attempt and closes its request', async () => {
    const executor = createCoroutineExecutor({ kind: 'coroutine', maxWorkers: 2 });
    const outcome = await executor.execute(get('/hang'), { timeoutMs: 200 });
    assert.equal(outcome.ok ? 'ok' : outcome.error.code, 'TIMEOUT');
    const request = hanging.at(-1);
    assert.ok(request !== undefined, 'the request reached the server');
    assert.equal(await closed(request), true);
    await executor.shutdown();
  });

  test('a forced shutdown cancels a running request and closes it', async () => {
    const executor = createCoroutineExecutor({ kind: 'coroutine', maxWorkers: 2 });
    const seen = hanging.length;
    const pending = executor.execute(get('/hang'));
    while (hanging.length === seen) await new Promise((resolve) => setTimeout(resolve, 10));
    await executor.shutdown({ force: true });
    const outcome = await pending;
    assert.equal(outcome.ok ? 'ok' : outcome.error.code, 'CANCELLED');
    assert.equal(await closed(hanging.at(-1) as IncomingMessage), true);
  });
});
