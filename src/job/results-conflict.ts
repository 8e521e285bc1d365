import { realpathSync, statSync, type Stats } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import picomatch from 'picomatch';
import { formatJobPath, type JobPath } from './issue.ts';
import type { Job } from './types.ts';

/** A file a job reads, or a set of them (a glob), and where the job file names it. */
export type JobInput =
  | { kind: 'job file'; file: string; path: JobPath }
  | { kind: 'lines file' | 'module'; file: string; path: JobPath }
  | { kind: 'glob'; pattern: string; cwd: string; path: JobPath };

/** The files a normalized job reads before or while it runs. */
export function jobInputs(job: Job): JobInput[] {
  const inputs: JobInput[] = [{ kind: 'job file', file: job.file, path: [] }];
  for (const task of job.tasks) {
    const at = ['tasks', task.id];
    if (task.action.type === 'function') {
      inputs.push({ kind: 'module', file: task.action.module.path, path: [...at, 'function'] });
    }
    if (task.callback !== undefined) {
      inputs.push({ kind: 'module', file: task.callback.path, path: [...at, 'callback'] });
    }
    if (task.map?.form === 'lines') {
      inputs.push({ kind: 'lines file', file: task.map.path, path: [...at, 'map', 'lines'] });
    }
    if (task.map?.form === 'glob') {
      const { pattern, cwd } = task.map;
      inputs.push({ kind: 'glob', pattern, cwd, path: [...at, 'map', 'glob'] });
    }
  }
  return inputs;
}

/** The path with every symbolic link resolved, as far as the path exists. */
function realOf(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    try {
      return join(realpathSync(dirname(path)), basename(path));
    } catch {
      return path;
    }
  }
}

function statOf(path: string): Stats | null {
  try {
    return statSync(path);
  } catch {
    return null;
  }
}

function isSameFile(results: string, realResults: string, file: string): boolean {
  if (resolve(file) === results || realOf(file) === realResults) return true;
  // Another name for the same file: a hard link.
  const [a, b] = [statOf(results), statOf(file)];
  return a !== null && b !== null && a.isFile() && a.dev === b.dev && a.ino === b.ino;
}

/** Whether the glob would list the results file, as the run's glob would once the file exists. */
function isGlobMatch(results: string, realResults: string, pattern: string, cwd: string): boolean {
  let isMatch: (path: string) => boolean;
  try {
    isMatch = picomatch(pattern.replace(/^\.\//, ''), { dot: false, posix: true });
  } catch {
    // A pattern picomatch refuses (too long) lists nothing when the run globs either.
    return false;
  }
  const candidates = isAbsolute(pattern)
    ? [results, realResults]
    : [relative(cwd, results), relative(realOf(cwd), realResults)];
  return candidates.some((candidate) => isMatch(candidate));
}

/**
 * The first input the results file at `resultsPath` would replace: the job file, a `lines` file,
 * a task's module, a file a `glob` lists. Compared by real path and by inode, so a symbolic or
 * hard link to an input counts as that input.
 */
export function inputReplacedBy(
  resultsPath: string,
  inputs: readonly JobInput[],
): JobInput | undefined {
  const results = resolve(resultsPath);
  const realResults = realOf(results);
  return inputs.find((input) =>
    input.kind === 'glob'
      ? isGlobMatch(results, realResults, input.pattern, input.cwd)
      : isSameFile(results, realResults, input.file),
  );
}

/**
 * Why the results file at `shownPath` cannot be `input`, and the way out: one line, without the
 * job path prefix.
 */
export function replacedInputMessage(shownPath: string, input: JobInput): string {
  const where = formatJobPath(input.path);
  const fix = 'choose another results path';
  switch (input.kind) {
    case 'job file':
      return `the results file ${shownPath} is the job file itself, which the run would overwrite; ${fix}`;
    case 'lines file':
      return `the results file ${shownPath} is the lines file of ${where}, which the run would empty before reading it; ${fix}`;
    case 'module':
      return `the results file ${shownPath} is the module of ${where}, which the run would overwrite; ${fix}`;
    case 'glob':
      return `the results file ${shownPath} matches ${where} "${input.pattern}", so the run would read its own results as an item; ${fix} or a narrower pattern`;
  }
}
