import Database from 'better-sqlite3';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { INDEX_SCHEMA, INDEX_SCHEMA_VERSION } from './index-schema';

/** One entry of an indexed folder, as stored. */
export interface IndexedEntry {
  name: string;
  type: string;
  size: number;
  mtime: string;
  mode: number;
  /** for a folder: its content hash */
  child: Buffer | null;
}

/** A folder's entry with the totals of the folder it names (for folders). */
export interface IndexedEntryRow extends IndexedEntry {
  pos: number;
  totalSize: number | null;
  fileCount: number | null;
}

export interface FolderTotals {
  totalSize: number;
  fileCount: number;
  entryCount: number;
}

export interface IndexedSnapshotRow {
  rowId: number;
  repository: string;
  snapshotId: string;
  backup: string | null;
  time: string;
  /** the snapshot as `restic snapshots --json` described it (JSON of a ResticSnapshot) */
  meta: string;
  /** null once evicted by the size ceiling: the snapshot is known but browsed through restic */
  root: Buffer | null;
  totalSize: number;
  fileCount: number;
  entryCount: number;
  indexBytes: number;
  indexedAt: string;
  usedAt: string;
}

export interface NewSnapshotRow {
  repository: string;
  snapshotId: string;
  backup: string | null;
  time: string;
  meta: string;
  root: Buffer;
  totals: FolderTotals;
  entryCount: number;
  indexBytes: number;
  at: string;
}

/** An entry named by a name the search matched, with the folder holding it. */
export interface NamedEntryRow {
  folder: Buffer;
  nameId: number;
  name: string;
  type: string;
  size: number;
  mtime: string;
  mode: number;
}

export type NameMatch =
  | { kind: 'all' }
  | { kind: 'trigram'; phrase: string }
  | { kind: 'like'; pattern: string }
  | { kind: 'glob'; pattern: string; trigram?: string };

/**
 * SQLite's answers for a file that is not a database, or a damaged one; also a file that cannot
 * be opened, which the indexing thread (it opens the file by name) meets when it was deleted.
 */
export const isCorruption = (error: unknown): boolean => {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^SQLITE_(NOTADB|CORRUPT|CANTOPEN)/.test(code);
};

/** SQLite's page cache of the indexing thread's connection (the daemon's own has 16 MB). */
const BUILDER_CACHE_KIB = 8000;
/**
 * WAL pages after which the indexing thread's connection copies them into the file (SQLite's
 * default is 1,000). A first snapshot writes every folder once but the pages of the tables'
 * upper levels and of the name index again and again; each checkpoint copied them anew.
 * Neither this connection's writes nor its checkpoints wait for the disk (synchronous OFF):
 * the index is a cache, and a file damaged by a crash of the machine is rebuilt at start.
 */
const BUILDER_CHECKPOINT_PAGES = 16_000;
/** Name ids memoised while indexing: about 100 bytes each, so at most a few MB. */
const NAME_MEMO_SIZE = 50_000;

const SNAPSHOT_COLUMNS = `id AS rowId, repository, snapshot_id AS snapshotId, backup, time, meta, root,
  total_size AS totalSize, file_count AS fileCount, entry_count AS entryCount,
  index_bytes AS indexBytes, indexed_at AS indexedAt, used_at AS usedAt`;

/**
 * Every SQL statement of the snapshot index, on its own SQLite file in the data folder (apart
 * from the state database: it can be deleted or rebuilt at any time without losing anything
 * restic does not hold). A file that is not a database, or a damaged one, is moved aside and
 * started again: the index is a cache, never a reason not to start.
 */
export class SnapshotIndexStore {
  private db!: Database.Database;
  private statements = new Map<string, Database.Statement>();
  private readonly nameIds = new Map<string, number>();

  constructor(
    readonly file: string,
    private readonly onReset: (reason: string) => void = () => undefined,
    /** for the indexing thread: the file as the daemon opened and checked it, no reset */
    attach = false,
  ) {
    if (attach) {
      this.db = new Database(file, { fileMustExist: true });
      this.db.pragma('synchronous = OFF');
      this.db.pragma(`wal_autocheckpoint = ${BUILDER_CHECKPOINT_PAGES}`);
      this.db.pragma(`cache_size = -${BUILDER_CACHE_KIB}`);
      return;
    }
    mkdirSync(dirname(file), { recursive: true });
    try {
      this.db = this.open();
    } catch (error) {
      this.db = this.reset(error);
    }
  }

  /**
   * A second connection to an index file the daemon has open, for the thread that writes a
   * snapshot's folders while the daemon keeps reading (WAL: readers never wait for it).
   */
  static forBuilder(file: string): SnapshotIndexStore {
    return new SnapshotIndexStore(file, undefined, true);
  }

  private open(): Database.Database {
    const fresh = !existsSync(this.file);
    const db = new Database(this.file);
    try {
      // before the first table: lets freed pages be given back after eviction and forgets
      if (fresh) db.pragma('auto_vacuum = INCREMENTAL');
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      db.pragma('cache_size = -16000');
      const version = db.pragma('user_version', { simple: true }) as number;
      if (version !== 0 && version !== INDEX_SCHEMA_VERSION) {
        throw Object.assign(
          new Error(`index schema ${version}, this daemon's is ${INDEX_SCHEMA_VERSION}`),
          { code: 'SQLITE_CORRUPT_VERSION' },
        );
      }
      if (!fresh && db.pragma('quick_check(1)', { simple: true }) !== 'ok') {
        throw Object.assign(new Error('quick_check failed'), { code: 'SQLITE_CORRUPT' });
      }
      db.exec(INDEX_SCHEMA);
      db.pragma(`user_version = ${INDEX_SCHEMA_VERSION}`);
      return db;
    } catch (error) {
      db.close();
      throw error;
    }
  }

  /** Moves a damaged file aside (one copy kept, for a post-mortem) and starts an empty index. */
  reset(error: unknown): Database.Database {
    if (this.db?.open) this.db.close();
    this.statements = new Map();
    this.nameIds?.clear();
    for (const suffix of ['-wal', '-shm']) rmSync(`${this.file}${suffix}`, { force: true });
    if (existsSync(this.file)) renameSync(this.file, `${this.file}.damaged`);
    this.onReset(`${(error as Error)?.message ?? String(error)}`);
    this.db = this.open();
    return this.db;
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  private prepare(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  /** Runs `work` in one transaction; a failed one also forgets the name ids it may have memoised. */
  transaction<T>(work: () => T): T {
    try {
      return this.db.transaction(work)();
    } catch (error) {
      this.nameIds.clear();
      throw error;
    }
  }

  /** Bytes the index takes in its file (pages in use; freed pages are not counted). */
  sizeBytes(): number {
    const pages = this.db.pragma('page_count', { simple: true }) as number;
    const free = this.db.pragma('freelist_count', { simple: true }) as number;
    const pageSize = this.db.pragma('page_size', { simple: true }) as number;
    return (pages - free) * pageSize;
  }

  /** Gives freed pages back to the file system, and empties the write-ahead log. */
  compact(): void {
    this.db.pragma('incremental_vacuum');
    this.db.pragma('wal_checkpoint(TRUNCATE)');
  }

  // --- writing folders ---------------------------------------------------------------------

  /**
   * The id of a name, stored when new. Names recur (the same file in every folder of a tree, the
   * same folders in every snapshot): a bounded memo of recent ones saves most lookups.
   */
  nameId(name: string): number {
    const known = this.nameIds.get(name);
    if (known !== undefined) return known;
    // one statement for a new name, the most frequent case when a snapshot is indexed
    const added = this.prepare('INSERT OR IGNORE INTO names (name) VALUES (?)').run(name);
    const id =
      added.changes === 1
        ? Number(added.lastInsertRowid)
        : (this.prepare('SELECT id FROM names WHERE name = ?').get(name) as { id: number }).id;
    if (this.nameIds.size >= NAME_MEMO_SIZE) this.nameIds.clear();
    this.nameIds.set(name, id);
    return id;
  }

  /** Adds the names stored since the last call to the trigram index, in one statement. */
  syncNameSearch(): void {
    this.prepare(
      `INSERT INTO names_fts (rowid, name)
       SELECT id, name FROM names WHERE id > (SELECT id FROM names_fts_synced)`,
    ).run();
    this.prepare('UPDATE names_fts_synced SET id = (SELECT coalesce(max(id), 0) FROM names)').run();
  }

  /** Stores a folder and its entries (sorted), unless a folder with that hash is stored already. */
  putFolder(hash: Buffer, totals: FolderTotals, entries: readonly IndexedEntry[]): boolean {
    const added = this.prepare(
      `INSERT OR IGNORE INTO folders (hash, total_size, file_count, entry_count) VALUES (?, ?, ?, ?)`,
    ).run(hash, totals.totalSize, totals.fileCount, totals.entryCount);
    if (added.changes === 0) return false;
    const insert = this.prepare(
      `INSERT INTO entries (folder, pos, name_id, type, size, mtime, mode, child)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    entries.forEach((entry, pos) => {
      insert.run(
        hash,
        pos,
        this.nameId(entry.name),
        entry.type,
        entry.size,
        entry.mtime,
        entry.mode,
        entry.child,
      );
    });
    return true;
  }

  // --- snapshots ---------------------------------------------------------------------------

  addSnapshot(row: NewSnapshotRow): void {
    this.prepare(
      `INSERT INTO snapshots (repository, snapshot_id, backup, time, meta, root, total_size,
         file_count, entry_count, index_bytes, indexed_at, used_at)
       VALUES (@repository, @snapshotId, @backup, @time, @meta, @root, @totalSize, @fileCount,
         @entryCount, @indexBytes, @at, @at)
       ON CONFLICT (repository, snapshot_id) DO UPDATE SET root = excluded.root,
         total_size = excluded.total_size, file_count = excluded.file_count,
         entry_count = excluded.entry_count, index_bytes = excluded.index_bytes,
         indexed_at = excluded.indexed_at, used_at = excluded.used_at`,
    ).run({
      repository: row.repository,
      snapshotId: row.snapshotId,
      backup: row.backup,
      time: row.time,
      meta: row.meta,
      root: row.root,
      totalSize: row.totals.totalSize,
      fileCount: row.totals.fileCount,
      entryCount: row.entryCount,
      indexBytes: row.indexBytes,
      at: row.at,
    });
  }

  snapshot(repository: string, snapshotId: string): IndexedSnapshotRow | undefined {
    return this.prepare(
      `SELECT ${SNAPSHOT_COLUMNS} FROM snapshots WHERE repository = ? AND snapshot_id = ?`,
    ).get(repository, snapshotId) as IndexedSnapshotRow | undefined;
  }

  /** Snapshots of a repository (or of every repository), oldest first. */
  snapshots(repository?: string): IndexedSnapshotRow[] {
    return (
      repository === undefined
        ? this.prepare(`SELECT ${SNAPSHOT_COLUMNS} FROM snapshots ORDER BY time, snapshot_id`).all()
        : this.prepare(
            `SELECT ${SNAPSHOT_COLUMNS} FROM snapshots WHERE repository = ? ORDER BY time, snapshot_id`,
          ).all(repository)
    ) as IndexedSnapshotRow[];
  }

  markUsed(rowId: number, at: string): void {
    this.prepare('UPDATE snapshots SET used_at = ? WHERE id = ?').run(at, rowId);
  }

  /** Keeps the snapshot known (so that it is not indexed again) without its folders. */
  evict(rowId: number): void {
    this.prepare('UPDATE snapshots SET root = NULL, index_bytes = 0 WHERE id = ?').run(rowId);
  }

  deleteSnapshot(rowId: number): void {
    this.prepare('DELETE FROM snapshots WHERE id = ?').run(rowId);
  }

  /** Indexed snapshots (not evicted), least recently used first. */
  leastUsed(): IndexedSnapshotRow[] {
    return this.prepare(
      `SELECT ${SNAPSHOT_COLUMNS} FROM snapshots WHERE root IS NOT NULL ORDER BY used_at, id`,
    ).all() as IndexedSnapshotRow[];
  }

  /**
   * Deletes the folders no snapshot reaches any more, their entries, and names no entry uses.
   * Returns how many folders went.
   */
  collectGarbage(): number {
    return this.transaction(() => {
      this.db.exec(`
        CREATE TEMP TABLE IF NOT EXISTS live (hash BLOB PRIMARY KEY) WITHOUT ROWID;
        DELETE FROM temp.live;
        WITH RECURSIVE reach(hash) AS (
          SELECT root FROM snapshots WHERE root IS NOT NULL
          UNION
          SELECT e.child FROM entries e JOIN reach r ON e.folder = r.hash WHERE e.child IS NOT NULL
        )
        INSERT INTO temp.live SELECT hash FROM reach;`);
      const gone = this.prepare(
        'DELETE FROM folders WHERE hash NOT IN (SELECT hash FROM temp.live)',
      ).run().changes;
      this.prepare('DELETE FROM entries WHERE folder NOT IN (SELECT hash FROM temp.live)').run();
      this.syncNameSearch();
      this.prepare(
        `INSERT INTO names_fts (names_fts, rowid, name)
         SELECT 'delete', id, name FROM names WHERE id NOT IN (SELECT name_id FROM entries)`,
      ).run();
      this.prepare('DELETE FROM names WHERE id NOT IN (SELECT name_id FROM entries)').run();
      // ids above the highest kept one are given again: they must be searchable when they are
      this.prepare(
        'UPDATE names_fts_synced SET id = (SELECT coalesce(max(id), 0) FROM names)',
      ).run();
      this.nameIds.clear();
      this.db.exec('DELETE FROM temp.live');
      return gone;
    });
  }

  // --- reading folders ---------------------------------------------------------------------

  folder(hash: Buffer): FolderTotals | undefined {
    return this.prepare(
      `SELECT total_size AS totalSize, file_count AS fileCount, entry_count AS entryCount
       FROM folders WHERE hash = ?`,
    ).get(hash) as FolderTotals | undefined;
  }

  /**
   * The entry named `name` in a folder, or undefined: a binary search over the folder's entries,
   * which are stored in name order (UTF-16 code units, as JavaScript compares, which SQLite's
   * byte order is not). An index on (folder, name) would answer in one statement, but it cost
   * about a sixth of the index's size and of the time to build it.
   */
  entry(folder: Buffer, name: string): IndexedEntry | undefined {
    const at = this.prepare(
      `SELECT n.name, e.type, e.size, e.mtime, e.mode, e.child
       FROM entries e JOIN names n ON n.id = e.name_id WHERE e.folder = ? AND e.pos = ?`,
    );
    let low = 0;
    let high = this.folder(folder)?.entryCount ?? 0;
    while (low < high) {
      const middle = (low + high) >>> 1;
      const entry = at.get(folder, middle) as IndexedEntry | undefined;
      if (!entry) return undefined;
      if (entry.name === name) return entry;
      if (entry.name < name) low = middle + 1;
      else high = middle;
    }
    return undefined;
  }

  /** A page of a folder's entries in name order, with the totals of the folders among them. */
  entries(folder: Buffer, start: number, limit: number): IndexedEntryRow[] {
    return this.prepare(
      `SELECT e.pos, n.name, e.type, e.size, e.mtime, e.mode, e.child,
         f.total_size AS totalSize, f.file_count AS fileCount
       FROM entries e JOIN names n ON n.id = e.name_id LEFT JOIN folders f ON f.hash = e.child
       WHERE e.folder = ? AND e.pos >= ? ORDER BY e.pos LIMIT ?`,
    ).all(folder, start, limit) as IndexedEntryRow[];
  }

  /** The position of the entry named `name` in a folder's name order, or undefined. */
  position(folder: Buffer, name: string): number | undefined {
    const row = this.prepare(
      `SELECT e.pos FROM names n JOIN entries e ON e.name_id = n.id
       WHERE n.name = ? AND e.folder = ?`,
    ).get(name, folder) as { pos: number } | undefined;
    return row?.pos;
  }

  // --- search ------------------------------------------------------------------------------

  /** Names matching, in id order, after `afterId`. */
  names(match: NameMatch, afterId: number, limit: number): { id: number; name: string }[] {
    switch (match.kind) {
      case 'all':
        return this.prepare('SELECT id, name FROM names WHERE id > ? ORDER BY id LIMIT ?').all(
          afterId,
          limit,
        ) as { id: number; name: string }[];
      case 'trigram':
        return this.prepare(
          `SELECT rowid AS id, name FROM names_fts WHERE names_fts MATCH ? AND rowid > ?
           ORDER BY rowid LIMIT ?`,
        ).all(match.phrase, afterId, limit) as { id: number; name: string }[];
      case 'like':
        return this.prepare(
          `SELECT id, name FROM names WHERE name LIKE ? ESCAPE '\\' AND id > ? ORDER BY id LIMIT ?`,
        ).all(match.pattern, afterId, limit) as { id: number; name: string }[];
      case 'glob':
        return (
          match.trigram
            ? this.prepare(
                `SELECT rowid AS id, name FROM names_fts WHERE names_fts MATCH ? AND name GLOB ?
                 AND rowid > ? ORDER BY rowid LIMIT ?`,
              ).all(match.trigram, match.pattern, afterId, limit)
            : this.prepare(
                'SELECT id, name FROM names WHERE name GLOB ? AND id > ? ORDER BY id LIMIT ?',
              ).all(match.pattern, afterId, limit)
        ) as { id: number; name: string }[];
    }
  }

  /** Every stored entry with this name (one per distinct folder holding it). */
  entriesNamed(nameId: number): NamedEntryRow[] {
    return this.prepare(
      `SELECT e.folder, e.name_id AS nameId, n.name, e.type, e.size, e.mtime, e.mode
       FROM entries e JOIN names n ON n.id = e.name_id WHERE e.name_id = ?`,
    ).all(nameId) as NamedEntryRow[];
  }

  /** The folders holding a folder, with the name it has in each. */
  parents(hash: Buffer): { folder: Buffer; name: string }[] {
    return this.prepare(
      `SELECT e.folder, n.name FROM entries e JOIN names n ON n.id = e.name_id WHERE e.child = ?`,
    ).all(hash) as { folder: Buffer; name: string }[];
  }
}
