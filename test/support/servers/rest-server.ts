/**
 * A restic REST server on loopback: `rclone serve restic` over a temp folder, with basic
 * authentication.
 *
 *   const rest = await new RestServer().start();
 *   location: rest.location(), or rest.location({ withCredentials: true })
 *   await rest.cleanup();
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeTempDir, removeDir } from '../temp-dir';
import { ServerProcess, freePort, portAccepts } from './server-process';

export const RCLONE = process.env.RCLONE_BIN || 'rclone';

export class RestServer {
  readonly username = 'hen-rest-user';
  readonly password = 'rest-pass-Zq81xv';
  private dir?: string;
  private process?: ServerProcess;
  private listeningPort?: number;

  get port(): number {
    if (this.listeningPort === undefined) throw new Error('the REST server was never started');
    return this.listeningPort;
  }

  /** `port`: listen there (a server started again where a daemon already looks for it). */
  async start(port?: number): Promise<this> {
    this.dir ??= await makeTempDir('hen-rest-');
    // an empty config of its own, so that the user's rclone.conf plays no part
    const config = join(this.dir, 'rclone.conf');
    await writeFile(config, '');
    port ??= await freePort();
    const child = new ServerProcess({
      name: 'rclone serve restic',
      command: RCLONE,
      args: [
        'serve',
        'restic',
        '--config',
        config,
        '--addr',
        `127.0.0.1:${port}`,
        '--user',
        this.username,
        '--pass',
        this.password,
        join(this.dir, 'data'),
      ],
    });
    this.process = child;
    await child.waitUntil(() => portAccepts(port));
    this.listeningPort = port;
    return this;
  }

  /**
   * `rest:http://127.0.0.1:port/path/`; restic 0.14 reads credentials only from the URL
   * (RESTIC_REST_USERNAME/PASSWORD came with 0.16), where hen-backup puts locationParams' login.
   */
  location(path = '', { withCredentials = false } = {}): string {
    const auth = withCredentials
      ? `${encodeURIComponent(this.username)}:${encodeURIComponent(this.password)}@`
      : '';
    return `rest:http://${auth}127.0.0.1:${this.port}/${path}`;
  }

  async stop(): Promise<void> {
    await this.process?.stop();
  }

  async cleanup(): Promise<void> {
    await this.stop();
    if (this.dir) await removeDir(this.dir);
    this.dir = undefined;
  }
}
