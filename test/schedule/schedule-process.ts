import { spawn } from 'node:child_process';
import { CLI_PATH } from '../helpers/cli.ts';

export { isAlive } from '../helpers/processes.ts';

/** A `jobrun schedule …` child whose output lines a test can wait for. */
export interface ScheduleProcess {
  readonly pid: number;
  /** Every stdout line so far. */
  readonly lines: string[];
  readonly stderr: () => string;
  /** Resolves with the first line matching `pattern`, rejects after `timeoutMs`. */
  waitForLine(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** Resolves once `count` lines match. */
  waitForCount(pattern: RegExp, count: number, timeoutMs?: number): Promise<string[]>;
  signal(signal: NodeJS.Signals): void;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts the built CLI as `jobrun schedule ARGS…`; SIGKILLed after 60 s as a safety net. */
export function startSchedule(args: string[], cwd?: string): ScheduleProcess {
  const child = spawn(process.execPath, [CLI_PATH, 'schedule', ...args], {
    cwd,
    env: { ...process.env, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  let pending = '';
  let stderr = '';
  const watchers = new Set<() => void>();
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    pending += chunk;
    const parts = pending.split('\n');
    pending = parts.pop() ?? '';
    lines.push(...parts);
    for (const watcher of watchers) watcher();
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const safety = setTimeout(() => child.kill('SIGKILL'), 60_000);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('close', (code, signal) => {
      clearTimeout(safety);
      for (const watcher of watchers) watcher();
      resolve({ code, signal });
    }),
  );

  function waitForCount(pattern: RegExp, count: number, timeoutMs = 20_000): Promise<string[]> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        const found = lines.filter((line) => pattern.test(line));
        if (found.length >= count) {
          done();
          resolve(found);
        } else if (child.exitCode !== null || child.signalCode !== null) {
          done();
          reject(
            new Error(
              `schedule exited before ${count}× ${pattern}:\n${lines.join('\n')}\n${stderr}`,
            ),
          );
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(
          new Error(`timed out waiting for ${count}× ${pattern}:\n${lines.join('\n')}\n${stderr}`),
        );
      }, timeoutMs);
      const done = (): void => {
        clearTimeout(timer);
        watchers.delete(check);
      };
      watchers.add(check);
      check();
    });
  }

  return {
    pid: child.pid ?? -1,
    lines,
    stderr: () => stderr,
    waitForLine: async (pattern, timeoutMs) => (await waitForCount(pattern, 1, timeoutMs))[0] ?? '',
    waitForCount,
    signal: (signal) => child.kill(signal),
    exited,
  };
}

/** The logfmt fields of a scheduler log line. */
export function fieldsOf(line: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const match of line.matchAll(/(\w+)=("(?:[^"\\]|\\.)*"|\S*)/g)) {
    const [, key = '', raw = ''] = match;
    fields[key] = raw.startsWith('"') ? (JSON.parse(raw) as string) : raw;
  }
  return fields;
}
