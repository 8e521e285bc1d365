import { resolve } from 'node:path';
import { DEFAULT_EXECUTOR_KIND, DEFAULT_RETRY_DELAY_MS, defaultMaxWorkers } from './defaults.ts';
import { parseDuration } from './duration.ts';
import { isObject, rawFrom, rawNeeds, type RawObject } from './job-data.ts';
import { parseModuleRef } from './module-ref.ts';
import { resolveResultsTemplate } from './results-path.ts';
import { parseSize } from './size.ts';
import type {
  ActionSpec,
  ExecutorConfig,
  ExecutorKind,
  ExecutorSetting,
  Job,
  MapSpec,
  Service,
  RateLimit,
  RetryPolicy,
  Task,
} from './types.ts';

/**
 * The typed `Job` of a validated job file: defaults applied, durations in milliseconds, every
 * relative path resolved against the job file's folder. Only call it on data that passed
 * validation.
 */
export function normalizeJob(data: RawObject, file: string, dir: string): Job {
  const name = String(data.name);
  const vars = isObject(data.vars) ? data.vars : {};
  const tasks = Object.entries(data.tasks as Record<string, RawObject>).map(([id, task]) =>
    normalizeTask(id, task, dir),
  );
  return {
    name,
    ...(typeof data.description === 'string' ? { description: data.description } : {}),
    file,
    dir,
    executor: normalizeExecutor(data.executor as ExecutorSetting | undefined),
    results: resolveResultsTemplate(data.results, name, vars, dir),
    ...(typeof data.schedule === 'string' ? { schedule: data.schedule } : {}),
    ...(typeof data.timezone === 'string' ? { timezone: data.timezone } : {}),
    failFast: data.failFast === true,
    vars,
    ...(isObject(data.env) ? { env: normalizeEnv(data.env) } : {}),
    ...(Array.isArray(data.secrets) ? { secrets: data.secrets.map(String) } : {}),
    services: isObject(data.services) ? normalizeServices(data.services) : [],
    ...(isObject(data.resources) ? { resources: data.resources as Record<string, number> } : {}),
    tasks,
  };
}

/** How long a service may take to become ready when `timeout` is not given. */
export const DEFAULT_SERVICE_TIMEOUT_MS = 30_000;

function normalizeServices(services: RawObject): Service[] {
  return Object.entries(services as Record<string, RawObject>).map(([name, service]) => {
    const ready = service.ready as Record<string, string>;
    return {
      name,
      run: String(service.run),
      ready:
        ready.http !== undefined
          ? { kind: 'http', url: ready.http }
          : ready.tcp !== undefined
            ? { kind: 'tcp', address: ready.tcp }
            : { kind: 'log', text: String(ready.log) },
      timeoutMs: parseDuration(service.timeout) ?? DEFAULT_SERVICE_TIMEOUT_MS,
      env: isObject(service.env) ? normalizeEnv(service.env) : {},
    };
  });
}

function normalizeExecutor(setting: ExecutorSetting | undefined): ExecutorConfig {
  const kind: ExecutorKind = setting?.kind ?? DEFAULT_EXECUTOR_KIND;
  const connection = setting?.connection;
  return {
    kind,
    maxWorkers: setting?.maxWorkers ?? defaultMaxWorkers(kind),
    ...(connection === undefined ? {} : { connection }),
  };
}

function normalizeTask(id: string, task: RawObject, dir: string): Task {
  const from = rawFrom(task);
  const needs = [
    ...new Set([...rawNeeds(task).map(([, need]) => need), ...(from === undefined ? [] : [from])]),
  ];
  const timeoutMs = parseDuration(task.timeout);
  const maxOutputBytes = parseSize(task.maxOutput);
  const hasWith = 'with' in task;
  const retryPolicy = normalizeRetryPolicy(task.retries, task.retryDelay);
  const rate = normalizeRate(task.rate);
  return {
    id,
    action: normalizeAction(task, dir),
    ...(hasWith ? { with: task.with } : {}),
    hasWith,
    ...(task.map === undefined ? {} : { map: normalizeMap(task.map, dir) }),
    needs,
    ...(typeof task.callback === 'string' ? { callback: parseModuleRef(task.callback, dir) } : {}),
    retries: retryPolicy.limit,
    retryDelayMs: retryPolicy.delayMs,
    retryPolicy,
    ...(rate === undefined ? {} : { rate }),
    ...(Array.isArray(task.uses) ? { uses: task.uses.map(String) } : {}),
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
    ...(maxOutputBytes === undefined ? {} : { maxOutputBytes }),
    continueOnError: task.continueOnError === true,
    ...(isObject(task.executor) ? { executor: task.executor } : {}),
    ...(isObject(task.env) ? { env: normalizeEnv(task.env) } : {}),
  };
}

/**
 * The error codes retried when a policy has no `on:`: every code an item can fail with (the
 * schema's list) but CANCELLED, NOT_SERIALIZABLE, OUTPUT_TOO_LARGE and MODULE_MISMATCH (a
 * worker's copy of a module is out of date until someone updates it), which another attempt
 * would only repeat.
 */
export const RETRYABLE_BY_DEFAULT = [
  'TIMEOUT',
  'WORKER_CRASHED',
  'EXIT_CODE',
  'HTTP_STATUS',
  'CALLBACK_FAILED',
  'TASK_ERROR',
  'SERVICE_EXITED',
] as const;

/** `retries: N` or `retries: { … }`, with `retryDelay` as the short form's delay. */
function normalizeRetryPolicy(retries: unknown, retryDelay: unknown): RetryPolicy {
  const delayMs = parseDuration(retryDelay) ?? DEFAULT_RETRY_DELAY_MS;
  const base: RetryPolicy = {
    limit: 0,
    delayMs,
    backoff: 'exponential',
    jitter: false,
    on: RETRYABLE_BY_DEFAULT,
  };
  if (typeof retries === 'number') return { ...base, limit: retries };
  if (!isObject(retries)) return base;
  const maxDelayMs = parseDuration(retries.maxDelay);
  return {
    limit: typeof retries.limit === 'number' ? retries.limit : 0,
    delayMs: parseDuration(retries.delay) ?? delayMs,
    backoff: retries.backoff === 'fixed' ? 'fixed' : 'exponential',
    ...(maxDelayMs === undefined ? {} : { maxDelayMs }),
    jitter: retries.jitter === true,
    on: Array.isArray(retries.on) ? retries.on.map(String) : RETRYABLE_BY_DEFAULT,
  };
}

function normalizeRate(rate: unknown): RateLimit | undefined {
  if (!isObject(rate)) return undefined;
  return { limit: Number(rate.limit), perMs: parseDuration(rate.per) ?? 1000 };
}

/** `env:` values as text: a number or boolean is written as YAML shows it. */
function normalizeEnv(env: RawObject): Record<string, string> {
  return Object.fromEntries(Object.entries(env).map(([name, value]) => [name, String(value)]));
}

function normalizeAction(task: RawObject, dir: string): ActionSpec {
  if (typeof task.function === 'string')
    return { type: 'function', module: parseModuleRef(task.function, dir) };
  if (typeof task.run === 'string') return { type: 'run', command: task.run };
  const http = task.http as RawObject;
  const timeoutMs = parseDuration(http.timeout);
  return {
    type: 'http',
    request: {
      url: String(http.url),
      ...(typeof http.method === 'string' ? { method: http.method } : {}),
      ...(isObject(http.headers) ? { headers: http.headers as Record<string, string> } : {}),
      ...('json' in http ? { json: http.json } : {}),
      ...(typeof http.body === 'string' ? { body: http.body } : {}),
      ...(timeoutMs === undefined ? {} : { timeoutMs }),
      ...(typeof http.followRedirects === 'boolean'
        ? { followRedirects: http.followRedirects }
        : {}),
    },
  };
}

function normalizeMap(map: unknown, dir: string): MapSpec {
  if (Array.isArray(map)) return { form: 'list', items: map };
  if (typeof map === 'string') return { form: 'expression', expression: map };
  const spec = map as RawObject;
  if (typeof spec.lines === 'string') return { form: 'lines', path: resolve(dir, spec.lines) };
  if (typeof spec.glob === 'string') return { form: 'glob', pattern: spec.glob, cwd: dir };
  if (typeof spec.from === 'string') return { form: 'from', task: spec.from };
  const range = Array.isArray(spec.range) ? (spec.range as number[]) : [spec.range as number];
  if (range.length === 1) return { form: 'range', start: 0, stop: range[0] ?? 0, step: 1 };
  return { form: 'range', start: range[0] ?? 0, stop: range[1] ?? 0, step: range[2] ?? 1 };
}
