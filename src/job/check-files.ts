import { stat } from 'node:fs/promises';
import { relative, resolve } from 'node:path';
import { errorMessage } from '../util/error-message.ts';
import type { Issue } from './issue.ts';
import { isObject, rawTasks } from './job-data.ts';
import { readModuleExports, type ModuleReading } from './module-exports.ts';
import { parseModuleRef } from './module-ref.ts';
import { inputReplacedBy, replacedInputMessage, type JobInput } from './results-conflict.ts';
import { resolveResultsTemplate } from './results-path.ts';
import { didYouMean, listWords } from './suggest.ts';

const COMMONJS_HINT =
  '; Node names the exports of a CommonJS module only when written as exports.NAME = … or module.exports = { NAME }';
const MODULE_REF = /^[^#]+\.(js|mjs|cjs|ts|mts|cts)(#[A-Za-z_$][A-Za-z0-9_$]*)?$/;

/**
 * Files a job needs before it can run: each `function` and `callback` module with its named
 * export, and each `map: { lines }` file. Paths resolve against the job file's folder.
 */
export async function checkFiles(data: unknown, dir: string): Promise<Issue[]> {
  const issues: Issue[] = [];
  const exportsByFile = new Map<string, Promise<ModuleReading>>();
  const checks: Array<Promise<void>> = [];
  for (const [id, task] of rawTasks(data)) {
    for (const key of ['function', 'callback'] as const) {
      const source = task[key];
      // A malformed reference is the schema's to report.
      if (typeof source !== 'string' || !MODULE_REF.test(source)) continue;
      const ref = parseModuleRef(source, dir);
      const path = ['tasks', id, key];
      checks.push(
        (async () => {
          if (!(await isFile(ref.path))) {
            issues.push({
              path,
              at: 'value',
              text: `module file not found: ${shown(ref.path, dir)} (resolved against the job file's folder ${dir})`,
            });
            return;
          }
          let pending = exportsByFile.get(ref.path);
          if (pending === undefined) {
            pending = readModuleExports(ref.path);
            exportsByFile.set(ref.path, pending);
          }
          let reading: ModuleReading;
          try {
            reading = await pending;
          } catch (error) {
            issues.push({
              path,
              at: 'value',
              text: `cannot read the exports of ${shown(ref.path, dir)}: ${errorMessage(error)}`,
            });
            return;
          }
          if (!reading.isOk) {
            // FILE:LINE:COL of the module itself, which editors and terminals turn into a link.
            const { text, line, column } = reading.problem;
            const place = line === undefined ? '' : `:${line}:${column ?? 1}`;
            issues.push({
              path,
              at: 'value',
              text: `${shown(ref.path, dir)}${place}: ${text}`,
            });
            return;
          }
          const found = reading.exports;
          if (found.names.has(ref.exportName) || !found.isComplete) return;
          const names = [...found.names].sort();
          const listed =
            names.length === 0 ? 'it exports nothing' : `its exports are ${listWords(names)}`;
          issues.push({
            path,
            at: 'value',
            text: `${shown(ref.path, dir)} has no export "${ref.exportName}"; ${listed}${didYouMean(ref.exportName, names)}${found.isCommonJs ? COMMONJS_HINT : ''}`,
          });
        })(),
      );
    }
    if (isObject(task.map) && typeof task.map.lines === 'string') {
      const file = resolve(dir, task.map.lines);
      checks.push(
        isFile(file).then((exists) => {
          if (!exists) {
            issues.push({
              path: ['tasks', id, 'map', 'lines'],
              at: 'value',
              text: `lines file not found: ${shown(file, dir)} (resolved against the job file's folder ${dir})`,
            });
          }
        }),
      );
    }
  }
  await Promise.all(checks);
  return issues;
}

/**
 * The results file is never one of the job's own inputs: the job file, a `lines` file, a task's
 * module, a file its `glob` lists. A path that holds `${{ run.* }}` is known only at run time,
 * where the engine makes the same check.
 */
export function checkResultsFile(data: unknown, file: string, dir: string): Issue[] {
  if (!isObject(data) || typeof data.name !== 'string') return [];
  let resultsPath: string;
  try {
    resultsPath = resolveResultsTemplate(
      data.results,
      data.name,
      isObject(data.vars) ? data.vars : {},
      dir,
    );
  } catch {
    // An expression that does not resolve is reported by the expression checks.
    return [];
  }
  if (resultsPath.includes('${{')) return [];
  const inputs: JobInput[] = [{ kind: 'job file', file: resolve(file), path: [] }];
  for (const [id, task] of rawTasks(data)) {
    for (const key of ['function', 'callback'] as const) {
      const source = task[key];
      if (typeof source !== 'string' || !MODULE_REF.test(source)) continue;
      inputs.push({
        kind: 'module',
        file: parseModuleRef(source, dir).path,
        path: ['tasks', id, key],
      });
    }
    if (!isObject(task.map)) continue;
    const { lines, glob } = task.map;
    if (typeof lines === 'string') {
      inputs.push({
        kind: 'lines file',
        file: resolve(dir, lines),
        path: ['tasks', id, 'map', 'lines'],
      });
    }
    if (typeof glob === 'string') {
      inputs.push({ kind: 'glob', pattern: glob, cwd: dir, path: ['tasks', id, 'map', 'glob'] });
    }
  }
  const input = inputReplacedBy(resultsPath, inputs);
  if (input === undefined) return [];
  // Without `results:`, the default path collides: the input's own key is the place to show.
  const path = 'results' in data ? ['results'] : input.path;
  return [{ path, at: 'value', text: replacedInputMessage(shown(resultsPath, dir), input) }];
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

function shown(path: string, dir: string): string {
  const rel = relative(dir, path);
  return rel.startsWith('..') ? path : `./${rel}`;
}
