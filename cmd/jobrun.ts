#!/usr/bin/env node
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command, Help, Option } from 'commander';
import {
  JobrunError,
  JobValidationError,
  LockHeldError,
  ResultsWriteError,
  UnsafeResultsPathError,
  UsageError,
  formatProblem,
} from '../src/errors.ts';
import { EXECUTOR_KINDS, type ExecutorKind, type ExecutorSetting } from '../src/job/types.ts';
import {
  EXIT_BY_SIGNAL,
  EXIT_CANT_WRITE,
  EXIT_FAILED,
  EXIT_LOCKED,
  EXIT_OK,
  EXIT_USAGE,
} from '../src/exit-codes.ts';
import { JOB_SCHEMA_PATH, PACKAGE_ROOT } from '../src/paths.ts';
import { OUTPUT_MODES, type OutputMode } from '../src/report/output-mode.ts';

// Only this file turns outcomes into exit codes (src/exit-codes.ts names them).
/** Signals that stop a run: the first drains it, the next cancels what is in flight. */
const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

const COMMANDS = new Set(['run', 'validate', 'schedule', 'schema', 'report', 'worker', 'help']);
const OPTIONS_WITH_VALUE = new Set([
  '--executor',
  '--connection',
  '--max-workers',
  '--results',
  '--var',
  '--output',
]);

interface RunCommandOptions {
  executor?: ExecutorKind;
  maxWorkers?: number;
  /** The Redis of `queue` executors (`--connection`, else `JOBRUN_REDIS_URL`). */
  connection?: string;
  results?: string;
  var?: Record<string, string>;
  output?: OutputMode;
  dryRun?: boolean;
  failFast?: boolean;
  /** `false` with `--no-services`. */
  services?: boolean;
  resume?: boolean;
}

function readVersion(): string {
  const pkg = JSON.parse(readFileSync(resolve(PACKAGE_ROOT, 'package.json'), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

// `jobrun --version` answers before commander loads: for it, loading modules is the whole cost.
if (process.argv.length === 3 && (process.argv[2] === '--version' || process.argv[2] === '-V')) {
  process.stdout.write(readVersion() + '\n');
  process.exit(EXIT_OK);
}
const commander = await import('commander');

function parsePositive(option: string, value: string): number {
  const count = Number(value);
  if (!Number.isInteger(count) || count < 1) {
    throw new UsageError(`Expected \`${option}\` to be an integer >= 1, got \`${value}\``);
  }
  return count;
}

function parseMaxWorkers(value: string): number {
  const count = Number(value);
  if (!Number.isInteger(count) || count < 1) {
    throw new UsageError(`Expected \`--max-workers\` to be an integer >= 1, got \`${value}\``);
  }
  return count;
}

// No default value: commander would print it in the help as `(default: {})`.
function collectVar(
  value: string,
  vars: Record<string, string> | undefined,
): Record<string, string> {
  const equals = value.indexOf('=');
  if (equals <= 0) throw new UsageError(`Expected \`--var\` to be NAME=VALUE, got \`${value}\``);
  return { ...vars, [value.slice(0, equals)]: value.slice(equals + 1) };
}

/** `jobrun FILE …` means `jobrun run FILE …`: insert `run` before the first positional argument. */
function withDefaultCommand(args: string[]): string[] {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === '--') break;
    if (arg.startsWith('-')) {
      if (OPTIONS_WITH_VALUE.has(arg)) i++;
      continue;
    }
    // A bare word that is no file (`jobrun valdate x`) is a mistyped command: let the parser say
    // so, with its suggestion, instead of reporting a missing job file.
    const isMistypedCommand = /^[a-z]+$/.test(arg) && !existsSync(arg);
    return COMMANDS.has(arg) || isMistypedCommand ? args : ['run', ...args];
  }
  return args;
}

function printProblems(error: JobValidationError): void {
  for (const problem of error.problems) process.stderr.write(formatProblem(problem) + '\n');
  const count = error.problems.length;
  process.stderr.write(`${count} problem${count === 1 ? '' : 's'} found; nothing was run.\n`);
}

async function validateCommand(files: string[]): Promise<number> {
  const { validateJob } = await import('../src/job/load.ts');
  // A queue executor without `connection:` is fine when the environment names one.
  const connection = process.env.JOBRUN_REDIS_URL || undefined;
  let problemCount = 0;
  for (const file of files) {
    const problems = await validateJob(file, connection === undefined ? {} : { connection });
    if (problems.length === 0) {
      process.stdout.write(`${file}: valid\n`);
      continue;
    }
    problemCount += problems.length;
    for (const problem of problems) process.stderr.write(formatProblem(problem) + '\n');
  }
  if (problemCount === 0) return EXIT_OK;
  process.stderr.write(`${problemCount} problem${problemCount === 1 ? '' : 's'} found.\n`);
  return EXIT_USAGE;
}

async function runCommand(file: string, options: RunCommandOptions): Promise<number> {
  const { loadJob } = await import('../src/job/load.ts');
  const connection = options.connection ?? (process.env.JOBRUN_REDIS_URL || undefined);
  const override: ExecutorSetting = {
    ...(options.executor === undefined ? {} : { kind: options.executor }),
    ...(options.maxWorkers === undefined ? {} : { maxWorkers: options.maxWorkers }),
    ...(connection === undefined ? {} : { connection }),
  };
  const resultsPath = options.results === undefined ? undefined : resolve(options.results);
  const loadOptions = { vars: options.var, ...(connection === undefined ? {} : { connection }) };

  if (options.dryRun === true) {
    const job = await loadJob(file, loadOptions);
    const { checkQueueConnections } = await import('../src/queue/check-connections.ts');
    await checkQueueConnections(job, override);
    const { formatPlan, planJob } = await import('../src/plan/plan-job.ts');
    const { expandResultsPath } = await import('../src/job/results-path.ts');
    const shownResults =
      resultsPath ?? expandResultsPath(job, { id: '<run-id>', startedAt: '<started-at>' });
    const { checkResultsTarget } = await import('../src/results/results-target.ts');
    checkResultsTarget(job, shownResults, resultsPath === undefined ? undefined : '--results');
    const plan = formatPlan(job, planJob(job, override), shownResults, {
      skipServices: options.services === false,
    });
    process.stdout.write(plan);
    if (options.resume === true) {
      const { formatResumePlan } = await import('../src/run/resume-plan.ts');
      process.stdout.write(await formatResumePlan(job, shownResults));
    }
    return EXIT_OK;
  }

  const { createReporter, defaultOutputMode } = await import('../src/report/create-reporter.ts');
  const mode = options.output ?? defaultOutputMode(process.stdout, process.env);
  // Before the job is loaded: the live listing starts its thread meanwhile.
  const reporter = await createReporter(mode, { stdout: process.stdout, stderr: process.stderr });
  // The engine loads while the job file is read and checked.
  const [job, { runJob }, { acquireCrashGuard, releaseCrashGuard }] = await Promise.all([
    loadJob(file, loadOptions),
    import('../src/run/run-job.ts'),
    import('../src/proc/crash-guard.ts'),
  ]).catch(async (error: unknown) => {
    await reporter.close();
    throw error;
  });

  // Secrets are masked in everything jobrun writes from here on, task code's output included.
  const { secretMaskOf, maskStreams } = await import('../src/report/mask-output.ts');
  const mask = secretMaskOf(job);
  if (mask !== null) maskStreams(mask, [process.stdout, process.stderr]);

  // First signal: stop starting items and drain; second: cancel in-flight items. SIGHUP (the
  // terminal closed) stops a run as SIGTERM does, so its commands do not outlive it.
  const drain = new AbortController();
  const cancel = new AbortController();
  const onSignal = (signal: NodeJS.Signals): void => {
    if (!drain.signal.aborted) drain.abort(signal);
    else cancel.abort(signal);
  };
  for (const signal of STOP_SIGNALS) process.on(signal, onSignal);
  // Held until the output is closed, not only while runJob runs: a callback's timer that throws
  // after its item has finished (even after the summary) only warns, never crashes jobrun.
  acquireCrashGuard();
  try {
    const startedAt = process.env.JOBRUN_RUN_STARTED_AT;
    const result = await runJob(job, {
      executor: override,
      ...(resultsPath === undefined ? {} : { resultsPath }),
      ...(options.failFast === true ? { failFast: true } : {}),
      ...(options.services === false ? { skipServices: true } : {}),
      ...(options.resume === true ? { resume: true } : {}),
      ...(process.env.JOBRUN_RUN_ID ? { runId: process.env.JOBRUN_RUN_ID } : {}),
      ...(startedAt ? { startedAt: new Date(startedAt) } : {}),
      onEvent: (event) => reporter.onEvent(mask === null ? event : mask.value(event)),
      ...(reporter.events === undefined ? {} : { events: reporter.events }),
      drainSignal: drain.signal,
      cancelSignal: cancel.signal,
      onNotice: (message) => process.stderr.write(`jobrun: ${message}\n`),
    });
    // Every task ok: a signal that came too late to stop anything does not make the run fail.
    if (result.summary.status === 'ok') return EXIT_OK;
    if (result.interruptedBy !== null) return EXIT_BY_SIGNAL[result.interruptedBy] ?? EXIT_FAILED;
    return EXIT_FAILED;
  } finally {
    // Also when the run rejects (a lock held, broken infrastructure): the terminal gets its cursor back.
    await reporter.close();
    releaseCrashGuard();
    for (const signal of STOP_SIGNALS) process.off(signal, onSignal);
  }
}

interface WorkerCommandOptions {
  connection?: string;
  kind: 'process' | 'thread' | 'coroutine';
  concurrency?: number;
  root?: string;
  lockDuration?: number;
}

/**
 * `jobrun worker`: serves the queues of runs on one Redis until stopped. The first signal stops
 * taking attempts and lets running ones finish; the next stops those too.
 */
async function workerCommand(options: WorkerCommandOptions): Promise<number> {
  const connection = options.connection ?? (process.env.JOBRUN_REDIS_URL || undefined);
  if (connection === undefined) {
    throw new UsageError(
      'jobrun worker needs --connection redis://HOST:PORT (or JOBRUN_REDIS_URL)',
    );
  }
  const [{ startQueueWorker }, { availableParallelism }, { displayUrl }] = await Promise.all([
    import('../src/queue/queue-worker.ts'),
    import('node:os'),
    import('../src/queue/redis-url.ts'),
  ]);
  const log = (line: string): void => {
    process.stdout.write(`jobrun worker: ${line}\n`);
  };
  const concurrency = options.concurrency ?? availableParallelism();
  const worker = await startQueueWorker({
    connection,
    kind: options.kind,
    concurrency,
    ...(options.root === undefined ? {} : { root: resolve(options.root) }),
    ...(options.lockDuration === undefined ? {} : { lockDurationMs: options.lockDuration }),
    log,
  });
  log(`${worker.name} ready on ${displayUrl(connection)}: ${options.kind} ×${concurrency}`);
  let signals = 0;
  const stopped = new Promise<void>((resolveStopped) => {
    const onSignal = (): void => {
      signals++;
      if (signals === 1) log('stopping: running attempts finish, no new one starts');
      else log('stopping now: running attempts are cancelled');
      void worker.stop({ force: signals > 1 }).then(resolveStopped);
    };
    for (const signal of STOP_SIGNALS) process.on(signal, onSignal);
  });
  await stopped;
  log('stopped');
  return EXIT_OK;
}

async function scheduleCommand(
  targets: string[],
  options: { list?: boolean; verbose?: boolean; resume?: boolean },
): Promise<number> {
  const { startScheduler, formatScheduleList } = await import('../src/schedule/index.ts');
  if (options.list === true) {
    process.stdout.write(await formatScheduleList(targets));
    return EXIT_OK;
  }
  const starting = startScheduler(targets, {
    log: (line: string) => process.stdout.write(line + '\n'),
    cliPath: fileURLToPath(import.meta.url),
    isVerbose: options.verbose === true,
    isResumed: options.resume === true,
  });
  // Handlers go in before the scheduler logs its first line: a SIGHUP sent as soon as a job is
  // listed must reload, not kill the scheduler by the signal's default action.
  const afterStart = (act: (scheduler: Awaited<typeof starting>) => Promise<void>) => () =>
    void starting.then(act, () => undefined);
  process.on(
    'SIGHUP',
    afterStart((scheduler) => scheduler.reload()),
  );
  // Every signal is forwarded: the second one tells running jobs to cancel instead of draining.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(
      signal,
      afterStart((scheduler) => scheduler.stop(signal)),
    );
  }
  const scheduler = await starting;
  await scheduler.finished;
  return EXIT_OK;
}

async function reportCommand(resultsFile: string, options: { output?: string }): Promise<number> {
  const { writeReport } = await import('../src/html-report/write-report.ts');
  const { ReportInputError } = await import('../src/html-report/report-input-error.ts');
  try {
    const report = await writeReport({
      resultsPath: resultsFile,
      ...(options.output === undefined ? {} : { outputPath: options.output }),
    });
    const size =
      report.bytes < 1024 * 1024
        ? `${Math.ceil(report.bytes / 1024)} KB`
        : `${(report.bytes / 1024 / 1024).toFixed(1)} MB`;
    const note = report.incomplete === null ? '' : `; incomplete run: ${report.incomplete}`;
    process.stdout.write(`report: ${report.outputPath} (${report.items} items, ${size}${note})\n`);
    return EXIT_OK;
  } catch (error) {
    if (!(error instanceof ReportInputError)) throw error;
    process.stderr.write(`jobrun: ${error.message}\n`);
    return EXIT_USAGE;
  }
}

const EXAMPLES = `
Examples:
  $ jobrun jobs/squares.yaml                      run a job with a live listing
  $ jobrun jobs/crawl.yaml --executor thread      the same job on a thread pool
  $ jobrun jobs/crawl.yaml --dry-run              print the plan, run nothing
  $ jobrun jobs/crawl.yaml --resume               run only what did not succeed last time
  $ jobrun validate jobs/*.yaml                   check job files, report every problem
  $ jobrun jobs/squares.yaml --output json | jq   one JSON event per line
  $ jobrun schedule --list jobs/                  next run times of scheduled jobs
  $ jobrun schema > job.schema.json               the JSON Schema of a job file
  $ jobrun report results/crawl.jsonl             a run as one HTML page (results/crawl.html)
  $ jobrun worker --connection redis://host:6379  run queue executors' attempts here

Exit codes: 0 ok, 1 a task failed, 2 invalid job file or usage,
74 the results file could not be written, 75 another run holds the lock,
129 the terminal hung up (SIGHUP), 130 interrupted (SIGINT), 143 terminated (SIGTERM).
`;

function buildProgram(setExitCode: (code: number) => void): Command {
  const program = new commander.Command('jobrun')
    .description('A declarative job runner: YAML jobs on process, thread or coroutine executors.')
    .version(readVersion(), '-V, --version')
    .exitOverride()
    .showSuggestionAfterError()
    .addHelpText('after', EXAMPLES);

  const run = program
    .command('run', { isDefault: false })
    .description('validate, then run a job (`jobrun FILE` is the same)')
    .argument('<file>', 'the job file')
    .addOption(
      new commander.Option('--executor <kind>', 'run every task on this executor').choices(
        EXECUTOR_KINDS,
      ),
    )
    .option('--max-workers <n>', 'at most N actions at once per executor', parseMaxWorkers)
    .option(
      '--connection <url>',
      'the Redis of queue executors (redis://HOST:PORT); default: JOBRUN_REDIS_URL, else the job file',
    )
    .option('--results <path>', 'write the results file here')
    .option(
      '--var <name=value>',
      'set a var the job declares, as a string (repeatable)',
      collectVar,
    )
    .addOption(
      new commander.Option(
        '--output <mode>',
        'default: live on a terminal, plain otherwise or when CI is set',
      ).choices(OUTPUT_MODES),
    )
    .option('--dry-run', 'validate and print the plan; run nothing')
    .option('--fail-fast', 'the first failed item cancels the run')
    .option('--no-services', "start none of the job's services (they already run elsewhere)")
    .option('--resume', 'run only the items that did not succeed in the last run (by item key)')
    .addHelpText('after', EXAMPLES)
    .action(async (file: string, options: RunCommandOptions) =>
      setExitCode(await runCommand(file, options)),
    );

  program
    .command('validate')
    .description('validate job files and report every problem')
    .argument('<files...>', 'job files')
    .action(async (files: string[]) => setExitCode(await validateCommand(files)));

  program
    .command('schedule')
    .description('run every job that has `schedule:` on its cron schedule until stopped')
    .argument('<targets...>', 'job files or folders of job files')
    .option('--list', "print each job's next 5 run times and exit")
    .option('--verbose', "also log each run's own output, one line per item and task state")
    .option('--resume', 'start every run with --resume: re-run only what did not succeed')
    .action(
      async (targets: string[], options: { list?: boolean; verbose?: boolean; resume?: boolean }) =>
        setExitCode(await scheduleCommand(targets, options)),
    );

  program
    .command('worker')
    .description(
      'run attempts of queue executors, taken from Redis, on a local pool (until stopped)',
    )
    .option(
      '--connection <url>',
      'the Redis to serve, redis://HOST:PORT (default: JOBRUN_REDIS_URL)',
    )
    .addOption(
      new commander.Option('--kind <kind>', 'the local pool that runs attempts')
        .choices(['process', 'thread', 'coroutine'])
        .default('process'),
    )
    .option('--concurrency <n>', 'attempts at once per run (default: the CPU count)', (value) =>
      parsePositive('--concurrency', value),
    )
    .option('--root <dir>', "this machine's copy of the job folder (default: the run's own path)")
    .option(
      '--lock-duration <ms>',
      'an attempt whose worker is silent this long fails WORKER_CRASHED (default: 5000)',
      (value) => parsePositive('--lock-duration', value),
    )
    .action(async (options: WorkerCommandOptions) => setExitCode(await workerCommand(options)));

  program
    .command('report')
    .description('write a run as one self-contained HTML page: timeline, throughput, failures')
    .argument('<results-file>', 'the results file (JSON Lines) of a run')
    .option('-o, --output <file>', 'write the report here (default: beside it, with .html)')
    .action(async (resultsFile: string, options: { output?: string }) =>
      setExitCode(await reportCommand(resultsFile, options)),
    );

  program
    .command('schema')
    .description('print the JSON Schema of a job file')
    .action(() => {
      process.stdout.write(readFileSync(JOB_SCHEMA_PATH, 'utf8'));
      setExitCode(EXIT_OK);
    });

  for (const command of program.commands) command.exitOverride().showSuggestionAfterError();
  listRunOptionsInRootHelp(program, run);
  return program;
}

const RUN_OPTIONS_HEADING = 'Run options (jobrun FILE, same as jobrun run FILE):';

/**
 * `jobrun --help` lists the run options before the commands: `jobrun FILE` is the main use, and
 * a user should not have to know that the options live on a `run` command.
 */
function listRunOptionsInRootHelp(program: Command, run: Command): void {
  const defaults = new commander.Help();
  const runOptions = (helper: Help): Option[] =>
    helper.visibleOptions(run).filter((option) => option.long !== '--help');
  const termOf = (option: Option, helper: Help): string =>
    helper.styleOptionTerm(helper.optionTerm(option));
  program.usage('[run options] <file>\n       jobrun <command> [options]');
  // Set on the root only, after the subcommands copied the root's settings: `jobrun run --help`
  // keeps commander's own layout.
  program.configureHelp({
    padWidth: (command, helper) =>
      Math.max(
        defaults.padWidth(command, helper),
        ...runOptions(helper).map((option) => helper.displayWidth(termOf(option, helper))),
      ),
    formatHelp: (command, helper) => {
      const text = defaults.formatHelp(command, helper);
      const width = helper.padWidth(command, helper);
      const items = runOptions(helper).map((option) =>
        helper.formatItem(
          termOf(option, helper),
          width,
          helper.styleOptionDescription(helper.optionDescription(option)),
          helper,
        ),
      );
      const section = helper.formatItemList(RUN_OPTIONS_HEADING, items, helper).join('\n');
      const at = text.indexOf(`\n${helper.styleTitle('Options:')}\n`) + 1;
      return at === 0 ? `${text}\n${section}` : `${text.slice(0, at)}${section}\n${text.slice(at)}`;
    },
  });
}

async function main(args: string[]): Promise<number> {
  let code = EXIT_OK;
  const program = buildProgram((value) => (code = value));
  try {
    if (args.length === 0) {
      program.outputHelp();
      return EXIT_USAGE;
    }
    await program.parseAsync(withDefaultCommand(args), { from: 'user' });
    return code;
  } catch (error) {
    if (error instanceof commander.CommanderError) {
      // Commander has printed its message; help and version are successes.
      return error.code === 'commander.helpDisplayed' ||
        error.code === 'commander.version' ||
        error.code === 'commander.help'
        ? EXIT_OK
        : EXIT_USAGE;
    }
    if (error instanceof JobValidationError) {
      printProblems(error);
      return EXIT_USAGE;
    }
    if (error instanceof ResultsWriteError) {
      process.stderr.write(`jobrun: ${error.message}\n`);
      return EXIT_CANT_WRITE;
    }
    if (error instanceof LockHeldError) {
      process.stderr.write(`jobrun: ${error.message}\n`);
      return EXIT_LOCKED;
    }
    // A queue's Redis that cannot be used is found before anything runs: a setting to fix.
    const isQueueConnection = error instanceof JobrunError && error.code === 'QUEUE_CONNECTION';
    if (
      error instanceof UsageError ||
      error instanceof UnsafeResultsPathError ||
      isQueueConnection
    ) {
      process.stderr.write(`jobrun: ${error.message}\n`);
      return EXIT_USAGE;
    }
    if (error instanceof JobrunError) {
      process.stderr.write(`jobrun: ${error.message}\n`);
      return EXIT_FAILED;
    }
    process.stderr.write(
      `jobrun: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    return EXIT_FAILED;
  }
}

// A reader that goes away (`jobrun job.yaml | head`) or a terminal that closes ends jobrun's
// output, not its work: what is written to a closed pipe (EPIPE) or a hung-up terminal (EIO) is
// dropped, the run goes on, its results file is completed and the exit code is the run's own.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE' && error.code !== 'EIO') throw error;
  });
}

process.exit(await main(process.argv.slice(2)));
