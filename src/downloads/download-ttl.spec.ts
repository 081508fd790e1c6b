import { DEFAULT_DOWNLOAD_TTL_MS, downloadTtlFromEnv } from './download-ttl';

describe('download link lifetime', () => {
  it('is five minutes unless HEN_BACKUP_DOWNLOAD_TTL says otherwise', () => {
    expect(downloadTtlFromEnv({})).toBe(DEFAULT_DOWNLOAD_TTL_MS);
    expect(DEFAULT_DOWNLOAD_TTL_MS).toBe(300_000);
    expect(downloadTtlFromEnv({ HEN_BACKUP_DOWNLOAD_TTL: '2s' })).toBe(2_000);
    expect(downloadTtlFromEnv({ HEN_BACKUP_DOWNLOAD_TTL: ' 1h ' })).toBe(3_600_000);
  });

  it('refuses a value that is not a sensible duration', () => {
    expect(() => downloadTtlFromEnv({ HEN_BACKUP_DOWNLOAD_TTL: '30' })).toThrow(
      /HEN_BACKUP_DOWNLOAD_TTL: "30" needs a unit/,
    );
    expect(() => downloadTtlFromEnv({ HEN_BACKUP_DOWNLOAD_TTL: '10ms' })).toThrow(/outside/);
    expect(() => downloadTtlFromEnv({ HEN_BACKUP_DOWNLOAD_TTL: '2d' })).toThrow(/outside/);
  });
});
