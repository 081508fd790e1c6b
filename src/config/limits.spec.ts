import { combineLimits } from './limits';

describe('combineLimits', () => {
  it('takes the tightest bandwidth, the nicest nice, and the most specific ionice', () => {
    expect(
      combineLimits(
        { upload: 5_000_000, download: 20_000_000, nice: 10, ionice: { class: 'idle' } },
        { upload: 2_000_000, nice: 5 },
        { upload: 3_000_000, ionice: { class: 'best-effort', level: 4 } },
      ),
    ).toEqual({
      upload: 2_000_000,
      download: 20_000_000,
      nice: 10,
      ionice: { class: 'best-effort', level: 4 },
    });
  });

  it('gives no limits when no level sets any', () => {
    expect(combineLimits({}, undefined, {})).toEqual({});
  });
});
