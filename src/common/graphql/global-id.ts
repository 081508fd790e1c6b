/**
 * Global object ids: the GraphQL type name, then the object's own key parts, joined by ":"
 * (`Job:42`, `Backup:pictures`, `Snapshot:local:<64 hex>`). Names in the configuration cannot hold
 * ":", so the parts are unambiguous; the last part takes the rest (a snapshot entry's path may).
 * Clients should treat them as opaque; they are readable so that people can type them.
 */
export const NODE_TYPES = {
  Status: 1,
  Backup: 1,
  BackupStatus: 1,
  Repository: 1,
  Job: 1,
  JobStep: 2,
  JobLogEntry: 2,
  Snapshot: 2,
  SnapshotEntry: 3,
  Notification: 1,
  IndexedPath: 2,
} as const;

export type NodeTypeName = keyof typeof NODE_TYPES;

export interface GlobalId {
  type: NodeTypeName;
  key: string[];
}

export function globalId(type: NodeTypeName, ...key: (string | number)[]): string {
  return [type, ...key].join(':');
}

/** The type and key parts of a global id, or null when it is not one. */
export function parseGlobalId(id: string): GlobalId | null {
  if (typeof id !== 'string' || id.length > 4200) return null;
  const colon = id.indexOf(':');
  if (colon < 1) return null;
  const type = id.slice(0, colon);
  if (!Object.hasOwn(NODE_TYPES, type)) return null;
  const parts = NODE_TYPES[type as NodeTypeName];
  const rest = id.slice(colon + 1).split(':');
  if (rest.length < parts) return null;
  const key = [...rest.slice(0, parts - 1), rest.slice(parts - 1).join(':')];
  if (key.some((part) => part === '')) return null;
  return { type: type as NodeTypeName, key };
}
