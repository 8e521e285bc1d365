import type { ErrorObject } from 'ajv';
import { describeType, describeValue } from './describe-value.ts';
import type { Issue, JobPath } from './issue.ts';
import { jobSchema } from './schema.ts';
import { didYouMean, listWords } from './suggest.ts';

/** A message made here in place of a group of ajv errors. */
interface Made {
  keyword: '$made';
  instancePath: string;
  schemaPath: string;
  text: string;
}
type Entry = ErrorObject | Made;

const ACTIONS = ['function', 'run', 'http'];
const MAP_KEYS = ['range', 'lines', 'glob', 'from'];
const ENV_NAME =
  'an environment variable name of letters, digits and _, not starting with a digit nor with JOBRUN_ (jobrun sets those)';
const ROOT_KEY_HINTS: Record<string, string> = {
  name: "the job's name, of letters, digits, - and _",
  tasks: 'a mapping of task id to task, at least one',
};

/**
 * Turns ajv's errors into one issue per mistake a person made: `anyOf`/`oneOf` cascades are
 * collapsed into the branch that matches the value's type, or into one "expected …" message.
 */
export function schemaIssues(errors: readonly ErrorObject[], data: unknown): Issue[] {
  // propertyNames reports the failing name twice: once as the inner error, once itself.
  let pending: Entry[] = errors.filter((error) => !('propertyName' in error));
  const combinators = pending
    .filter((error) => error.keyword === 'anyOf' || error.keyword === 'oneOf')
    .sort(
      (a, b) =>
        a.instancePath.length - b.instancePath.length || a.schemaPath.length - b.schemaPath.length,
    );
  for (const combinator of combinators) {
    if (!pending.includes(combinator)) continue;
    const prefix = `${combinator.schemaPath}/`;
    const isChild = (entry: Entry): boolean =>
      entry !== combinator &&
      entry.schemaPath.startsWith(prefix) &&
      (entry.instancePath === combinator.instancePath ||
        entry.instancePath.startsWith(`${combinator.instancePath}/`));
    const children = pending.filter(isChild);
    pending = pending.filter((entry) => entry !== combinator && !isChild(entry));
    pending.push(...resolveCombinator(combinator as ErrorObject, children));
  }
  return pending.map((entry) => toIssue(entry, data));
}

function resolveCombinator(combinator: ErrorObject, children: Entry[]): Entry[] {
  const made = (text: string): Made[] => [
    {
      keyword: '$made',
      instancePath: combinator.instancePath,
      schemaPath: combinator.schemaPath,
      text,
    },
  ];
  const value: unknown = combinator.data;
  if (combinator.parentSchema === jobSchema().$defs.task) return made(describeActions(value));
  const byBranch = new Map<string, Entry[]>();
  for (const child of children) {
    const branch = child.schemaPath.slice(combinator.schemaPath.length + 1).split('/')[0] ?? '';
    byBranch.set(branch, [...(byBranch.get(branch) ?? []), child]);
  }
  const typeMatches = [...byBranch.values()].filter(
    (entries) =>
      !entries.some(
        (entry) => entry.keyword === 'type' && entry.instancePath === combinator.instancePath,
      ),
  );
  if (typeMatches.length === 1 && typeMatches[0] !== undefined) return typeMatches[0];
  const expected = hintFor(combinator.parentSchema) ?? 'one of the allowed forms';
  return made(`expected ${expected}, found ${describeValue(value)}`);
}

function describeActions(task: unknown): string {
  const present = ACTIONS.filter(
    (action) => typeof task === 'object' && task !== null && action in task,
  );
  if (present.length === 0) return 'expected one action: function, run or http; found none';
  return `expected exactly one action, found ${listWords(present)}; split them into separate tasks joined by needs`;
}

function toIssue(entry: Entry, data: unknown): Issue {
  const path = pointerToPath(entry.instancePath, data);
  if ('text' in entry) return { path, at: 'value', text: entry.text };
  const error = entry as ErrorObject;
  const params = error.params as Record<string, unknown>;
  const found = describeValue(error.data);
  const hint = hintFor(error.parentSchema);
  switch (error.keyword) {
    case 'type':
      if (path.length === 0) {
        return {
          path,
          at: 'value',
          text: `expected a mapping with name: and tasks:, found ${found}`,
        };
      }
      return {
        path,
        at: 'value',
        text: `expected ${describeType(String(params.type))}, found ${found}`,
      };
    case 'enum': {
      const allowed = (params.allowedValues as unknown[]).map(String);
      const near = typeof error.data === 'string' ? didYouMean(error.data, allowed) : '';
      return {
        path,
        at: 'value',
        text: `expected one of ${allowed.join(', ')}, found ${found}${near}`,
      };
    }
    case 'additionalProperties': {
      const key = String(params.additionalProperty);
      const allowed = Object.keys((error.parentSchema?.properties as object | undefined) ?? {});
      return {
        path: [...path, key],
        at: 'key',
        text: `unknown key "${key}"; expected one of ${allowed.join(', ')}${didYouMean(key, allowed)}`,
      };
    }
    case 'required': {
      const key = String(params.missingProperty);
      const hint = path.length === 0 ? ROOT_KEY_HINTS[key] : undefined;
      return {
        path,
        at: 'value',
        text: `missing required key "${key}"${hint === undefined ? '' : `: ${hint}`}`,
      };
    }
    case 'propertyNames': {
      const key = String(params.propertyName);
      return {
        path: [...path, key],
        at: 'key',
        text:
          path[path.length - 1] === 'env'
            ? `expected ${ENV_NAME}, found ${JSON.stringify(key)}`
            : `task id ${JSON.stringify(key)} may hold only letters, digits, - and _`,
      };
    }
    case 'pattern':
      return {
        path,
        at: 'value',
        text: `expected ${hint ?? `a string matching ${String(params.pattern)}`}, found ${found}`,
      };
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return {
        path,
        at: 'value',
        text: `expected ${describeType(String(error.parentSchema?.type ?? 'number'))} ${String(params.comparison)} ${String(params.limit)}, found ${found}`,
      };
    case 'minLength':
      return { path, at: 'value', text: `expected a non-empty string, found ${found}` };
    case 'uniqueItems': {
      const list = error.data as unknown[];
      return {
        path,
        at: 'value',
        text: `${describeValue(list[Number(params.j)])} is listed twice; list each once`,
      };
    }
    case 'minProperties':
    case 'maxProperties':
    case 'minItems':
    case 'maxItems':
      return {
        path,
        at: 'value',
        text: `expected ${hint ?? error.message ?? 'another size'}, found ${describeCollection(error.data)}`,
      };
    default:
      return { path, at: 'value', text: error.message ?? `invalid (${error.keyword})` };
  }
}

function describeCollection(value: unknown): string {
  if (Array.isArray(value)) return value.length === 0 ? 'an empty list' : JSON.stringify(value);
  if (typeof value === 'object' && value !== null) {
    const keys = Object.keys(value);
    return keys.length === 0 ? 'an empty mapping' : listWords(keys);
  }
  return describeValue(value);
}

let hints: WeakMap<object, string> | undefined;

/** What a person should write where this part of the schema failed. */
function hintFor(schemaPart: unknown): string | undefined {
  if (hints === undefined) {
    const { properties, $defs } = jobSchema();
    const at = (node: unknown, ...keys: Array<string | number>): object => {
      let current = node as Record<string | number, unknown>;
      for (const key of keys) current = current[key] as Record<string | number, unknown>;
      return current;
    };
    const duration = 'a duration: integer milliseconds or a string like 250ms, 10s, 2m, 1h';
    const range = 'an integer stop, [start, stop] or [start, stop, step]';
    const name = 'a name of letters, digits, - and _';
    hints = new WeakMap<object, string>([
      [at($defs, 'duration'), duration],
      [at($defs, 'duration', 'anyOf', 1), duration],
      [at($defs, 'size'), 'a size: integer bytes or a string like 512KB, 16MB, 1GB'],
      [at($defs, 'size', 'anyOf', 1), 'a size: integer bytes or a string like 512KB, 16MB, 1GB'],
      [
        at($defs, 'map'),
        'a list, { range }, { lines }, { glob }, { from: TASK } or one "${{ … }}" expression',
      ],
      [at($defs, 'map', 'anyOf', 1), 'one "${{ … }}" expression that yields a list'],
      [at($defs, 'map', 'anyOf', 2), `exactly one of ${listWords(MAP_KEYS, 'or')}`],
      [at($defs, 'map', 'anyOf', 2, 'properties', 'range'), range],
      [at($defs, 'map', 'anyOf', 2, 'properties', 'range', 'anyOf', 1), range],
      [
        at($defs, 'moduleRef'),
        'a module path ending in .js, .mjs, .cjs, .ts, .mts or .cts, optionally followed by #exportName',
      ],
      [at($defs, 'taskId'), name],
      [at($defs, 'envName'), ENV_NAME],
      [
        at($defs, 'task', 'properties', 'retries'),
        'an integer >= 0, or a retry policy { limit, delay, backoff, maxDelay, jitter, on }',
      ],
      [at(properties, 'name'), name],
      [at(properties, 'tasks'), 'at least one task'],
      [at($defs, 'serviceReady'), 'exactly one of http, tcp or log'],
    ]);
  }
  return typeof schemaPart === 'object' && schemaPart !== null ? hints.get(schemaPart) : undefined;
}

/** An ajv `instancePath` (JSON Pointer) as a path of keys and list indexes. */
function pointerToPath(pointer: string, data: unknown): JobPath {
  if (pointer === '') return [];
  const path: Array<string | number> = [];
  let current = data;
  for (const raw of pointer.slice(1).split('/')) {
    const key = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    const segment = Array.isArray(current) ? Number(key) : key;
    path.push(segment);
    current =
      typeof current === 'object' && current !== null
        ? (current as Record<string, unknown>)[key]
        : undefined;
  }
  return path;
}
