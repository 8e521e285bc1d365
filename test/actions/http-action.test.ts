import assert from 'node:assert/strict';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { createCoroutineExecutor } from '../../src/executors/coroutine-executor.ts';
import type { ActionRequest } from '../../src/actions/types.ts';
import type { ActionOutcome } from '../../src/executors/types.ts';
import { closeAll, listenLocally, sendForever } from '../helpers/local-site.ts';

/**
 * Two sites on 127.0.0.1 (two ports: two origins). `/json` answers at once, `/hang` never,
 * `/endless` sends a body until the client goes, `/declared` declares 10 MB, `/gzip` sends 512 KB
 * gzipped, `/to?URL` redirects to URL, `/echo` answers with the request's headers.
 */
let server: Server;
let otherServer: Server;
let base = '';
let other = '';
const hanging: IncomingMessage[] = [];
const endless: IncomingMessage[] = [];
const gzipped = gzipSync(Buffer.alloc(512 * 1024, 'x'));

function site(request: IncomingMessage, response: ServerResponse): void {
  const url = request.url ?? '/';
  if (url === '/hang') {
    hanging.push(request);
    return;
  }
  if (url === '/endless') {
    endless.push(request);
    sendForever(response);
    return;
  }
  if (url === '/declared') {
    response.setHeader('content-length', String(10 * 1024 ** 2));
    response.write('x');
    return;
  }
  if (url === '/gzip') {
    response.setHeader('content-encoding', 'gzip');
    response.end(gzipped);
    return;
  }
  if (url.startsWith('/to?')) {
    response.statusCode = 302;
    response.setHeader('location', url.slice('/to?'.length));
    response.end('moved');
    return;
  }
  response.setHeader('content-type', 'application/json');
  if (url === '/echo') {
    response.end(JSON.stringify(request.headers));
    return;
  }
  response.setHeader('set-cookie', ['a=1', 'b=2']);
  response.end('{"ok":true}');
}

before(async () => {
  [server, base] = await listenLocally(site);
  [otherServer, other] = await listenLocally(site);
});
after(() => closeAll([server, otherServer]));

type HttpAction = Extract<ActionRequest['action'], { type: 'http' }>;

function get(path: string, extra: Partial<HttpAction> = {}): ActionRequest {
  return {
    action: {
      type: 'http',
      url: path.startsWith('http') ? path : `${base}${path}`,
      method: 'GET',
      ...extra,
    },
    input: null,
    context: { item: null, index: null, task: 't', job: 'j', attempt: 1 },
  };
}

async function onCoroutine(request: ActionRequest): Promise<ActionOutcome> {
  const executor = createCoroutineExecutor({ kind: 'coroutine', maxWorkers: 2 });
  try {
    return await executor.execute(request);
  } finally {
    await executor.shutdown();
  }
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

describe('http bodies are bounded by maxOutput', { timeout: 20_000 }, () => {
  test('an endless body fails OUTPUT_TOO_LARGE and the download stops', async () => {
    const seen = endless.length;
    const outcome = await onCoroutine(get('/endless', { maxOutputBytes: 1024 ** 2 }));
    assert.equal(outcome.ok ? 'ok' : outcome.error.code, 'OUTPUT_TOO_LARGE');
    assert.match(
      outcome.ok ? '' : outcome.error.message,
      /^the response body of GET http:\/\/127\.0\.0\.1:\d+\/endless is larger than maxOutput \(1MB\); the download was stopped\. Raise the task's maxOutput to keep more\.$/,
    );
    const request = endless[seen];
    assert.ok(request !== undefined);
    assert.equal(await closed(request), true, 'the connection is closed');
  });

  test('a declared length past the limit fails before the body is read', async () => {
    const outcome = await onCoroutine(get('/declared', { maxOutputBytes: 1000 }));
    assert.equal(outcome.ok ? 'ok' : outcome.error.code, 'OUTPUT_TOO_LARGE');
  });

  test('a compressed body is measured decompressed', async () => {
    const outcome = await onCoroutine(get('/gzip', { maxOutputBytes: 64 * 1024 }));
    assert.equal(outcome.ok ? 'ok' : outcome.error.code, 'OUTPUT_TOO_LARGE');
    const small = await onCoroutine(get('/gzip', { maxOutputBytes: 1024 ** 2 }));
    assert.ok(small.ok);
    assert.equal((small.value as { size: number }).size, 512 * 1024);
  });

  test('a body of exactly the limit is kept', async () => {
    const outcome = await onCoroutine(get('/json', { maxOutputBytes: 11 }));
    assert.ok(outcome.ok);
    assert.deepEqual((outcome.value as { body: unknown }).body, { ok: true });
  });
});

describe('redirects', { timeout: 20_000 }, () => {
  const headers = { 'x-api-key': 'secret', 'X-Custom': 'mine', authorization: 'Bearer t' };

  test('a redirect to another origin drops every header the job set', async () => {
    const outcome = await onCoroutine(get(`/to?${other}/echo`, { headers }));
    assert.ok(outcome.ok, outcome.ok ? '' : outcome.error.message);
    const value = outcome.value as {
      url: string;
      body: Record<string, string>;
      redirects: string[];
    };
    assert.equal(value.url, `${other}/echo`);
    assert.deepEqual(value.redirects, [`${other}/echo`]);
    assert.equal(value.body['x-api-key'], undefined);
    assert.equal(value.body['x-custom'], undefined);
    assert.equal(value.body.authorization, undefined);
  });

  test('a redirect within the origin keeps them, and every hop is listed', async () => {
    const outcome = await onCoroutine(get(`/to?/to?/echo`, { headers }));
    assert.ok(outcome.ok, outcome.ok ? '' : outcome.error.message);
    const value = outcome.value as { body: Record<string, string>; redirects: string[] };
    assert.deepEqual(value.redirects, [`${base}/to?/echo`, `${base}/echo`]);
    assert.equal(value.body['x-api-key'], 'secret');
    assert.equal(value.body['x-custom'], 'mine');
  });

  test('headers dropped on the way out stay dropped on the way back', async () => {
    const outcome = await onCoroutine(get(`/to?${other}/to?${base}/echo`, { headers }));
    assert.ok(outcome.ok, outcome.ok ? '' : outcome.error.message);
    const value = outcome.value as { body: Record<string, string>; redirects: string[] };
    assert.deepEqual(value.redirects, [`${other}/to?${base}/echo`, `${base}/echo`]);
    assert.equal(value.body['x-api-key'], undefined);
  });

  test('followRedirects: false makes the 3xx the result', async () => {
    const outcome = await onCoroutine(
      get(`/to?${other}/echo`, { headers, followRedirects: false }),
    );
    assert.ok(outcome.ok, outcome.ok ? '' : outcome.error.message);
    const value = outcome.value as {
      status: number;
      headers: Record<string, string>;
      redirects: string[];
    };
    assert.equal(value.status, 302);
    assert.equal(value.headers.location, `${other}/echo`);
    assert.deepEqual(value.redirects, []);
  });

  test('a POST without a body is sent and answered', async () => {
    const outcome = await onCoroutine(get('/echo', { method: 'POST' }));
    assert.ok(outcome.ok, outcome.ok ? '' : outcome.error.message);
  });
});
