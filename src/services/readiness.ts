import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect } from 'node:net';

/** How often readiness is checked. */
export const READY_POLL_MS = 100;
/** How long one check may take before it counts as a no. */
const PROBE_TIMEOUT_MS = 1000;

/** A readiness check with its values evaluated. */
export type ReadyCheck =
  | { kind: 'http'; url: string }
  | { kind: 'tcp'; host: string; port: number }
  | { kind: 'log'; text: string };

/** Whether the service answers now: any HTTP response, or an accepted connection. */
export function probe(check: ReadyCheck & { kind: 'http' | 'tcp' }): Promise<boolean> {
  return check.kind === 'http' ? probeHttp(check.url) : probeTcp(check.host, check.port);
}

function probeHttp(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const send = url.startsWith('https:') ? httpsRequest : httpRequest;
    const request = send(url, { method: 'GET', timeout: PROBE_TIMEOUT_MS }, (response) => {
      // Any status is an answer: the service is up, whatever it thinks of this path.
      response.resume();
      resolve(true);
      request.destroy();
    });
    request.on('timeout', () => request.destroy());
    request.on('error', () => resolve(false));
    request.on('close', () => resolve(false));
    request.end();
  });
}

function probeTcp(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: PROBE_TIMEOUT_MS });
    socket.on('connect', () => {
      resolve(true);
      socket.destroy();
    });
    socket.on('timeout', () => socket.destroy());
    socket.on('error', () => resolve(false));
    socket.on('close', () => resolve(false));
  });
}
