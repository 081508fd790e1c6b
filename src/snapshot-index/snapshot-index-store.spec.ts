import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SnapshotIndexStore } from './snapshot-index-store';

describe('SnapshotIndexStore names', () => {
  let dir: string;
  let store: SnapshotIndexStore;
  const found = (phrase: string) =>
    store.names({ kind: 'trigram', phrase: `"${phrase}"` }, 0, 10).map((row) => row.name);

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'hen-index-store-'));
    store = new SnapshotIndexStore(join(dir, 'index.db'));
  });
  afterEach(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('makes names searchable once synced, and keeps one id per name', () => {
    const ids = store.transaction(() =>
      ['report.pdf', 'notes.txt', 'report.pdf'].map((n) => store.nameId(n)),
    );
    expect(ids[0]).toBe(ids[2]);
    expect(found('report')).toEqual([]);
    store.transaction(() => store.syncNameSearch());
    expect(found('report')).toEqual(['report.pdf']);
    expect(found('otes')).toEqual(['notes.txt']);
  });

  it('finds a name stored after unused names were collected, though SQLite gives their ids again', () => {
    store.transaction(() => {
      for (const name of ['old-1', 'old-2', 'old-3']) store.nameId(name);
      store.syncNameSearch();
    });
    // no entry uses them: all three go, and the next name gets id 1 again
    store.collectGarbage();
    expect(found('old-2')).toEqual([]);
    const id = store.transaction(() => {
      const added = store.nameId('new-1');
      store.syncNameSearch();
      return added;
    });
    expect(id).toBe(1);
    expect(found('new-1')).toEqual(['new-1']);
  });

  it('forgets memoised ids when a transaction fails, so no id of a rolled-back name is used', () => {
    expect(() =>
      store.transaction(() => {
        store.nameId('ghost');
        throw new Error('stop');
      }),
    ).toThrow('stop');
    const id = store.transaction(() => store.nameId('other'));
    expect(store.transaction(() => store.nameId('ghost'))).not.toBe(id);
  });
});
