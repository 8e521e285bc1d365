/** jobrun's library entry: the same engine the CLI uses. */
export { loadJob, validateJob, type LoadJobOptions } from './job/load.ts';
export { runJob, type RunJobOptions, type RunResult } from './run/run-job.ts';
export { planJob, type PlannedTask } from './plan/plan-job.ts';
export type {
  RunEvent,
  RunEventListener,
  RunEventSelection,
  TaskInfo,
  TaskState,
} from './run/events.ts';
export type * from './job/types.ts';
export type * from './results/types.ts';
export { EXECUTOR_KINDS } from './job/types.ts';
export {
  JobrunError,
  JobValidationError,
  LockHeldError,
  ResultsWriteError,
  UnsafeResultsPathError,
  UsageError,
  formatProblem,
  type Problem,
} from './errors.ts';
