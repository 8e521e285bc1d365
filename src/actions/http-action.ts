import type { IncomingHttpHeaders } from 'node:http';
import type { Got, NormalizedOptions, PlainResponse } from 'got';
import { ActionError } from './action-error.ts';
import { OutputBuffer, outputLimit, outputTooLarge } from './output-limit.ts';
import type { ResolvedAction } from './types.ts';

type HttpAction = Extract<ResolvedAction, { type: 'http' }>;

/** The result of an `http` action. */
export interface HttpResult {
  /** The final URL, after redirects. */
  url: string;
  status: number;
  headers: IncomingHttpHeaders;
  /** The body's length in bytes. */
  size: number;
  /** Parsed JSON when the response says it is JSON, else text. */
  body: unknown;
  /** The URLs redirected to, in order; `[]` when there was no redirect. */
  redirects: string[];
}

const JSON_CONTENT_TYPE = /^application\/(?:[\w.+-]+\+)?json\b/i;

/** The per-request data jobrun's redirect hook reads: the names of the headers the job set. */
interface RequestContext extends Record<string, unknown> {
  jobHeaders?: string[];
}

/**
 * got strips only `authorization` and `cookie` on a redirect to another host or port, and sees no
 * change of scheme: a header the job set (an API key) must reach no other origin.
 */
function dropJobHeadersAcrossOrigins(options: NormalizedOptions, response: PlainResponse): void {
  const names = (options.context as RequestContext).jobHeaders;
  if (names === undefined || !(options.url instanceof URL)) return;
  if (new URL(response.url).origin === options.url.origin) return;
  for (const name of names) delete options.headers[name];
  (options.context as RequestContext).jobHeaders = undefined;
}

/** jobrun's got, loaded once per worker on its first request. */
let client: Got | undefined;
let clientLoading: Promise<Got> | undefined;

/**
 * got with jobrun's fixed options merged once, not on every request: jobrun owns retries and
 * attempt timeouts, reads the body itself, and guards headers on redirects. Requests share Node's
 * global agent, which keeps connections alive.
 */
function loadClient(): Promise<Got> {
  // got is large; only workers that fetch should load it.
  clientLoading ??= import('got').then(({ got }) => {
    client = got.extend({
      throwHttpErrors: false,
      retry: { limit: 0 },
      hooks: { beforeRedirect: [dropJobHeadersAcrossOrigins] },
    });
    return client;
  });
  return clientLoading;
}

/**
 * One HTTP request with got. jobrun owns retries and attempt timeouts, so got's are off; a status
 * >= 400 fails the item (`HTTP_STATUS`), a network error is a `TASK_ERROR`, a body larger than
 * `maxOutputBytes` is `OUTPUT_TOO_LARGE` (the download stops there; the body is never held
 * whole first). The result is already recordable JSON data (plain objects, strings, finite
 * numbers), so it needs no clone and round trip.
 */
export async function performHttp(
  action: HttpAction,
  abort: AbortSignal | ((cancel: () => void) => void),
): Promise<HttpResult> {
  const got = client ?? (await loadClient());
  const isSignal = abort instanceof AbortSignal;
  if (isSignal && abort.aborted) throw cancelledError();
  const limit = outputLimit(action.maxOutputBytes);
  const what = `${action.method} ${action.url}`;
  return new Promise((resolve, reject) => {
    const stream = got.stream(action.url, {
      method: action.method as 'GET',
      ...(action.headers === undefined
        ? {}
        : {
            headers: action.headers,
            context: {
              jobHeaders: Object.keys(action.headers).map((name) => name.toLowerCase()),
            } satisfies RequestContext,
          }),
      ...(action.json === undefined ? {} : { json: action.json }),
      ...(action.body === undefined ? {} : { body: action.body }),
      ...(action.timeoutMs === undefined ? {} : { timeout: { request: action.timeoutMs } }),
      ...(action.followRedirects === false ? { followRedirect: false } : {}),
      ...(isSignal ? { signal: abort } : {}),
    });
    const body = new OutputBuffer(limit);
    let response: PlainResponse | undefined;
    let isSettled = false;
    let isAborted = false;
    const fail = (error: ActionError): void => {
      if (isSettled) return;
      isSettled = true;
      stream.destroy();
      reject(error);
    };

    stream.on('response', (incoming: PlainResponse) => {
      response = incoming;
      const { statusCode, statusMessage, headers } = incoming;
      if (statusCode >= 400) {
        const retryAfterMs = RETRY_AFTER_STATUSES.has(statusCode)
          ? parseRetryAfter(headers['retry-after'])
          : undefined;
        fail(
          new ActionError(
            'HTTP_STATUS',
            `HTTP ${statusCode}${statusMessage ? ` ${statusMessage}` : ''} from ${what}`,
            retryAfterMs === undefined ? undefined : { retryAfterMs },
          ),
        );
      } else if (headers['content-encoding'] === undefined) {
        // A declared length past the limit fails before any of the body is read.
        if (Number(headers['content-length']) > limit) fail(tooLarge(what, limit));
      }
    });
    stream.on('data', (chunk: Buffer) => {
      if (!body.push(chunk)) fail(tooLarge(what, limit));
    });
    stream.on('end', () => {
      if (isSettled || response === undefined) return;
      isSettled = true;
      resolve(resultOf(response, body));
    });
    stream.on('error', (error: Error) => {
      if (isAborted || (isSignal && abort.aborted)) {
        fail(cancelledError());
        return;
      }
      fail(new ActionError('TASK_ERROR', `${what} failed: ${error.message}`, { cause: error }));
    });
    // Closed without an end or an error: cancelled through `abort`.
    stream.on('close', () => fail(cancelledError()));
    if (!isSignal) {
      abort(() => {
        isAborted = true;
        fail(cancelledError());
      });
    }
    // A stream request with a body-capable method waits for a body written to it: there is none.
    if (action.json === undefined && action.body === undefined && !NO_BODY.has(action.method)) {
      stream.end();
    }
  });
}

const NO_BODY = new Set(['GET', 'HEAD']);

/** Statuses whose `Retry-After` the next attempt waits for: too many requests, unavailable. */
const RETRY_AFTER_STATUSES = new Set([429, 503]);

/**
 * Milliseconds to wait from a `Retry-After` header: delay-seconds or an HTTP date (a date past
 * is 0); `undefined` when absent or unreadable.
 */
export function parseRetryAfter(value: string | undefined, nowMs = Date.now()): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

function resultOf(response: PlainResponse, body: OutputBuffer): HttpResult {
  const raw = body.bytes();
  const text = raw.toString('utf8');
  const contentType = response.headers['content-type'] ?? '';
  let value: unknown = text;
  if (JSON_CONTENT_TYPE.test(contentType) && text.trim() !== '') {
    try {
      value = JSON.parse(text);
    } catch {
      // A server that mislabels its body still gives the user the text.
    }
  }
  return {
    url: response.url,
    status: response.statusCode,
    // Node's headers object has no prototype; a record holds a plain one, as after a JSON trip.
    headers: { ...response.headers },
    size: raw.length,
    body: value,
    redirects: response.redirectUrls.map(String),
  };
}

function tooLarge(what: string, limit: number): ActionError {
  return outputTooLarge(`the response body of ${what}`, limit, 'the download was stopped');
}

function cancelledError(): ActionError {
  return new ActionError('CANCELLED', 'the request was cancelled');
}
