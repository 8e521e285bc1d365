import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';

/**
 * The SHA-256 (hex) of a task module file's bytes: what tells one version of a module from
 * another, wherever the file lies (a resumed run's item keys, a remote worker's copy).
 */
export async function moduleDigest(path: string): Promise<string> {
  return createHash('sha256')
    .update(await readFile(path))
    .digest('hex');
}
