import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, type TestContext } from 'node:test';

/**
 * A new empty folder `jobrun-NAME-…` in the system's temporary folder, outside the repository,
 * removed once `t` ends, or once the test file ends when there is no `t`.
 */
export function tempDir(name: string, t?: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), `jobrun-${name}-`));
  const remove = (): void => rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
  if (t === undefined) after(remove);
  else t.after(remove);
  return dir;
}

/** Writes the job file `DIR/NAME.yaml`: `name: NAME`, then `body`. Returns its path. */
export function writeJobFile(dir: string, name: string, body: string | Buffer): string {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, Buffer.concat([Buffer.from(`name: ${name}\n`), Buffer.from(body)]));
  return file;
}
