/** A Float64Array that grows by doubling: a column of numbers per item, 8 bytes each. */
export class FloatColumn {
  #values = new Float64Array(1024);
  #length = 0;

  push(value: number): void {
    if (this.#length === this.#values.length) {
      const larger = new Float64Array(this.#values.length * 2);
      larger.set(this.#values);
      this.#values = larger;
    }
    this.#values[this.#length++] = value;
  }

  get length(): number {
    return this.#length;
  }

  /** The values pushed, as a view (no copy). */
  view(): Float64Array {
    return this.#values.subarray(0, this.#length);
  }
}
