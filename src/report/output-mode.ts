/** The values of `--output`. Kept apart from the reporters so the CLI can check the option cheaply. */
export const OUTPUT_MODES = ['live', 'plain', 'json', 'quiet'] as const;

/**
 * How a run is shown:
 * - `live`: a row per task (progress, rate, ETA) redrawn in place (for a terminal), then the
 *   summary;
 * - `plain`: one timestamped line per task state change, finished item and log message, a
 *   progress line per running task every 10 s, then the summary; no escape codes;
 * - `json`: every `RunEvent` as one JSON object per line on stdout, nothing else;
 * - `quiet`: nothing on success; on failure the grouped errors on stderr and the summary on stdout.
 */
export type OutputMode = (typeof OUTPUT_MODES)[number];
