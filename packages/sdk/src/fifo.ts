/**
 * A growable ring buffer: O(1) push and shift at both ends, so dropping the oldest of a full
 * queue costs the same as adding to it (an array's `shift()` is O(n) on large arrays).
 */
export class Fifo<T> {
  private buf: (T | undefined)[] = new Array(16);
  private head = 0;
  private size = 0;

  get length(): number {
    return this.size;
  }

  push(value: T): void {
    if (this.size === this.buf.length) this.grow();
    this.buf[(this.head + this.size) & (this.buf.length - 1)] = value;
    this.size += 1;
  }

  /** Puts a value back in front (a batch returned to the queue). */
  unshift(value: T): void {
    if (this.size === this.buf.length) this.grow();
    this.head = (this.head - 1) & (this.buf.length - 1);
    this.buf[this.head] = value;
    this.size += 1;
  }

  shift(): T | undefined {
    if (this.size === 0) return undefined;
    const value = this.buf[this.head];
    this.buf[this.head] = undefined;
    this.head = (this.head + 1) & (this.buf.length - 1);
    this.size -= 1;
    return value;
  }

  peek(): T | undefined {
    return this.size === 0 ? undefined : this.buf[this.head];
  }

  /** Keeps the values `keep` accepts, in order; returns how many it removed. O(n). */
  retain(keep: (value: T) => boolean): number {
    const before = this.size;
    const kept: T[] = [];
    for (let v = this.shift(); v !== undefined; v = this.shift()) if (keep(v)) kept.push(v);
    for (const v of kept) this.push(v);
    return before - kept.length;
  }

  clear(): void {
    this.buf = new Array(16);
    this.head = 0;
    this.size = 0;
  }

  private grow(): void {
    const next: (T | undefined)[] = new Array(this.buf.length * 2);
    for (let i = 0; i < this.size; i++) next[i] = this.buf[(this.head + i) & (this.buf.length - 1)];
    this.buf = next;
    this.head = 0;
  }
}
