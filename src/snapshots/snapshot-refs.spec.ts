import type { ResticSnapshot } from '../restic/restic.types';
import {
  BadSnapshotRefError,
  parseSnapshotRef,
  SnapshotNotFoundError,
  SnapshotRefs,
} from './snapshot-refs';
import type { SnapshotsService } from './snapshots.service';

const snapshot = (id: string, backup: string): ResticSnapshot =>
  ({ id: id.padEnd(64, '0'), tags: [`backup=${backup}`] }) as ResticSnapshot;

describe('snapshot arguments', () => {
  it('reads ids, prefixes, latest, latest:<backup> and Snapshot global ids', () => {
    const full = 'AB'.repeat(32);
    expect(parseSnapshotRef('local', ` ${full} `)).toEqual({ kind: 'id', id: full.toLowerCase() });
    expect(parseSnapshotRef('local', 'deadbeef')).toEqual({ kind: 'id', id: 'deadbeef' });
    expect(parseSnapshotRef('local', 'latest')).toEqual({ kind: 'latest', backup: undefined });
    expect(parseSnapshotRef('local', 'latest:pics')).toEqual({ kind: 'latest', backup: 'pics' });
    expect(parseSnapshotRef('local', `Snapshot:local:${'cd'.repeat(32)}`)).toEqual({
      kind: 'id',
      id: 'cd'.repeat(32),
    });
  });

  it('refuses anything else before asking restic, naming the argument', () => {
    for (const bad of ['', 'abc', 'a'.repeat(65), 'latest:', 'latest:a b', 'Job:1', '--help12']) {
      expect(() => parseSnapshotRef('local', bad, 'from')).toThrow(BadSnapshotRefError);
      expect(() => parseSnapshotRef('local', bad, 'from')).toThrow(/^from must be/);
    }
    expect(() => parseSnapshotRef('local', `Snapshot:other:${'cd'.repeat(32)}`)).toThrow(
      /repository "other", not of "local"/,
    );
  });

  describe('SnapshotRefs', () => {
    const listed: { backup?: string }[] = [];
    const refs = (all: ResticSnapshot[]) =>
      new SnapshotRefs({
        list: (_repository: string, filter: { backup?: string }) => {
          listed.push(filter);
          return Promise.resolve(
            all.filter((s) => !filter.backup || s.tags.includes(`backup=${filter.backup}`)),
          );
        },
      } as unknown as SnapshotsService);
    // newest first, as SnapshotsService lists them
    const all = [
      snapshot('aaaa1111', 'docs'),
      snapshot('aaaa2222', 'pics'),
      snapshot('bbbb', 'docs'),
    ];

    it('resolves latest, per backup, and unique prefixes', async () => {
      expect((await refs(all).resolve('local', 'latest')).id).toBe(all[0].id);
      expect((await refs(all).resolve('local', 'latest:pics')).id).toBe(all[1].id);
      expect((await refs(all).resolve('local', 'bbbb0000')).id).toBe(all[2].id);
    });

    it('answers NOT_FOUND for unknown snapshots and latest of nothing, BAD_USER_INPUT for ambiguous prefixes', async () => {
      await expect(refs(all).resolve('local', 'cccc0000')).rejects.toThrow(SnapshotNotFoundError);
      await expect(refs([]).resolve('local', 'latest')).rejects.toThrow(/has no snapshots/);
      await expect(refs(all).resolve('local', 'latest:music')).rejects.toThrow(
        /no snapshot of backup "music"/,
      );
      const twins = [snapshot('aaaa1111', 'a'), snapshot('aaaa1111f', 'b')];
      await expect(refs(twins).resolve('local', 'aaaa1111')).rejects.toThrow(BadSnapshotRefError);
    });

    it('hands ids and prefixes to restic as they are, without a listing', async () => {
      listed.length = 0;
      expect(await refs(all).toId('local', 'AAAA1111')).toBe('aaaa1111');
      expect(listed).toEqual([]);
      expect(await refs(all).toId('local', 'latest:docs')).toBe(all[0].id);
      expect(listed).toEqual([{ backup: 'docs' }]);
    });
  });
});
