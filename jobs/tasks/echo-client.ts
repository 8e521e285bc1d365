import { connect } from 'node:net';
import type { TaskContext } from 'jobrun';

export interface PingInput {
  port: number | string;
  index: number;
}

export interface Ping {
  index: number;
  roundTripMs: number;
}

/**
 * One client of the echo server: connects, sends a line, checks that the same line comes back
 * and returns the round trip, from the line sent to the line received.
 */
export function ping(input: PingInput, ctx: TaskContext): Promise<Ping> {
  const line = `hello from client ${input.index}\n`;
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port: Number(input.port) });
    const stop = (): void => {
      socket.destroy();
      reject(new Error('cancelled'));
    };
    ctx.signal.addEventListener('abort', stop, { once: true });
    let sentAt = 0;
    let received = '';
    socket.setEncoding('utf8');
    socket.on('connect', () => {
      sentAt = performance.now();
      socket.write(line);
    });
    socket.on('data', (chunk: string) => {
      received += chunk;
      if (received.length < line.length) return;
      const roundTripMs = Math.round((performance.now() - sentAt) * 1000) / 1000;
      ctx.signal.removeEventListener('abort', stop);
      socket.end();
      if (received === line) resolve({ index: input.index, roundTripMs });
      else
        reject(
          new Error(`expected the echo ${JSON.stringify(line)}, got ${JSON.stringify(received)}`),
        );
    });
    socket.on('error', (error) => {
      ctx.signal.removeEventListener('abort', stop);
      reject(error);
    });
  });
}

/** The fastest, median and slowest round trips, in milliseconds. */
export function roundTripStats(pings: Ping[]): {
  clients: number;
  minMs: number;
  medianMs: number;
  maxMs: number;
} {
  const times = pings.map((entry) => entry.roundTripMs).sort((a, b) => a - b);
  const middle = Math.floor(times.length / 2);
  const median =
    times.length % 2 === 1 ? times[middle] : ((times[middle - 1] ?? 0) + (times[middle] ?? 0)) / 2;
  return {
    clients: times.length,
    minMs: times[0] ?? 0,
    medianMs: Math.round((median ?? 0) * 1000) / 1000,
    maxMs: times.at(-1) ?? 0,
  };
}
