import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

/** How a run child ended. */
export interface RunChildExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Set when the child could not be started or waited for (spawn failure). */
  error?: Error;
}

export interface RunChildOptions {
  /** The built CLI, `dist/cmd/jobrun.js`. */
  cliPath: string;
  /** Absolute path of the job file. */
  file: string;
  runId: string;
  /** ISO time. */
  startedAt: string;
  /**
   * `plain` (`--verbose`): one line per item and task state, for the log. `quiet`: the run prints
   * only problems (on stderr), so a large run costs the scheduler nothing per item.
   */
  output: 'plain' | 'quiet';
  /** Run it with `--resume` (`jobrun schedule --resume`). @default false */
  resume?: boolean;
  /** Called for each line the child writes, once the line is complete. */
  onOutput: (stream: 'stdout' | 'stderr', line: string) => void;
}

/** One `jobrun run FILE --output plain|quiet` child of the scheduler. */
export interface RunChild {
  readonly pid: number | undefined;
  /** Resolves once the child has exited and its output is read; never rejects. */
  readonly exited: Promise<RunChildExit>;
  /** Sends `signal` to the child only; it drains its own workers, as a run does on Ctrl-C. */
  signal(signal: NodeJS.Signals): void;
  /** Last resort: SIGKILL to the child's whole process group, its pool workers included. */
  killGroup(): void;
}

// After the child exits, a grandchild it left behind (a `run:` task that backgrounds a command)
// can keep the pipes open; stop waiting for their end after this long.
const OUTPUT_DRAIN_MS = 2000;

/**
 * Starts one run of a job in its own child process, so a crashing job cannot take the scheduler
 * down. The child gets the run's id and start time through `JOBRUN_RUN_ID` and
 * `JOBRUN_RUN_STARTED_AT`. It leads its own process group (`detached`), so a Ctrl-C in the
 * scheduler's terminal reaches the scheduler alone, which forwards it once; the terminal does not
 * deliver a second, forcing, SIGINT behind its back.
 */
export function startRunChild(options: RunChildOptions): RunChild {
  const child = spawn(
    process.execPath,
    [
      options.cliPath,
      'run',
      options.file,
      '--output',
      options.output,
      ...(options.resume === true ? ['--resume'] : []),
    ],
    {
      env: {
        ...process.env,
        JOBRUN_RUN_ID: options.runId,
        JOBRUN_RUN_STARTED_AT: options.startedAt,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    },
  );
  const exited = waitForExit(child, options.onOutput);
  return {
    pid: child.pid,
    exited,
    signal(signal) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    },
    killGroup() {
      if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // The group is already gone.
      }
    },
  };
}

function waitForExit(
  child: ChildProcess,
  onOutput: RunChildOptions['onOutput'],
): Promise<RunChildExit> {
  return new Promise((resolve) => {
    const streams = [
      ['stdout', child.stdout],
      ['stderr', child.stderr],
    ] as const;
    for (const [name, stream] of streams) {
      if (stream === null) continue;
      createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) =>
        onOutput(name, line),
      );
    }
    let drainTimer: NodeJS.Timeout | undefined;
    const finish = (exit: RunChildExit): void => {
      clearTimeout(drainTimer);
      resolve(exit);
    };
    child.on('error', (error) => {
      // Only a failed spawn ends the run; a failed kill of a live child is not its end.
      if (child.pid === undefined) finish({ code: null, signal: null, error });
    });
    child.once('exit', (code, signal) => {
      drainTimer = setTimeout(() => {
        child.stdout?.destroy();
        child.stderr?.destroy();
        finish({ code, signal });
      }, OUTPUT_DRAIN_MS);
    });
    child.once('close', (code: number | null, signal: NodeJS.Signals | null) =>
      finish({ code, signal }),
    );
  });
}
