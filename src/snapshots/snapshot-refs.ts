import { Injectable, Optional } from '@nestjs/common';
import { parseGlobalId } from '../common/graphql/global-id';
import type { ResticSnapshot } from '../restic/restic.types';
import { SnapshotIndexService } from '../snapshot-index/snapshot-index.service';
import { SnapshotsService } from './snapshots.service';

/** A snapshot argument that cannot name a snapshot, whatever the repository holds. */
export class BadSnapshotRefError extends Error {
  readonly code = 'BAD_USER_INPUT';
}

/** A snapshot argument that names no snapshot of the repository. */
export class SnapshotNotFoundError extends Error {
  readonly code = 'NOT_FOUND';
}

const HEX_ID = /^[0-9a-f]{8,64}$/;
const LATEST = /^latest(?::([A-Za-z0-9][A-Za-z0-9_.-]{0,63}))?$/;

export const SNAPSHOT_REF_FORMS =
  'a full snapshot id, a unique prefix of 8 or more hex digits, `latest` (the newest snapshot), ' +
  '`latest:<backup>` (the newest of that backup), or a Snapshot global id';

export type SnapshotRef = { kind: 'id'; id: string } | { kind: 'latest'; backup?: string };

/** What a snapshot argument says, without asking restic; `what` names the argument. */
export function parseSnapshotRef(repository: string, ref: string, what = 'snapshot'): SnapshotRef {
  const text = typeof ref === 'string' ? ref.trim() : '';
  const latest = LATEST.exec(text);
  if (latest) return { kind: 'latest', backup: latest[1] };
  const global = text.startsWith('Snapshot:') ? parseGlobalId(text) : null;
  if (global) {
    if (global.key[0] !== repository) {
      throw new BadSnapshotRefError(
        `${what} is a snapshot of repository "${global.key[0]}", not of "${repository}"`,
      );
    }
    if (HEX_ID.test(global.key[1])) return { kind: 'id', id: global.key[1] };
  }
  const lower = text.toLowerCase();
  if (HEX_ID.test(lower)) return { kind: 'id', id: lower };
  throw new BadSnapshotRefError(`${what} must be ${SNAPSHOT_REF_FORMS}`);
}

/** Snapshot arguments (ids, prefixes, `latest`) turned into snapshots. */
@Injectable()
export class SnapshotRefs {
  constructor(
    private readonly snapshots: SnapshotsService,
    /** knows the snapshots it indexed: a full id among them needs no restic run */
    @Optional() private readonly index?: SnapshotIndexService,
  ) {}

  /**
   * An id restic takes for the ref: ids and prefixes as they are (restic resolves prefixes
   * itself, which saves a listing), `latest` looked up.
   */
  async toId(repository: string, ref: string, what = 'snapshot'): Promise<string> {
    const parsed = parseSnapshotRef(repository, ref, what);
    return parsed.kind === 'id' ? parsed.id : (await this.latest(repository, parsed.backup)).id;
  }

  /** The one snapshot the ref names; NOT_FOUND when there is none, BAD_USER_INPUT when several. */
  async resolve(repository: string, ref: string, what = 'snapshot'): Promise<ResticSnapshot> {
    const parsed = parseSnapshotRef(repository, ref, what);
    if (parsed.kind === 'latest') return this.latest(repository, parsed.backup);
    if (parsed.id.length === 64) {
      const [indexed] = this.index?.described(repository, parsed.id) ?? [];
      if (indexed) return indexed;
    }
    const all = await this.snapshots.list(repository, {});
    const matches = all.filter((s) => s.id.startsWith(parsed.id));
    if (matches.length > 1) {
      throw new BadSnapshotRefError(`${what} "${parsed.id}" is the prefix of several snapshots`);
    }
    if (matches.length === 0) {
      throw new SnapshotNotFoundError(`no snapshot "${parsed.id}" in repository "${repository}"`);
    }
    return matches[0];
  }

  private async latest(repository: string, backup?: string): Promise<ResticSnapshot> {
    const [newest] = await this.snapshots.list(repository, { backup });
    if (!newest) {
      throw new SnapshotNotFoundError(
        backup
          ? `repository "${repository}" has no snapshot of backup "${backup}"`
          : `repository "${repository}" has no snapshots`,
      );
    }
    return newest;
  }
}
