import { hasExpression } from '../expr/parse-template.ts';
import type { Issue } from './issue.ts';
import { isObject } from './job-data.ts';

const TCP_ADDRESS = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/;

/**
 * What the schema cannot say about `services:`: a `run:` without expressions (a service starts
 * once, so its values go through `env:`, never the shell text), and, when written without
 * expressions, a `tcp` address of the form HOST:PORT and an `http` URL that parses.
 */
export function checkServices(data: unknown): Issue[] {
  if (!isObject(data) || !isObject(data.services)) return [];
  const issues: Issue[] = [];
  for (const [name, service] of Object.entries(data.services)) {
    if (!isObject(service)) continue;
    if (typeof service.run === 'string' && hasExpression(service.run)) {
      issues.push({
        path: ['services', name, 'run'],
        at: 'value',
        text: 'expected a plain command without "${{ … }}"; pass the value with env: (env: { PORT: "${{ vars.port }}" }) and write "$PORT" in the command',
      });
    }
    const ready = isObject(service.ready) ? service.ready : {};
    const problem = readyProblem(ready);
    if (problem !== null)
      issues.push({ path: ['services', name, 'ready', problem[0]], at: 'value', text: problem[1] });
  }
  return issues;
}

function readyProblem(ready: Record<string, unknown>): [string, string] | null {
  const { tcp, http } = ready;
  const tcpProblem = typeof tcp === 'string' && !hasExpression(tcp) ? tcpAddressProblem(tcp) : null;
  if (tcpProblem !== null) return ['tcp', tcpProblem];
  const httpProblem =
    typeof http === 'string' && !hasExpression(http) ? httpUrlProblem(http) : null;
  return httpProblem === null ? null : ['http', httpProblem];
}

/** `HOST:PORT` (an IPv6 host in brackets) as host and port; `null` if it is not that. */
export function parseTcpAddress(address: string): { host: string; port: number } | null {
  const match = TCP_ADDRESS.exec(address);
  const port = Number(match?.[2]);
  if (match?.[1] === undefined || port < 1 || port > 65535) return null;
  return { host: match[1].replace(/^\[|\]$/g, ''), port };
}

/** Why `address` is not a `tcp` readiness address, or `null` when it is one. */
export function tcpAddressProblem(address: string): string | null {
  if (parseTcpAddress(address) !== null) return null;
  return `expected HOST:PORT with a port from 1 to 65535, such as 127.0.0.1:6379, found ${JSON.stringify(address)}`;
}

/** Why `url` is not an `http` readiness URL, or `null` when it is one. */
export function httpUrlProblem(url: string): string | null {
  let protocol: string;
  try {
    protocol = new URL(url).protocol;
  } catch {
    return `expected an http:// or https:// URL, found ${JSON.stringify(url)}`;
  }
  return protocol === 'http:' || protocol === 'https:'
    ? null
    : `expected an http:// or https:// URL, found ${JSON.stringify(url)}`;
}
