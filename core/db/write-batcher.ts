/**
 * Writes many callers' rows with one statement. A write starts on the next turn of the event
 * loop after the first caller; whatever callers add while it is in flight goes into the next
 * one. At rest each caller gets a statement of its own, a little later; under load the
 * batches grow with the load, so the database sees one statement where it would see dozens.
 */
export class WriteBatcher<Item, Result> {
  readonly #write: (items: Item[]) => Promise<Result[]>;
  readonly #maxBatch: number;
  #waiting: Array<Pending<Item, Result>> = [];
  #busy = false;

  /** `write` returns one result per item, in their order; a throw fails the whole batch. */
  constructor(write: (items: Item[]) => Promise<Result[]>, maxBatch = 500) {
    this.#write = write;
    this.#maxBatch = maxBatch;
  }

  add(item: Item): Promise<Result> {
    return new Promise<Result>((resolve, reject) => {
      this.#waiting.push({ item, resolve, reject });
      if (this.#busy) return;
      this.#busy = true;
      setImmediate(() => void this.#drain());
    });
  }

  async #drain(): Promise<void> {
    while (this.#waiting.length > 0) {
      const batch = this.#waiting.splice(0, this.#maxBatch);
      try {
        const results = await this.#write(batch.map((pending) => pending.item));
        batch.forEach((pending, index) => pending.resolve(results[index]));
      } catch (error) {
        for (const pending of batch) pending.reject(error);
      }
    }
    this.#busy = false;
  }
}

interface Pending<Item, Result> {
  item: Item;
  resolve(result: Result): void;
  reject(error: unknown): void;
}
