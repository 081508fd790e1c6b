/**
 * A Map emptied when the event loop turns (setImmediate after the first entry), for what must
 * not outlive the synchronous step that made it.
 */
export class TurnMap<K, V> {
  private entries = new Map<K, V>();
  private clearing = false;

  get(key: K): V | undefined {
    return this.entries.get(key);
  }

  set(key: K, value: V): void {
    this.entries.set(key, value);
    if (this.clearing) return;
    this.clearing = true;
    setImmediate(() => {
      this.clearing = false;
      this.entries = new Map();
    });
  }

  delete(key: K): void {
    this.entries.delete(key);
  }
}
