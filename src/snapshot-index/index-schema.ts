/**
 * The snapshot index's tables. Folders are content-addressed, as restic's trees are: a folder row
 * is keyed by a hash of its entries, so a folder that did not change between two snapshots is
 * stored once, and a snapshot row points at its root folder. Names are stored once each and
 * indexed by an FTS5 trigram table for substring and glob search.
 */
/** An index file of another version is rebuilt rather than migrated: it is a cache. */
export const INDEX_SCHEMA_VERSION = 2;

export const INDEX_SCHEMA = `
  CREATE TABLE IF NOT EXISTS snapshots (
    id INTEGER PRIMARY KEY,
    repository TEXT NOT NULL,
    snapshot_id TEXT NOT NULL,
    backup TEXT,
    time TEXT NOT NULL,
    meta TEXT NOT NULL,
    root BLOB,
    total_size INTEGER NOT NULL DEFAULT 0,
    file_count INTEGER NOT NULL DEFAULT 0,
    entry_count INTEGER NOT NULL DEFAULT 0,
    index_bytes INTEGER NOT NULL DEFAULT 0,
    indexed_at TEXT NOT NULL,
    used_at TEXT NOT NULL,
    UNIQUE (repository, snapshot_id)
  );
  CREATE INDEX IF NOT EXISTS snapshots_root ON snapshots(root);
  CREATE TABLE IF NOT EXISTS folders (
    hash BLOB PRIMARY KEY,
    total_size INTEGER NOT NULL,
    file_count INTEGER NOT NULL,
    entry_count INTEGER NOT NULL
  ) WITHOUT ROWID;
  CREATE TABLE IF NOT EXISTS names (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
  );
  CREATE VIRTUAL TABLE IF NOT EXISTS names_fts USING fts5(
    name, content='names', content_rowid='id', tokenize='trigram'
  );
  CREATE TRIGGER IF NOT EXISTS names_added AFTER INSERT ON names BEGIN
    INSERT INTO names_fts(rowid, name) VALUES (new.id, new.name);
  END;
  CREATE TRIGGER IF NOT EXISTS names_removed AFTER DELETE ON names BEGIN
    INSERT INTO names_fts(names_fts, rowid, name) VALUES ('delete', old.id, old.name);
  END;
  CREATE TABLE IF NOT EXISTS entries (
    folder BLOB NOT NULL,
    pos INTEGER NOT NULL,
    name_id INTEGER NOT NULL,
    type TEXT NOT NULL,
    size INTEGER NOT NULL,
    mtime TEXT NOT NULL,
    mode INTEGER NOT NULL,
    child BLOB,
    PRIMARY KEY (folder, pos)
  ) WITHOUT ROWID;
  CREATE UNIQUE INDEX IF NOT EXISTS entries_folder_name ON entries(folder, name_id);
  CREATE INDEX IF NOT EXISTS entries_name ON entries(name_id);
  CREATE INDEX IF NOT EXISTS entries_child ON entries(child) WHERE child IS NOT NULL;
`;
