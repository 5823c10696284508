/**
 * A growable column of numbers in a Float64Array: 8 bytes a value, where a plain array of
 * 300,000 boxed doubles, or the objects of a 300,000-row history, take several times that.
 */
export class NumberColumn {
  private data: Float64Array;
  length = 0;

  /** `capacity`: how many values it holds before it first grows (doubling); the right number saves the copies and the unused half. */
  constructor(capacity = 1024) {
    this.data = new Float64Array(Math.max(1, capacity));
  }

  push(value: number): void {
    if (this.length === this.data.length) {
      const grown = new Float64Array(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    this.data[this.length++] = value;
  }

  /** `count` copies of `value` (a column that appears late is NaN in the rows before it). */
  fill(value: number, count: number): void {
    for (let i = 0; i < count; i++) this.push(value);
  }

  /** Holds `values` themselves from now on (not a copy): a column computed whole (HistoryTable.fromColumns). */
  adopt(values: Float64Array): void {
    [this.data, this.length] = [values, values.length];
  }

  /** Gives back the room made for values that never came (up to half of it, after doubling). */
  trim(): void {
    if (this.data.length > this.length) this.data = this.data.slice(0, this.length);
  }

  /** The values so far, as a view (valid until the next push). */
  get values(): Float64Array {
    return this.data.subarray(0, this.length);
  }
}
