import { JobrunError } from '../errors.ts';

/**
 * The reason a run is cancelled when one of its services exits while tasks run: the items it
 * cancels in flight are recorded failed with `SERVICE_EXITED` and this message.
 */
export class ServiceExitedError extends JobrunError {
  constructor(message: string) {
    super('SERVICE_EXITED', message);
    this.name = 'ServiceExitedError';
  }
}
