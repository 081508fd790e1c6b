import { globalId, parseGlobalId } from './global-id';

describe('global ids', () => {
  it('round-trips every node type, the last key part taking the rest', () => {
    expect(parseGlobalId(globalId('Job', 42))).toEqual({ type: 'Job', key: ['42'] });
    expect(parseGlobalId(globalId('JobStep', 42, 0))).toEqual({
      type: 'JobStep',
      key: ['42', '0'],
    });
    const entry = globalId('SnapshotEntry', 'local', 'ab'.repeat(32), '/data/a:b.txt');
    expect(parseGlobalId(entry)).toEqual({
      type: 'SnapshotEntry',
      key: ['local', 'ab'.repeat(32), '/data/a:b.txt'],
    });
  });

  it('refuses what is not one: unknown types, missing or empty parts, huge strings', () => {
    for (const bad of [
      '',
      '42',
      'Job',
      'Job:',
      ':42',
      'Nope:1',
      'JobStep:42',
      'Snapshot:local:',
      'constructor:x',
      `Job:${'1'.repeat(5000)}`,
    ]) {
      expect(parseGlobalId(bad)).toBeNull();
    }
  });
});
