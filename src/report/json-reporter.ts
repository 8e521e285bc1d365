import { waitForFlush, type Reporter, type ReporterOptions } from './types.ts';

/**
 * `--output json`: every `RunEvent` exactly as the engine emitted it, one JSON object per line on
 * stdout, and nothing else (no summary: the `run-finished` event carries it). The shapes are the
 * `RunEvent` union of `src/run/events.ts`:
 *
 * ```text
 * {"type":"run-started","job":"crawl","runId":"…","startedAt":"…","resultsPath":"/…/crawl.jsonl","tasks":[{"id":"fetch","needs":[],"executor":{"kind":"coroutine","maxWorkers":16},"isMap":true,"total":100}]}
 * {"type":"service-state","at":"…","service":"site","state":"ready","readyMs":61.2,"logPath":"/…/crawl.jsonl.site.log"}
 * {"type":"task-state","task":"fetch","state":"running","at":"…"}
 * {"type":"task-total","task":"fetch","total":100}
 * {"type":"item-started","task":"fetch","index":3,"item":"https://…","attempt":1,"worker":"coroutine","at":"…"}
 * {"type":"item-finished","record":{"type":"item","task":"fetch","index":3,…}}
 * {"type":"log","task":"fetch","index":3,"message":"…","at":"…"}
 * {"type":"run-interrupted","signal":"SIGINT","force":false,"at":"…"}
 * {"type":"run-finished","summary":{"type":"summary","status":"ok",…},"resultsPath":"/…/crawl.jsonl"}
 * ```
 */
export function createJsonReporter(options: ReporterOptions): Reporter {
  const { stdout } = options;
  return {
    onEvent(event) {
      stdout.write(`${JSON.stringify(event)}\n`);
    },
    async close() {
      await waitForFlush(stdout);
    },
  };
}
