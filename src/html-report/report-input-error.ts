import { JobrunError } from '../errors.ts';

/**
 * A results file the report cannot be made from (missing, unreadable, not JSON Lines, not
 * jobrun's). Its message is one line naming the file and the cause; the CLI exits 2 with it.
 */
export class ReportInputError extends JobrunError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('REPORT_INPUT', message, options);
    this.name = 'ReportInputError';
  }
}
