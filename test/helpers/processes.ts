import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { isAlive } from '../../src/proc/is-alive.ts';

export { isAlive };

/**
 * Whether a process with this pid runs: a zombie (dead, waiting for a parent that may never reap
 * it, such as a container's init) does not count.
 */
export function isRunning(pid: number): boolean {
  if (!isAlive(pid)) return false;
  try {
    // The state follows the parenthesised command name, which may itself hold spaces.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** Polls until `condition` holds; a safety net, not a speed assertion. */
export async function eventually(condition: () => boolean, timeoutMs = 10_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return condition();
}

/** The pids that shell commands appended to `file` (`echo $$ >> file`), none if it is missing. */
export function pidsIn(file: string): number[] {
  return existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').map(Number) : [];
}

/** How a process started by `runProcess` ended, and everything it wrote. */
export interface ProcessResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunProcessOptions {
  cwd?: string;
  /** Its whole environment. @default the test's own */
  env?: NodeJS.ProcessEnv;
  /** Written to its stdin, which is then closed. @default '' */
  input?: string;
  /** Runs it as this user, and the group of the same number. */
  uid?: number;
  /** Kill it after this many ms (a test safety net, not an assertion). @default 60000 */
  timeoutMs?: number;
}

/** Runs `command ARGS…` in a real child process and collects its output. */
export function runProcess(
  command: string,
  args: string[],
  options: RunProcessOptions = {},
): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env,
      ...(options.uid === undefined ? {} : { uid: options.uid, gid: options.uid }),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
    // A process that exits without reading its input must not fail the test with EPIPE.
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.input ?? '');
  });
}
