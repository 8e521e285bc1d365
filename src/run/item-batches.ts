import { setImmediate as nextTurn } from 'node:timers/promises';

/**
 * Items admitted per turn of the event loop, at most. Items that finish without I/O (a function
 * that returns a value) settle in promise reactions only, and a map of them would otherwise keep
 * timers, I/O and signal handlers (Ctrl-C, the results file's flush, the live listing) from
 * running until it ends.
 */
export const ITEMS_PER_TURN = 256;

/**
 * Every item source read the one way, as a stream of batches: a list or a range (whose items are
 * there already) `size` items at a time, a stream (a file's lines, a producer's results) one item
 * at a time, as each comes. Batches spare a promise turn per item where the items are at hand.
 */
export async function* batchesOf(
  items: Iterable<unknown> | AsyncIterable<unknown>,
  size: number,
): AsyncGenerator<unknown[], void, undefined> {
  if (Symbol.asyncIterator in items) {
    for await (const item of items) yield [item];
    return;
  }
  let batch: unknown[] = [];
  for (const item of items) {
    batch.push(item);
    if (batch.length >= size) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}

/**
 * Counts the items admitted in the current turn of the event loop and, past `ITEMS_PER_TURN`,
 * waits for the next turn. A run whose items do I/O turns the loop on its own and never waits
 * here; a map of instant items gives timers and signals a turn every `ITEMS_PER_TURN` items.
 */
export class TurnBudget {
  #admitted = 0;
  #isTurnWatched = false;
  readonly #onTurn = (): void => {
    this.#admitted = 0;
    this.#isTurnWatched = false;
  };

  /** Counts `count` more items; resolves once the loop may take the next ones. */
  async spend(count: number): Promise<void> {
    this.#admitted += count;
    if (!this.#isTurnWatched) {
      this.#isTurnWatched = true;
      setImmediate(this.#onTurn);
    }
    if (this.#admitted >= ITEMS_PER_TURN) await nextTurn();
  }
}
