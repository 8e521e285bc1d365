import { randomUUID } from 'node:crypto';
import type { Cron } from 'croner';
import { JobValidationError, formatProblem } from '../errors.ts';
import { expandResultsPath } from '../job/results-path.ts';
import { createDeferred } from '../util/deferred.ts';
import { errorMessage } from '../util/error-message.ts';
import { formatRoundedDuration } from '../util/format-duration.ts';
import { createCron, localTimezone } from './cron.ts';
import { exitStatusOf } from './exit-status.ts';
import { loadScheduleSet, type ScheduleSet, type ScheduledJob } from './load-schedules.ts';
import { formatLogLine, type LogValue } from './log-line.ts';
import { startRunChild, type RunChild } from './run-child.ts';

/** After `stop()`, how long running children get before their process groups are killed. */
export const DEFAULT_STOP_GRACE_MS = 30_000;
/** A `reason` taken from a run's stderr is cut to this many characters. */
const MAX_REASON_LENGTH = 300;

export interface SchedulerOptions {
  /** Receives every log line, without a trailing newline. */
  log: (line: string) => void;
  /** The built CLI (`dist/cmd/jobrun.js`) that each run executes as `run FILE --output plain`. */
  cliPath: string;
  /**
   * After `stop()`, running children get this long to drain (a run lets in-flight items finish
   * for at most 10 s) before SIGKILL goes to their process groups.
   * @default 30000
   */
  stopGraceMs?: number;
  /**
   * Echo each run's own output (its `--output plain` lines) into the log, prefixed with
   * `stdout`/`stderr`, the job and the run id. Without it the log has one line per run start and
   * end, and a run that could not run or finish (`write-failed`, `locked`, `crashed`) gets the first
   * line it wrote to stderr as `reason`.
   * @default false
   */
  isVerbose?: boolean;
  /**
   * Start every run with `--resume`: each re-runs only what did not succeed in the job's last
   * run (the results path must be the same from run to run for that).
   * @default false
   */
  isResumed?: boolean;
}

/** A running `jobrun schedule`. */
export interface Scheduler {
  /**
   * Re-reads and re-validates every target. An invalid set is logged and the old one kept;
   * a valid one replaces the schedules. Running children are not touched.
   */
  reload(): Promise<void>;
  /**
   * Stops scheduling and forwards `signal` to every running child. Calling it again forwards
   * the signal again (a second SIGINT makes the runs cancel their in-flight items).
   * Resolves with `finished`.
   * @default signal 'SIGTERM'
   */
  stop(signal?: NodeJS.Signals): Promise<void>;
  /** Resolves after `stop()`, once every running child has exited. */
  readonly finished: Promise<void>;
}

interface ActiveRun {
  runId: string;
  child: RunChild;
}

/**
 * Validates every job of `targets` (files, or folders of `*.yaml`/`*.yml`), then runs each job
 * that has `schedule:` on its cron schedule, each run in its own child process, never two runs of
 * the same job at once.
 *
 * @throws {JobValidationError} every problem of every file, when any file is invalid.
 * @example
 * const scheduler = await startScheduler(['jobs/'], { log: console.log, cliPath });
 * process.once('SIGTERM', () => void scheduler.stop('SIGTERM'));
 * await scheduler.finished;
 */
export async function startScheduler(
  targets: readonly string[],
  options: SchedulerOptions,
): Promise<Scheduler> {
  const initial = await loadScheduleSet(targets);
  const log = (event: string, fields: Record<string, LogValue>): void =>
    options.log(formatLogLine(event, fields));
  // Keyed by job file, not by cron, so a run started before a reload still blocks the next one.
  const running = new Map<string, ActiveRun>();
  let crons: Cron[] = [];
  let isStopping = false;
  let graceTimer: NodeJS.Timeout | undefined;
  let reloading = Promise.resolve();
  const finished = createDeferred<void>();
  // With no job scheduled there is no croner timer, and a pending promise alone does not keep
  // Node running; the scheduler must stay up until stopped, since a reload can add jobs.
  const keepAlive = setInterval(() => undefined, 2 ** 30);

  function install(set: ScheduleSet): void {
    for (const cron of crons) cron.stop();
    crons = set.scheduled.map((job) => {
      const cron = createCron(job.schedule, job.timezone, () => {
        // A throw inside croner's timer would take the scheduler and every other job down.
        try {
          startRun(job);
        } catch (error) {
          log('run-error', { job: job.name, reason: errorMessage(error) });
        }
      });
      log('scheduled', {
        job: job.name,
        schedule: job.schedule,
        timezone: job.timezone ?? `local:${localTimezone()}`,
        next: cron.nextRun()?.toISOString(),
        file: job.file,
      });
      return cron;
    });
    for (const job of set.unscheduled) {
      log('ignored', { job: job.name, reason: 'no schedule', file: job.file });
    }
    if (set.scheduled.length === 0) log('idle', { reason: 'no job has a schedule' });
  }

  function startRun(job: ScheduledJob): void {
    if (isStopping) return;
    const previous = running.get(job.file);
    if (previous !== undefined) {
      log('run-skipped', {
        job: job.name,
        reason: 'previous run still running',
        previous: previous.runId,
      });
      return;
    }
    const startedAt = new Date();
    const run = { id: randomUUID(), startedAt: startedAt.toISOString() };
    const results = expandResultsPath(job, run);
    const isVerbose = options.isVerbose ?? false;
    let firstError: string | undefined;
    const child = startRunChild({
      cliPath: options.cliPath,
      file: job.file,
      runId: run.id,
      startedAt: run.startedAt,
      output: isVerbose ? 'plain' : 'quiet',
      resume: options.isResumed ?? false,
      onOutput: (stream, line) => {
        if (isVerbose) {
          options.log(`${formatLogLine(stream, { job: job.name, run: run.id })} | ${line}`);
        } else if (
          stream === 'stderr' &&
          firstError === undefined &&
          line.trim() !== '' &&
          // The notice of a first resumed run is no reason for anything that follows.
          !line.startsWith('jobrun: --resume:')
        ) {
          firstError = line.trim().slice(0, MAX_REASON_LENGTH);
        }
      },
    });
    running.set(job.file, { runId: run.id, child });
    log('run-started', { job: job.name, run: run.id, pid: child.pid, results });
    void child.exited.then((exit) => {
      running.delete(job.file);
      const status = exitStatusOf(exit.code, exit.signal);
      log('run-finished', {
        job: job.name,
        run: run.id,
        status,
        exit: exit.code ?? undefined,
        signal: exit.signal ?? undefined,
        error: exit.error?.message,
        // Why a run could not run at all; a failed or interrupted run's story is its results file.
        reason:
          status === 'ok' || status === 'failed' || status === 'interrupted'
            ? undefined
            : firstError,
        duration: formatRoundedDuration(Date.now() - startedAt.getTime()),
        results,
      });
      if (isStopping && running.size === 0) finish();
    });
  }

  function finish(): void {
    clearTimeout(graceTimer);
    clearInterval(keepAlive);
    log('stopped', {});
    finished.resolve();
  }

  function stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    if (!isStopping) {
      isStopping = true;
      for (const cron of crons) cron.stop();
      log('stopping', { signal, running: running.size });
      if (running.size === 0) {
        finish();
        return finished.promise;
      }
      graceTimer = setTimeout(() => {
        for (const [file, active] of running) {
          log('run-killed', { run: active.runId, file, reason: 'still running after grace' });
          active.child.killGroup();
        }
      }, options.stopGraceMs ?? DEFAULT_STOP_GRACE_MS);
    }
    for (const active of running.values()) active.child.signal(signal);
    return finished.promise;
  }

  async function reloadNow(): Promise<void> {
    if (isStopping) return;
    log('reloading', {});
    let set: ScheduleSet;
    try {
      set = await loadScheduleSet(targets);
    } catch (error) {
      if (!(error instanceof JobValidationError)) {
        log('reload-failed', { reason: errorMessage(error) });
        return;
      }
      log('reload-failed', { problems: error.problems.length, kept: 'previous schedules' });
      for (const problem of error.problems) options.log(`  ${formatProblem(problem)}`);
      return;
    }
    if (!isStopping) install(set);
  }

  install(initial);
  return {
    reload() {
      // One reload at a time: two quick SIGHUPs must not interleave two installs.
      reloading = reloading.then(reloadNow);
      return reloading;
    },
    stop,
    finished: finished.promise,
  };
}
