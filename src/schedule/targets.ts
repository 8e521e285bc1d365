import { readdir, stat } from 'node:fs/promises';
import { extname, join, resolve } from 'node:path';
import { describeFileError, type Problem } from '../errors.ts';

const JOB_FILE_EXTENSIONS = new Set(['.yaml', '.yml']);

/** The job files named by `jobrun schedule` targets, and the targets that could not be read. */
export interface ExpandedTargets {
  /** Absolute paths, in target order; a folder's files sorted by name. No duplicates. */
  files: string[];
  problems: Problem[];
}

/**
 * Turns files and folders into job files: a folder contributes its `*.yaml`/`*.yml` files (not
 * recursive, sorted), a file is taken as it is. Re-run on every reload, so a file added to a
 * watched folder is picked up by `SIGHUP`.
 *
 * @example
 * await expandTargets(['jobs/', 'extra/nightly.yaml']);
 * //=> { files: ['/abs/jobs/a.yaml', '/abs/jobs/b.yml', '/abs/extra/nightly.yaml'], problems: [] }
 */
export async function expandTargets(targets: readonly string[]): Promise<ExpandedTargets> {
  const files: string[] = [];
  const problems: Problem[] = [];
  for (const target of targets) {
    const path = resolve(target);
    try {
      const info = await stat(path);
      if (info.isDirectory()) {
        const names = (await readdir(path, { withFileTypes: true }))
          .filter((entry) => !entry.isDirectory() && JOB_FILE_EXTENSIONS.has(extname(entry.name)))
          .map((entry) => entry.name)
          .sort();
        files.push(...names.map((name) => join(path, name)));
      } else {
        files.push(path);
      }
    } catch (error) {
      problems.push({
        file: target,
        line: 0,
        col: 0,
        path: '',
        message: `expected a job file or a folder of job files, got an unreadable path: ${describeFileError(error)}`,
      });
    }
  }
  return { files: [...new Set(files)], problems };
}
