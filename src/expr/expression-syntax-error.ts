import { JobrunError } from '../errors.ts';

/** A `${{ … }}` expression that is not a plain data path (a call, an operator, an unclosed `${{`). */
export class ExpressionSyntaxError extends JobrunError {
  /** Where the faulty expression starts in the text (the index of its `${{`). */
  readonly offset: number;

  constructor(message: string, offset: number) {
    super('EXPRESSION_SYNTAX', message);
    this.name = 'ExpressionSyntaxError';
    this.offset = offset;
  }
}
