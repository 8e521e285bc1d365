// The entry `cmd/jobrun.ts` imports lazily for `jobrun schedule`, so croner loads only there.
export { formatScheduleList, type ScheduleListOptions } from './list.ts';
export {
  DEFAULT_STOP_GRACE_MS,
  startScheduler,
  type Scheduler,
  type SchedulerOptions,
} from './scheduler.ts';
