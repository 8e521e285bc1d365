import type { ItemRecord } from '../results/types.ts';
import { ServiceExitedError } from '../services/service-exited.ts';

/**
 * The record of an item as the reason of its cancellation makes it: an item that was running
 * when a service exited failed because of it (`SERVICE_EXITED`), where an item cancelled by
 * Ctrl-C or fail-fast stays `cancelled`. Items that never started stay `cancelled` either way.
 */
export function withCancelReason(record: ItemRecord, cancelSignal: AbortSignal): ItemRecord {
  const reason: unknown = cancelSignal.reason;
  if (record.status !== 'cancelled' || record.attempts === 0) return record;
  if (!(reason instanceof ServiceExitedError)) return record;
  return {
    ...record,
    status: 'failed',
    error: { message: reason.message, code: 'SERVICE_EXITED' },
  };
}
