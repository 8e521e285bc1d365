import { UsageError } from '../errors.ts';
import { createJsonReporter } from './json-reporter.ts';
import { createPlainReporter } from './plain-reporter.ts';
import { createQuietReporter } from './quiet-reporter.ts';
import { OUTPUT_MODES, type OutputMode } from './output-mode.ts';
import type { Reporter, ReporterOptions } from './types.ts';

export type { Reporter, ReporterOptions } from './types.ts';

export { OUTPUT_MODES, type OutputMode } from './output-mode.ts';

/**
 * The mode used without `--output`: `live` on a TTY, `plain` when stdout is not a TTY or the `CI`
 * variable is set (to anything but `''`, `0` or `false`), since CI logs keep every redraw.
 *
 * @example defaultOutputMode(process.stdout, process.env) // 'live' in a terminal
 */
export function defaultOutputMode(
  stdout: { isTTY?: boolean },
  env: NodeJS.ProcessEnv = process.env,
): OutputMode {
  const ci = env.CI;
  const isCi = ci !== undefined && ci !== '' && ci !== '0' && ci.toLowerCase() !== 'false';
  return stdout.isTTY === true && !isCi ? 'live' : 'plain';
}

/**
 * The reporter of `mode`, writing to `options.stdout`/`options.stderr`. The live listing's modules
 * are loaded only for `live`.
 *
 * @example
 * const reporter = await createReporter('plain', { stdout: process.stdout, stderr: process.stderr });
 * await runJob(job, { onEvent: (event) => reporter.onEvent(event) });
 * await reporter.close();
 */
export async function createReporter(
  mode: OutputMode,
  options: ReporterOptions,
): Promise<Reporter> {
  switch (mode) {
    case 'live': {
      const { createLiveReporter } = await import('./live-reporter.ts');
      return createLiveReporter(options);
    }
    case 'plain':
      return createPlainReporter(options);
    case 'json':
      return createJsonReporter(options);
    case 'quiet':
      return createQuietReporter(options);
    default:
      throw new UsageError(
        `Expected \`--output\` to be one of ${OUTPUT_MODES.join(', ')}, got \`${String(mode)}\``,
      );
  }
}
