import type { IncomingHttpHeaders } from 'node:http';
import type { Got } from 'got';
import type { ResolvedAction } from '../executors/types.ts';
import { ActionError } from './action-error.ts';

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
}

const JSON_CONTENT_TYPE = /^application\/(?:[\w.+-]+\+)?json\b/i;

/** jobrun's got, loaded once per worker on its first request. */
let client: Got | undefined;
let clientLoading: Promise<Got> | undefined;

/**
 * got with jobrun's fixed options merged once, not on every request: jobrun owns retries and
 * attempt timeouts, and reads the body itself. Requests share Node's global agent, which keeps
 * connections alive.
 */
function loadClient(): Promise<Got> {
  // got is large; only workers that fetch should load it.
  clientLoading ??= import('got').then(({ got }) => {
    client = got.extend({ throwHttpErrors: false, retry: { limit: 0 }, responseType: 'buffer' });
    return client;
  });
  return clientLoading;
}

/**
 * One HTTP request with got. jobrun owns retries and attempt timeouts, so got's are off; a status
 * >= 400 fails the item (`HTTP_STATUS`), a network error is a `TASK_ERROR`. The result is already
 * recordable JSON data (plain objects, strings, finite numbers), so it needs no clone and round
 * trip.
 */
export async function performHttp(
  action: HttpAction,
  abort: AbortSignal | ((cancel: () => void) => void),
): Promise<HttpResult> {
  const got = client ?? (await loadClient());
  const isSignal = abort instanceof AbortSignal;
  let isAborted = isSignal && abort.aborted;
  let response;
  try {
    const request = got(action.url, {
      method: action.method as 'GET',
      ...(action.headers === undefined ? {} : { headers: action.headers }),
      ...(action.json === undefined ? {} : { json: action.json }),
      ...(action.body === undefined ? {} : { body: action.body }),
      ...(action.timeoutMs === undefined ? {} : { timeout: { request: action.timeoutMs } }),
      ...(isSignal ? { signal: abort } : {}),
    });
    if (!isSignal) {
      abort(() => {
        isAborted = true;
        request.cancel();
      });
    }
    response = await request;
  } catch (error) {
    if (isAborted || (isSignal && abort.aborted)) {
      throw new ActionError('CANCELLED', 'the request was cancelled');
    }
    const message = error instanceof Error ? error.message : String(error);
    throw new ActionError('TASK_ERROR', `${action.method} ${action.url} failed: ${message}`, {
      cause: error,
    });
  }
  const { statusCode, statusMessage } = response;
  if (statusCode >= 400) {
    throw new ActionError(
      'HTTP_STATUS',
      `HTTP ${statusCode}${statusMessage ? ` ${statusMessage}` : ''} from ${action.method} ${action.url}`,
    );
  }
  const raw = response.rawBody;
  const text = raw.toString('utf8');
  const contentType = response.headers['content-type'] ?? '';
  let body: unknown = text;
  if (JSON_CONTENT_TYPE.test(contentType) && text.trim() !== '') {
    try {
      body = JSON.parse(text);
    } catch {
      // A server that mislabels its body still gives the user the text.
    }
  }
  return {
    url: response.url,
    status: statusCode,
    // Node's headers object has no prototype; a record holds a plain one, as after a JSON trip.
    headers: { ...response.headers },
    size: raw.length,
    body,
  };
}
