import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import '../helpers/built.ts';
import { tempDir } from '../helpers/files.ts';

// A TypeScript task module in a user's own folder imports jobrun's types by the package name, as
// it does once jobrun is installed there (or linked): the built package's declarations are what
// it sees. `npm test` builds first.

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
const folder = tempDir('types');

const TASK_MODULE = `import type { CommandResult, HttpResult, ItemRecord, TaskContext } from 'jobrun';

export async function fetchTwice(url: string, ctx: TaskContext): Promise<number> {
  ctx.log(\`\${ctx.job}/\${ctx.task} #\${ctx.index ?? '-'} attempt \${ctx.attempt} on \${ctx.workerId}\`);
  const response = await fetch(url, { signal: ctx.signal });
  // @ts-expect-error attempt is a number: the types are real, not \`any\`
  const attempt: string = ctx.attempt;
  void attempt;
  return response.status;
}

export function onPage(page: HttpResult, ctx: TaskContext): { url: string; size: number } {
  void ctx.item;
  return { url: page.url, size: page.size };
}

export function onCommand(result: CommandResult): number {
  return result.exitCode + result.stdout.length + result.stderr.length;
}

export function failures(records: ItemRecord[]): string[] {
  // @ts-expect-error status is 'ok' | 'failed' | 'skipped' | 'cancelled'
  records.filter((record) => record.status === 'error');
  return records.flatMap((record) => (record.error === null ? [] : [record.error.code]));
}
`;

describe('the types a task module needs', () => {
  test("import type { TaskContext, ItemRecord, … } from 'jobrun' type-checks, as do the examples", async () => {
    const modules = join(folder, 'node_modules');
    mkdirSync(modules);
    symlinkSync(ROOT, join(modules, 'jobrun'), 'dir');
    symlinkSync(join(ROOT, 'node_modules', '@types'), join(modules, '@types'), 'dir');
    writeFileSync(join(folder, 'package.json'), '{ "type": "module" }\n');
    writeFileSync(
      join(folder, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          lib: ['ES2023'],
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          types: ['node'],
          strict: true,
          noEmit: true,
          skipLibCheck: true,
        },
        include: ['*.ts', 'tasks/*.ts'],
      }),
    );
    writeFileSync(join(folder, 'task.ts'), TASK_MODULE);
    cpSync(join(ROOT, 'jobs', 'tasks'), join(folder, 'tasks'), { recursive: true });

    const check = await promisify(execFile)(process.execPath, [TSC, '-p', folder], {
      cwd: folder,
    }).then(
      () => ({ code: 0, output: '' }),
      (error: { code: number; stdout: string; stderr: string }) => ({
        code: error.code,
        output: error.stdout + error.stderr,
      }),
    );
    assert.equal(check.code, 0, check.output);
  });
});
