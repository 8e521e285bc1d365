import { formatErrorGroups, formatSummaryTable } from './summary.ts';
import { RunTally } from './run-tally.ts';
import { waitForFlush, type Reporter, type ReporterOptions } from './types.ts';

/**
 * `--output quiet`, for cron: nothing at all when every task is ok. Otherwise, once the run has
 * finished, the grouped errors go to stderr and the summary table (with the results path) to
 * stdout, so cron mails the problem and a wrapper script can still read the summary.
 */
export function createQuietReporter(options: ReporterOptions): Reporter {
  const { stdout, stderr } = options;
  const tally = new RunTally();
  return {
    // Failures and the summary only: an ok item costs the engine no event at all.
    events: { itemStarted: false, itemOk: false, log: false },
    onEvent(event) {
      tally.apply(event);
      if (event.type !== 'run-finished' || event.summary.status === 'ok') return;
      const errors = formatErrorGroups(tally);
      if (tally.interrupted !== null) {
        errors.unshift(`run interrupted by ${tally.interrupted.signal}`);
      }
      if (errors.length > 0) stderr.write(`${errors.join('\n')}\n`);
      stdout.write(`${formatSummaryTable(tally).join('\n')}\n`);
    },
    async close() {
      await Promise.all([waitForFlush(stdout), waitForFlush(stderr)]);
    },
  };
}
