import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * `mkdir -p`, failing with the true cause: Node's recursive `mkdirSync` reports `ENOENT` when a
 * missing folder cannot be created on a read-only file system, so the first missing one is
 * created alone to learn why (`EROFS`, `EACCES`).
 */
export function createFolder(folder: string): void {
  try {
    mkdirSync(folder, { recursive: true });
  } catch (error) {
    let missing = folder;
    while (dirname(missing) !== missing && !existsSync(dirname(missing)))
      missing = dirname(missing);
    // Throws the true cause; when it succeeds after all, the original error stands.
    mkdirSync(missing);
    throw error;
  }
}
