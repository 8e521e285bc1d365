import assert from 'node:assert/strict';
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { ROOT } from './built.ts';
import { runProcess, type ProcessResult } from './processes.ts';

/** The built CLI, as a user runs it (`npm test` builds first when needed). */
export const CLI_PATH = join(ROOT, 'dist', 'cmd', 'jobrun.js');

export type CliResult = ProcessResult;

export interface CliOptions {
  cwd?: string;
  /** Added to the environment, which has `NO_COLOR=1` besides the test's own. */
  env?: NodeJS.ProcessEnv;
  input?: string;
  /** Runs it as this user, and the group of the same number. */
  uid?: number;
  /** Kill the CLI after this many ms (a test safety net, not an assertion). @default 60000 */
  timeoutMs?: number;
}

/** Runs `jobrun ARGS…` in a real child process and collects its output. */
export function runCli(args: string[], options: CliOptions = {}): Promise<CliResult> {
  return runProcess(process.execPath, [CLI_PATH, ...args], {
    ...options,
    env: { ...process.env, NO_COLOR: '1', ...options.env },
  });
}

/** A CLI started by `startCli`, still running. */
export interface StartedCli {
  child: ChildProcessByStdio<null, Readable, Readable>;
  /** Its exit code, once it has exited. */
  exited: Promise<number | null>;
  /**
   * Resolves once `pattern` appears in its stdout and stderr together; fails when it exits
   * without, or after `timeoutMs` (30 s).
   */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<void>;
  /** Its stdout and stderr so far, interleaved as they came. */
  output(): string;
}

/**
 * Starts `jobrun ARGS…`, for a test that signals it or watches it while it runs; `env` is added
 * to the test's own environment.
 */
export function startCli(args: string[], options: { env?: NodeJS.ProcessEnv } = {}): StartedCli {
  const child = spawn(process.execPath, [CLI_PATH, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...options.env },
  });
  let output = '';
  const onData = (chunk: Buffer): void => {
    output += chunk.toString();
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const exited = new Promise<number | null>((resolve) =>
    child.on('close', (code) => resolve(code)),
  );
  const waitFor = async (pattern: RegExp, timeoutMs = 30_000): Promise<void> => {
    for (let i = 0; i < timeoutMs / 50 && !pattern.test(output); i++) {
      // Exited: all it wrote is in once its streams close, and nothing more will come.
      if (child.exitCode !== null || child.signalCode !== null) {
        await exited;
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.match(output, pattern);
  };
  return { child, exited, waitFor, output: () => output };
}
