import { mountProblem } from './mount-check';

/** Devices by path; a path not listed does not exist. */
const fs = (devices: Record<string, number>) => (path: string) =>
  path in devices
    ? Promise.resolve({ dev: devices[path] })
    : Promise.reject(Object.assign(new Error(`ENOENT ${path}`), { code: 'ENOENT' }));

describe('mountProblem', () => {
  it('accepts a folder, or the nearest existing parent, on another filesystem', async () => {
    await expect(mountProblem('/mnt/usb/repo', fs({ '/': 1, '/mnt/usb/repo': 2 }))).resolves.toBe(
      null,
    );
    await expect(
      mountProblem('/mnt/usb/new/repo', fs({ '/': 1, '/mnt': 1, '/mnt/usb': 2 })),
    ).resolves.toBe(null);
  });

  it('refuses a folder on the root filesystem, as when the disk is not mounted', async () => {
    await expect(
      mountProblem('/mnt/usb/repo', fs({ '/': 1, '/mnt': 1, '/mnt/usb': 1 })),
    ).resolves.toBe(
      '/mnt/usb, where /mnt/usb/repo would be, is on the root filesystem, not on a mounted disk (requireMount)',
    );
    await expect(mountProblem('/srv/repo', fs({ '/': 1, '/srv/repo': 1 }))).resolves.toMatch(
      /^\/srv\/repo is on the root filesystem/,
    );
  });
});
