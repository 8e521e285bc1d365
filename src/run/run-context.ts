import type { Executor } from '../executors/types.ts';
import type { ExecutorConfig, Job } from '../job/types.ts';
import type { ResultSink } from '../results/jsonl-sink.ts';
import type { ResumeIndex } from '../results/resume-index.ts';
import type { ItemRecord, TaskStatus } from '../results/types.ts';
import type { RunEvent } from './events.ts';

/** What a task contributes to expressions downstream: `tasks.ID.result` and `tasks.ID.status`. */
export interface TaskOutput {
  result?: unknown;
  status?: TaskStatus;
}

/** The state one run shares between its tasks. */
export interface RunContext {
  job: Job;
  runId: string;
  startedAt: string;
  sink: ResultSink;
  emit: (event: RunEvent) => void;
  /** Which per-item events are built at all: only those someone listens to. */
  wants: { itemStarted: boolean | 'waiting'; itemOk: boolean; log: boolean; progress: boolean };
  /** Records of items whose `item-started` was announced: their `item-finished` always comes. */
  announced: WeakSet<ItemRecord>;
  getExecutor: (config: ExecutorConfig) => Promise<Executor>;
  /** Aborted when no new item may start (Ctrl-C once, SIGTERM, fail-fast). */
  stopSignal: AbortSignal;
  /** Aborted when in-flight items are cancelled (Ctrl-C twice, fail-fast, drain timeout). */
  cancelSignal: AbortSignal;
  /** Called when an item fails in a way that fails its task (fail-fast cancels the run). */
  onItemFailed: () => void;
  env: Record<string, string | undefined>;
  /** Outputs of finished tasks, for expressions; filled as tasks finish. */
  outputs: Record<string, TaskOutput>;
  /** Tasks whose `result` some expression reads, so only those keep their item results. */
  referencedResults: ReadonlySet<string>;
  /** The `ok` records of the previous results file (`--resume`), or `null`. */
  resume: ResumeIndex | null;
}
