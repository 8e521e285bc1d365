import { evaluateValue, toText, type Scope } from '../expr/evaluate.ts';
import { httpUrlProblem, parseTcpAddress, tcpAddressProblem } from '../job/check-services.ts';
import type { Job, Service } from '../job/types.ts';
import type { ServiceRecord, ServiceStatus } from '../results/types.ts';
import { errorMessage } from '../util/error-message.ts';
import { formatDuration } from '../util/format-duration.ts';
import { probe, READY_POLL_MS, type ReadyCheck } from './readiness.ts';
import { ServiceProcess, type ServiceExit } from './service-process.ts';
import { elapsedSince } from '../util/elapsed.ts';

/** Where a service is: the `service-state` events tell each change. */
export type ServiceState = 'starting' | 'ready' | ServiceStatus;

/** A change of a service's state, as the run reports it. */
export interface ServiceStateChange {
  service: string;
  state: ServiceState;
  /** With `ready`: milliseconds from its start. */
  readyMs?: number;
  /** With `failed` and `exited`: what happened, in one line (`exited with code 1 …`). */
  message?: string;
  /** With `failed` and `exited`: its last lines of output, stdout and stderr. */
  lines?: string[];
  /** Its log file. */
  logPath: string;
}

export interface StartServicesOptions {
  /** The results file: each service logs to `<results file>.<name>.log`. */
  resultsPath: string;
  /** For `${{ env.NAME }}` in a service's values. */
  env: Record<string, string | undefined>;
  /** Start none of them (`--no-services`): each is recorded `skipped`. */
  isSkipped?: boolean;
  onState: (change: ServiceStateChange) => void;
}

interface Entry {
  service: Service;
  logPath: string;
  process: ServiceProcess | null;
  status: ServiceStatus | null;
  readyMs: number | null;
}

/** The log file of a service. */
export function serviceLogPath(resultsPath: string, name: string): string {
  return `${resultsPath}.${name}.log`;
}

/**
 * The services of one run: all started at once, waited for until each is ready, watched while
 * the tasks run, and stopped together.
 */
export class ServiceSet {
  readonly #job: Job;
  readonly #entries: Entry[];
  readonly #options: StartServicesOptions;
  #isStopping = false;
  /** Once one service failed to start, the others stop waiting: no task will run. */
  #hasFailed = false;
  #onExit: ((message: string) => void) | null = null;

  constructor(job: Job, options: StartServicesOptions) {
    this.#job = job;
    this.#options = options;
    this.#entries = job.services.map((service) => ({
      service,
      logPath: serviceLogPath(options.resultsPath, service.name),
      process: null,
      status: options.isSkipped === true ? 'skipped' : null,
      readyMs: null,
    }));
  }

  /**
   * Starts every service and waits until each is ready. Resolves with `null` when all are, else
   * with the first failure in one line (the failed service's last lines go out with its
   * `failed` state); the others are then stopped by `stop()`.
   */
  async start(): Promise<string | null> {
    const job = this.#job;
    const scope: Scope = {
      vars: job.vars,
      env: this.#options.env,
      tasks: {},
      job: { name: job.name },
      run: { id: '', startedAt: '' },
    };
    const waiting = this.#entries
      .filter((entry) => entry.status !== 'skipped')
      .map((entry) => this.#startOne(entry, job.dir, scope));
    const failures = await Promise.all(waiting);
    return failures.find((failure) => failure !== null) ?? null;
  }

  /**
   * Called once, with one line, when a service that was ready exits on its own before `stop()`.
   */
  onExit(listener: (message: string) => void): void {
    this.#onExit = listener;
  }

  /** Stops every service still running: SIGTERM to its group, SIGKILL after the grace. */
  async stop(): Promise<void> {
    this.#isStopping = true;
    await Promise.all(
      this.#entries.map(async (entry) => {
        if (entry.process === null) return;
        await entry.process.stop();
        if (entry.status !== null) return;
        entry.status = 'stopped';
        this.#report(entry, 'stopped');
      }),
    );
  }

  /** One record per service, once `stop()` has settled. */
  records(): ServiceRecord[] {
    return this.#entries.map((entry) => ({
      type: 'service',
      name: entry.service.name,
      status: entry.status ?? 'stopped',
      readyMs: entry.readyMs,
      exitCode: entry.process?.exit?.code ?? null,
    }));
  }

  async #startOne(entry: Entry, cwd: string, scope: Scope): Promise<string | null> {
    const { service } = entry;
    const fail = (message: string): string => {
      this.#hasFailed = true;
      entry.status = 'failed';
      const lines = entry.process?.lastLines() ?? [];
      this.#report(entry, 'failed', { message, lines });
      return `service ${service.name}: ${message}`;
    };
    let env: Record<string, string>;
    let check: ReadyCheck;
    try {
      env = Object.fromEntries(
        Object.entries(service.env).map(([name, value]) => [
          name,
          toText(evaluateValue(value, scope)),
        ]),
      );
      check = readyCheck(service, scope);
    } catch (error) {
      return fail(errorMessage(error));
    }
    this.#report(entry, 'starting');
    const startedMs = performance.now();
    let sawLine = false;
    const child = new ServiceProcess({
      command: service.run,
      cwd,
      env,
      logPath: entry.logPath,
      onLine: (line) => {
        if (check.kind === 'log' && line.includes(check.text)) sawLine = true;
      },
    });
    entry.process = child;
    const deadline = startedMs + service.timeoutMs;
    let exit: ServiceExit | null = null;
    void child.exited.then((value) => (exit = value));
    for (;;) {
      if (this.#hasFailed) return null;
      if (exit === null && (check.kind === 'log' ? sawLine : await probe(check))) break;
      if (exit !== null) return fail(`exited ${exitText(exit)} before it was ready`);
      if (performance.now() >= deadline) {
        return fail(`not ready after ${formatDuration(service.timeoutMs)} (${readyText(check)})`);
      }
      await Promise.race([child.exited, sleep(READY_POLL_MS)]);
    }
    entry.readyMs = elapsedSince(startedMs);
    this.#report(entry, 'ready', { readyMs: entry.readyMs });
    void child.exited.then((ended) => this.#exitedOnItsOwn(entry, ended));
    return null;
  }

  #exitedOnItsOwn(entry: Entry, exit: ServiceExit): void {
    if (this.#isStopping || entry.status !== null) return;
    entry.status = 'exited';
    const message = `exited ${exitText(exit)} while tasks ran`;
    this.#report(entry, 'exited', { message, lines: entry.process?.lastLines() ?? [] });
    this.#onExit?.(`service ${entry.service.name} ${message}`);
  }

  #report(
    entry: Entry,
    state: ServiceState,
    extra: { readyMs?: number; message?: string; lines?: string[] } = {},
  ): void {
    this.#options.onState({
      service: entry.service.name,
      state,
      ...extra,
      logPath: entry.logPath,
    });
  }
}

/** A service's readiness check with its values evaluated and checked. */
function readyCheck(service: Service, scope: Scope): ReadyCheck {
  const { ready } = service;
  switch (ready.kind) {
    case 'http': {
      const url = toText(evaluateValue(ready.url, scope));
      const problem = httpUrlProblem(url);
      if (problem !== null) throw new Error(`ready.http: ${problem}`);
      return { kind: 'http', url };
    }
    case 'tcp': {
      const address = toText(evaluateValue(ready.address, scope));
      const parsed = parseTcpAddress(address);
      if (parsed === null) throw new Error(`ready.tcp: ${tcpAddressProblem(address) ?? ''}`);
      return { kind: 'tcp', ...parsed };
    }
    case 'log':
      return { kind: 'log', text: toText(evaluateValue(ready.text, scope)) };
  }
}

function readyText(check: ReadyCheck): string {
  if (check.kind === 'http') return `no HTTP answer from ${check.url}`;
  if (check.kind === 'tcp') return `no connection to ${check.host}:${check.port}`;
  return `no line of its output contains ${JSON.stringify(check.text)}`;
}

function exitText(exit: ServiceExit): string {
  return exit.code === null ? `on ${exit.signal ?? 'an error'}` : `with code ${exit.code}`;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
