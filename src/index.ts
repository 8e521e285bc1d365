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
// What a task module's functions and callbacks receive: `import type { TaskContext } from 'jobrun'`.
export type { TaskContext } from './actions/action-context.ts';
export type { HttpResult } from './actions/http-action.ts';
/** The result of a `run` action (`RunResult` is `runJob`'s). */
export type { CommandResult } from './actions/run-action.ts';
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
