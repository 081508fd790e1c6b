/**
 * An rclone remote for restic's `rclone:` backend: a local-type remote defined in an rclone
 * config file of its own (locationParams.config → RCLONE_CONFIG). restic starts rclone itself,
 * so there is no server to run; stop() hides the remote from the config instead, which is what
 * restic sees of a remote it cannot reach.
 *
 *   const remote = await new RcloneRemote().start();
 *   location: remote.location('repo'), locationParams: remote.locationParams()
 *   await remote.cleanup();
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeTempDir, removeDir } from '../temp-dir';

export class RcloneRemote {
  readonly remote = 'hen-local';
  private dir?: string;

  private get home(): string {
    if (!this.dir) throw new Error('the rclone remote was never set up');
    return this.dir;
  }

  get configFile(): string {
    return join(this.home, 'rclone.conf');
  }

  /** Where the remote keeps its files. */
  get root(): string {
    return join(this.home, 'data');
  }

  async start(): Promise<this> {
    this.dir ??= await makeTempDir('hen-rclone-');
    await mkdir(this.root, { recursive: true });
    await writeFile(this.configFile, `[${this.remote}]\ntype = local\n`);
    return this;
  }

  /** `rclone:remote:/abs/path` */
  location(path: string): string {
    return `rclone:${this.remote}:${join(this.root, path)}`;
  }

  locationParams(): Record<string, string> {
    return { config: this.configFile };
  }

  /** Removes the remote from the config file; start() brings it back. */
  async stop(): Promise<void> {
    if (this.dir) await writeFile(this.configFile, '');
  }

  async cleanup(): Promise<void> {
    if (this.dir) await removeDir(this.dir);
    this.dir = undefined;
  }
}
