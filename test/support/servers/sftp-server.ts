/**
 * An SFTP endpoint on loopback: a second sshd on 127.0.0.1 with its own config, host key and
 * client key in a temp folder, in the foreground, accepting only that key for the current user.
 *
 *   const sftp = await new SftpServer().start();
 *   location: sftp.location('/abs/path/repo'), locationParams: sftp.locationParams()
 *   await sftp.cleanup();
 */
import { execFile } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { makeTempDir, removeDir } from '../temp-dir';
import { ServerProcess, findExecutable, freePort, portAccepts } from './server-process';

/** sshd is in /usr/sbin, which is often not on a non-root user's PATH. */
export const SSHD = findExecutable('sshd', ['/usr/sbin/sshd', '/usr/local/sbin/sshd']);
/** Where Debian's sshd insists on a privilege separation folder when started as root. */
const PRIVSEP_DIR = '/run/sshd';

const run = promisify(execFile);

export class SftpServer {
  readonly user = userInfo().username;
  private dir?: string;
  private process?: ServerProcess;
  private listeningPort?: number;

  get port(): number {
    if (this.listeningPort === undefined) throw new Error('the sshd was never started');
    return this.listeningPort;
  }

  private get home(): string {
    if (!this.dir) throw new Error('the sshd was never started');
    return this.dir;
  }

  /** The private key restic's ssh logs in with. */
  get identityFile(): string {
    return join(this.home, 'client_key');
  }

  /** A known_hosts file naming this server's host key, so ssh checks it strictly. */
  get knownHostsFile(): string {
    return join(this.home, 'known_hosts');
  }

  async start(): Promise<this> {
    if (!this.dir) await this.prepare();
    if (process.getuid?.() === 0) await mkdir(PRIVSEP_DIR, { recursive: true, mode: 0o755 });
    // a port picked anew each time: the previous one may be taken by a lingering connection
    const port = await freePort();
    const config = join(this.home, 'sshd_config');
    await writeFile(config, this.sshdConfig(port), { mode: 0o600 });
    await writeFile(
      this.knownHostsFile,
      `[127.0.0.1]:${port} ${(await readFile(join(this.home, 'host_key.pub'), 'utf8')).trim()}\n`,
    );
    const child = new ServerProcess({
      name: 'sshd',
      // -D: foreground, -e: log to stderr; sshd wants an absolute path to re-execute itself
      command: SSHD,
      args: ['-D', '-e', '-f', config],
    });
    this.process = child;
    await child.waitUntil(() => portAccepts(port));
    this.listeningPort = port;
    return this;
  }

  /** `sftp:user@127.0.0.1:/abs/path` (the port travels in locationParams). */
  location(absolutePath: string): string {
    return `sftp:${this.user}@127.0.0.1:${absolutePath}`;
  }

  locationParams(): Record<string, string> {
    return {
      port: String(this.port),
      identityFile: this.identityFile,
      knownHostsFile: this.knownHostsFile,
    };
  }

  /** A folder the server may write to, for repositories. */
  async dataDir(name: string): Promise<string> {
    const dir = join(this.home, 'data', name);
    await mkdir(dir, { recursive: true });
    return dir;
  }

  async stop(): Promise<void> {
    await this.process?.stop();
  }

  async cleanup(): Promise<void> {
    await this.stop();
    if (this.dir) await removeDir(this.dir);
    this.dir = undefined;
  }

  private async prepare(): Promise<void> {
    this.dir = await makeTempDir('hen-sftp-');
    const keygen = (file: string) =>
      run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'hen-test', '-f', file]);
    await Promise.all([keygen(join(this.dir, 'host_key')), keygen(this.identityFile)]);
    await writeFile(
      join(this.dir, 'authorized_keys'),
      await readFile(`${this.identityFile}.pub`, 'utf8'),
      { mode: 0o600 },
    );
  }

  private sshdConfig(port: number): string {
    const root = process.getuid?.() === 0;
    return [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${join(this.home, 'host_key')}`,
      `AuthorizedKeysFile ${join(this.home, 'authorized_keys')}`,
      // the temp folder's owner and modes are not what sshd demands of a home folder
      'StrictModes no',
      'PubkeyAuthentication yes',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      // root: no PAM, so no login session on the host; other users: without PAM, sshd refuses
      // accounts whose password is locked (as a CI user's often is)
      `UsePAM ${root ? 'no' : 'yes'}`,
      'PrintMotd no',
      'PrintLastLog no',
      `PermitRootLogin ${root ? 'prohibit-password' : 'no'}`,
      `AllowUsers ${this.user}`,
      'PidFile none',
      'Subsystem sftp internal-sftp',
      'LogLevel ERROR',
      '',
    ].join('\n');
  }
}
