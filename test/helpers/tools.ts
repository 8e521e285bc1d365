import { spawnSync } from 'node:child_process';
import { test, type TestContext } from 'node:test';

/**
 * The reason to print when `tool` (a program the tests run, which the README's Development
 * section lists) cannot be started from the PATH, else `false`: `test(name, { skip: … }, fn)`.
 */
export function missingTool(tool: string, need: string): string | false {
  const probe = spawnSync(tool, ['-V'], { stdio: 'ignore' });
  return probe.error === undefined ? false : `${tool} is not installed: ${need}`;
}

/**
 * node:test's `test` for a file whose every test runs `tool`: without it, each is skipped with
 * the reason printed.
 */
export function testsNeeding(
  tool: string,
  need: string,
): (name: string, fn: (context: TestContext) => Promise<void>) => void {
  const skip = missingTool(tool, need);
  return (name, fn) => void test(name, { skip }, fn);
}
