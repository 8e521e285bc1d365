/**
 * Safe reads of the raw parsed YAML. The semantic checks run even when the schema found problems
 * (so every problem is reported at once), so they must not trust any shape.
 */

export type RawObject = Record<string, unknown>;

export function isObject(value: unknown): value is RawObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The tasks of a raw job as `[id, task]` pairs, skipping any that are not mappings. */
export function rawTasks(data: unknown): Array<[string, RawObject]> {
  if (!isObject(data) || !isObject(data.tasks)) return [];
  return Object.entries(data.tasks).filter((entry): entry is [string, RawObject] =>
    isObject(entry[1]),
  );
}

/** A task's `needs` entries that are strings, with their list index. */
export function rawNeeds(task: RawObject): Array<[number, string]> {
  if (!Array.isArray(task.needs)) return [];
  const out: Array<[number, string]> = [];
  task.needs.forEach((need, index) => {
    if (typeof need === 'string') out.push([index, need]);
  });
  return out;
}

/** The task a map streams from (`map: { from: ID }`), if any. */
export function rawFrom(task: RawObject): string | undefined {
  return isObject(task.map) && typeof task.map.from === 'string' ? task.map.from : undefined;
}
