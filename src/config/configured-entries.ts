/** A name the configuration does not hold; the API answers NOT_FOUND. */
export class UnknownNameError extends Error {
  readonly code = 'NOT_FOUND';
  constructor(kind: string, name: string) {
    super(`no ${kind} named "${name.slice(0, 100)}"`);
  }
}

/**
 * The entries of one named section of the configuration in force (backups, repositories), read
 * at each call so that a reload shows at once. `get` throws the section's UnknownNameError.
 */
export abstract class ConfiguredEntries<T> {
  protected abstract entries(): Record<string, T>;
  protected abstract unknown(name: string): UnknownNameError;

  list(): T[] {
    return Object.values(this.entries());
  }

  find(name: string): T | undefined {
    const entries = this.entries();
    return Object.hasOwn(entries, name) ? entries[name] : undefined;
  }

  get(name: string): T {
    const entry = this.find(name);
    if (entry === undefined) throw this.unknown(name);
    return entry;
  }
}
