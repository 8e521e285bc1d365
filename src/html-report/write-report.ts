import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { PACKAGE_ROOT } from '../paths.ts';
import { errorMessage } from '../util/error-message.ts';
import { RunAggregator } from './aggregate.ts';
import type { ReportStatus } from './model.ts';
import { readResults } from './read-results.ts';
import { renderHtml } from './render-html.ts';
import { ReportInputError } from './report-input-error.ts';

export interface ReportOptions {
  /** The results file (JSON Lines) of a run. */
  resultsPath: string;
  /**
   * Where to write the report.
   * @default the results file's path with `.html` for its extension (`results/crawl.html`)
   */
  outputPath?: string;
}

export interface ReportOutcome {
  outputPath: string;
  bytes: number;
  items: number;
  status: ReportStatus;
  /** Why the run is incomplete, or `null`. */
  incomplete: string | null;
}

/** `results/crawl.jsonl` → `results/crawl.html`. */
function defaultReportPath(resultsPath: string): string {
  const extension = extname(resultsPath);
  const stem = extension === '' ? basename(resultsPath) : basename(resultsPath, extension);
  return join(dirname(resultsPath), `${stem}.html`);
}

function readVersion(): string {
  const pkg = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as {
    version?: string;
  };
  return pkg.version ?? '';
}

/**
 * Reads a results file once, as a stream, and writes its report: one self-contained HTML file.
 * Throws `ReportInputError` for a file that is not a run's results.
 */
export async function writeReport(options: ReportOptions): Promise<ReportOutcome> {
  const resultsPath = resolve(options.resultsPath);
  const outputPath = resolve(options.outputPath ?? defaultReportPath(resultsPath));
  if (outputPath === resultsPath) {
    throw new ReportInputError(
      `${options.resultsPath}: the report would overwrite the results file; choose another with -o`,
    );
  }
  const aggregator = new RunAggregator();
  const { isCutOff } = await readResults(options.resultsPath, (record) => aggregator.add(record));
  if (!aggregator.hasRunRecord) {
    throw new ReportInputError(
      `${options.resultsPath}: not a jobrun results file: it has no "run" record`,
    );
  }
  const data = aggregator.finish(options.resultsPath, isCutOff);
  const html = renderHtml(data, readVersion());
  // Written beside its place and renamed, so a reader never opens half a report.
  const partial = join(dirname(outputPath), `.${basename(outputPath)}.${process.pid}.partial`);
  try {
    writeFileSync(partial, html);
    renameSync(partial, outputPath);
  } catch (error) {
    rmSync(partial, { force: true });
    const code = (error as NodeJS.ErrnoException).code;
    const cause = code === 'ENOENT' ? 'its folder does not exist' : (code ?? errorMessage(error));
    throw new ReportInputError(`${outputPath}: cannot write the report (${cause})`, {
      cause: error,
    });
  }
  return {
    outputPath,
    bytes: Buffer.byteLength(html),
    items: data.counts.items,
    status: data.status,
    incomplete: data.incomplete,
  };
}
