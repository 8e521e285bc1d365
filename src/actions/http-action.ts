import type { IncomingHttpHeaders } from 'node:http';
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

/**
 * One HTTP request with got. jobrun owns retries and attempt timeouts, so got's are off; a status
 * >= 400 fails the item (`HTTP_STATUS`), a network error is a `TASK_ERROR`.
 */
export async function performHttp(action: HttpAction, signal: AbortSignal): Promise<HttpResult> {
  // got is large; only workers that fetch should load it.
  const { got } = await import('got');
  let response;
  try {
    response = await got(action.url, {
      method: action.method as 'GET',
      headers: action.headers,
      json: action.json,
      body: action.body,
      throwHttpErrors: false,
      retry: { limit: 0 },
      timeout: action.timeoutMs === undefined ? {} : { request: action.timeoutMs },
      signal,
      responseType: 'buffer',
    });
  } catch (error) {
    if (signal.aborted) throw new ActionError('CANCELLED', 'the request was cancelled');
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
    headers: response.headers,
    size: raw.length,
    body,
  };
}
