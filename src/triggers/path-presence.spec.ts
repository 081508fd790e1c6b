import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeClock } from '../../test/support/fake-clock';
import { PathPresence, type PathIdentity, probePath } from './path-presence';

/** Lets the pending probe promises settle. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('PathPresence', () => {
  let clock: FakeClock;
  let identity: PathIdentity;
  let events: string[];
  let presence: PathPresence;

  beforeEach(() => {
    clock = new FakeClock();
    identity = null;
    events = [];
    presence = new PathPresence(
      '/watched',
      clock,
      1000,
      {
        present: (initial, isDirectory) => events.push(`present ${initial} ${isDirectory}`),
        absent: (initial) => events.push(`absent ${initial}`),
      },
      () => Promise.resolve(identity),
    );
  });

  afterEach(() => presence.stop());

  it('reports the first look as initial', async () => {
    identity = { key: '1', isDirectory: true };
    await presence.start();
    expect(events).toEqual(['present true true']);
  });

  it('reports a missing path, then its appearance at the next look', async () => {
    await presence.start();
    expect(events).toEqual(['absent true']);
    identity = { key: '1', isDirectory: true };
    clock.advance(999);
    await settle();
    expect(events).toHaveLength(1);
    clock.advance(1);
    await settle();
    expect(events).toEqual(['absent true', 'present false true']);
  });

  it('reports a disappearance and a replacement', async () => {
    identity = { key: '1', isDirectory: true };
    await presence.start();
    identity = null;
    clock.advance(1000);
    await settle();
    identity = { key: '2', isDirectory: false };
    clock.advance(1000);
    await settle();
    identity = { key: '3', isDirectory: false };
    clock.advance(1000);
    await settle();
    expect(events).toEqual([
      'present true true',
      'absent false',
      'present false false',
      'absent false',
      'present false false',
    ]);
  });

  it('says nothing while the path stays the same, and stops polling when stopped', async () => {
    identity = { key: '1', isDirectory: true };
    await presence.start();
    clock.advance(5000);
    await settle();
    presence.stop();
    expect(clock.pending).toBe(0);
    expect(events).toEqual(['present true true']);
  });
});

describe('probePath', () => {
  it('tells folders, files and missing paths apart', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hen-presence-'));
    try {
      const file = join(dir, 'f');
      await writeFile(file, 'a');
      expect(await probePath(dir)).toMatchObject({ isDirectory: true });
      expect(await probePath(file)).toMatchObject({ isDirectory: false });
      expect(await probePath(join(dir, 'missing'))).toBeNull();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
