import * as crypto from 'node:crypto';
import { relative, sep } from 'node:path';
import { moduleDigest } from '../actions/module-digest.ts';
import type { ActionRequest, ResolvedAction } from '../actions/types.ts';
import type { Task } from '../job/types.ts';
import { canonicalJson } from '../util/canonical-json.ts';

/** Hex characters of an item key: 128 bits of its SHA-256. */
export const ITEM_KEY_HEX_LENGTH = 32;

/** `crypto.hash` (one call, no Hash object) where this Node has it (20.12 and later). */
const sha256Hex: (text: string) => string =
  typeof (crypto as { hash?: unknown }).hash === 'function'
    ? (text) => crypto.hash('sha256', text, 'hex')
    : (text) => crypto.createHash('sha256').update(text).digest('hex');

/** The part of an action that a key holds: what decides the item's outcome, nothing else. */
export type KeyAction =
  | { type: 'function'; module: string; export: string; digest: string }
  | { type: 'run'; command: string }
  | {
      type: 'http';
      method: string;
      url: string;
      headers?: Record<string, string>;
      json?: unknown;
      body?: string;
    };

/**
 * The key of an item: the SHA-256 of the canonical JSON (keys sorted at every depth) of
 * `[taskId, action, input]`, as hex cut to 32 characters. The README's "Resuming a run" states it
 * for users; keep the two the same.
 */
export function itemKey(taskId: string, action: KeyAction, input: unknown): string {
  return sha256Hex(canonicalJson([taskId, action, input])).slice(0, ITEM_KEY_HEX_LENGTH);
}

/**
 * Keys the items of one task. The text of the task id and of an action that stays the same from
 * item to item (no expression in it) is built once, so a no-op map pays one hash of a short text
 * per item.
 */
export class ItemKeyer {
  readonly #task: Task;
  readonly #taskJson: string;
  /** A function's part of the key: its module's path, export and digest, fixed for the run. */
  readonly #functionAction: KeyAction | null;
  #lastAction: ResolvedAction | null = null;
  /** `[taskId,action,` for `#lastAction`. */
  #prefix = '';

  constructor(task: Task, functionAction: KeyAction | null) {
    this.#task = task;
    this.#taskJson = JSON.stringify(task.id);
    this.#functionAction = functionAction;
  }

  /** The key of the item whose first attempt is `request`. */
  keyOf(request: ActionRequest): string {
    const task = this.#task;
    if (request.action !== this.#lastAction) {
      const action = this.#functionAction ?? keyAction(request.action);
      this.#prefix = `[${this.#taskJson},${canonicalJson(action)},`;
      this.#lastAction = request.action;
    }
    const input =
      task.action.type === 'function' && task.hasWith
        ? request.input
        : task.map === undefined
          ? null
          : request.context.item;
    return sha256Hex(this.#prefix + canonicalJson(input) + ']').slice(0, ITEM_KEY_HEX_LENGTH);
  }
}

/**
 * The keyer of a task in a run: a function's module file is read once here, so that a module
 * edited between two runs re-runs that task's items.
 */
export async function createItemKeyer(task: Task, jobDir: string): Promise<ItemKeyer> {
  const action = task.action;
  if (action.type !== 'function') return new ItemKeyer(task, null);
  return new ItemKeyer(task, {
    type: 'function',
    module: relative(jobDir, action.module.path).split(sep).join('/'),
    export: action.module.exportName,
    digest: await moduleDigest(action.module.path),
  });
}

/** The key's part of a resolved `run` or `http` action (a function's is fixed per task). */
function keyAction(action: ResolvedAction): KeyAction {
  switch (action.type) {
    case 'function':
      throw new Error('a function action is keyed by its task');
    case 'run':
      return { type: 'run', command: action.command };
    case 'http': {
      const { method, url, headers, json, body } = action;
      return { type: 'http', method, url, headers, json, body };
    }
  }
}
