/**
 * The job's `resources:`, shared by every task of a run: at most `capacity` attempts hold a
 * resource at once. An attempt asks for all the resources it uses in one call and gets all or
 * none, so two attempts can never each hold one of two resources and wait for the other.
 *
 * Requests are served in order per resource: a request waits while an earlier one waits for a
 * resource it also needs, so an attempt needing `db` and `api` is never starved by a stream of
 * attempts needing only `db`; a request sharing nothing with the earlier ones passes them.
 */
export class ResourcePool {
  readonly #free = new Map<string, number>();
  readonly #queue: Array<{ names: readonly string[]; grant: () => void }> = [];

  constructor(capacities: Readonly<Record<string, number>>) {
    for (const [name, capacity] of Object.entries(capacities)) this.#free.set(name, capacity);
  }

  /** Whether a request for `names` would wait now. */
  wouldWait(names: readonly string[]): boolean {
    return !this.#canGrant(names, this.#queue.length);
  }

  /** The first of `names` that a request would wait for now, for the listing. */
  blocking(names: readonly string[]): string | undefined {
    return names.find((name) => (this.#free.get(name) ?? 0) < 1) ?? names[0];
  }

  /** Holds one unit of each of `names`; `false` if `signal` aborted first (nothing is held). */
  acquire(names: readonly string[], signal: AbortSignal): Promise<boolean> {
    if (signal.aborted) return Promise.resolve(false);
    if (this.#canGrant(names, this.#queue.length)) {
      this.#take(names);
      return Promise.resolve(true);
    }
    return new Promise<boolean>((resolve) => {
      const request = {
        names,
        grant: (): void => {
          signal.removeEventListener('abort', onAbort);
          resolve(true);
        },
      };
      const onAbort = (): void => {
        const at = this.#queue.indexOf(request);
        if (at !== -1) this.#queue.splice(at, 1);
        resolve(false);
        this.#serve();
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.#queue.push(request);
    });
  }

  release(names: readonly string[]): void {
    for (const name of names) this.#free.set(name, (this.#free.get(name) ?? 0) + 1);
    this.#serve();
  }

  /** Grants waiting requests in order, each one that no earlier waiting request blocks. */
  #serve(): void {
    for (let at = 0; at < this.#queue.length;) {
      const request = this.#queue[at];
      if (request !== undefined && this.#canGrant(request.names, at)) {
        this.#queue.splice(at, 1);
        this.#take(request.names);
        request.grant();
      } else at++;
    }
  }

  /** Every name has a free unit and no request before position `before` waits for it. */
  #canGrant(names: readonly string[], before: number): boolean {
    for (const name of names) {
      if ((this.#free.get(name) ?? 0) < 1) return false;
      for (let at = 0; at < before; at++) {
        if (this.#queue[at]?.names.includes(name) === true) return false;
      }
    }
    return true;
  }

  #take(names: readonly string[]): void {
    for (const name of names) this.#free.set(name, (this.#free.get(name) ?? 0) - 1);
  }
}
