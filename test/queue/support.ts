import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeJobFile } from '../helpers/files.ts';
import type { LocalRedis } from '../helpers/redis.ts';
import type { JsonRecord } from '../helpers/results.ts';

/** Task functions of the queue tests, written into each job folder. */
export const TASKS_JS = `import { appendFileSync, existsSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

/** Notes each start in input.marker, then runs until the file input.release exists. */
export async function holdUntil(input, ctx) {
  appendFileSync(input.marker, ctx.attempt + '\\n');
  while (!existsSync(input.release)) await sleep(20, undefined, { signal: ctx.signal });
  return 'released';
}

export function echo(input) {
  return input;
}
`;

/** Writes tasks.js and the job file NAME.yaml (`name: NAME` then `body`) into `dir`. */
export function writeQueueJob(dir: string, name: string, body: string): string {
  writeFileSync(join(dir, 'tasks.js'), TASKS_JS);
  return writeJobFile(dir, name, body);
}

/** Every key of the Redis, as `redis-cli --scan` lists them. */
export function redisKeys(redis: LocalRedis): string[] {
  const scan = spawnSync('redis-cli', ['-p', String(redis.port), '--scan'], { encoding: 'utf8' });
  return scan.stdout.split('\n').filter((key) => key !== '');
}

/** The run id of a results file's run record. */
export function runIdOf(records: JsonRecord[]): string {
  return String(records.find((record) => record.type === 'run')?.runId);
}
