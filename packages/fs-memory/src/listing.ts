// A directory's readdir entries, encoded, back to back in cookie order: a reply is then one
// slice of it whatever its length, found by binary search and copied once, with no work per
// entry. Entries added later are appended; a removal makes the directory build a new one.
export class Listing {
  #bytes = new Uint8Array(4096);
  #used = 0;
  readonly #cookies: number[] = [];
  readonly #starts: number[] = [0]; // where entry i begins; the last one is the end

  append(cookie: number, encoded: Uint8Array): void {
    if (this.#used + encoded.length > this.#bytes.length) {
      const grown = new Uint8Array(Math.max(2 * this.#bytes.length, this.#used + encoded.length));
      grown.set(this.#bytes.subarray(0, this.#used));
      this.#bytes = grown;
    }
    this.#bytes.set(encoded, this.#used);
    this.#used += encoded.length;
    this.#cookies.push(cookie);
    this.#starts.push(this.#used);
  }

  /** The entries after `cookie`, as many whole ones as fit in `room` bytes (maybe none). */
  after(cookie: number, room: number): Uint8Array {
    const start = this.#starts[upperBound(this.#cookies, cookie)]!;
    const end = this.#starts[upperBound(this.#starts, start + room) - 1]!;
    return this.#bytes.subarray(start, end);
  }
}

// The index of the first item greater than `value` in an ascending list.
function upperBound(list: number[], value: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid]! <= value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
