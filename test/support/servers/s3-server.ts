/**
 * An S3 endpoint on loopback: s3rver (in a child node process) over HTTPS with a self-signed
 * certificate made for this run. HTTPS is not optional: restic 0.14's S3 client corrupts objects
 * on plain-HTTP s3rver.
 *
 *   const s3 = await new S3Server().start();
 *   location: s3.location('repo'), locationParams: s3.locationParams()
 *   await s3.stop();
 */
import { join } from 'node:path';
import { makeTempDir, removeDir } from '../temp-dir';
import { ServerProcess } from './server-process';
import { makeSelfSignedCertificate, type SelfSignedCertificate } from './tls';

/** s3rver's fixed credentials. */
export const S3RVER_ACCESS_KEY_ID = 'S3RVER';
export const S3RVER_SECRET_ACCESS_KEY = 'S3RVER';

// Runs in the child: serves until the test process closes its stdin (or kills it).
const SERVER_SCRIPT = `
const S3rver = require(process.env.S3RVER_MODULE);
const fs = require('node:fs');
const server = new S3rver({
  address: '127.0.0.1',
  port: 0,
  silent: true,
  directory: process.env.S3RVER_DIR,
  key: fs.readFileSync(process.env.S3RVER_KEY),
  cert: fs.readFileSync(process.env.S3RVER_CERT),
  configureBuckets: [{ name: process.env.S3RVER_BUCKET, configs: [] }],
});
server.run().then(
  (address) => console.log('LISTENING ' + address.port),
  (error) => { console.error(String(error && error.stack || error)); process.exit(1); },
);
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
process.on('SIGTERM', () => process.exit(0));
`;

export class S3Server {
  readonly bucket = 'hen-bucket';
  private dir?: string;
  private process?: ServerProcess;
  private certificate?: SelfSignedCertificate;
  private listeningPort?: number;

  get port(): number {
    if (this.listeningPort === undefined) throw new Error('the S3 server was never started');
    return this.listeningPort;
  }

  get caCertFile(): string {
    if (!this.certificate) throw new Error('the S3 server was never started');
    return this.certificate.certFile;
  }

  async start(): Promise<this> {
    this.dir ??= await makeTempDir('hen-s3-');
    this.certificate ??= await makeSelfSignedCertificate(this.dir);
    const child = new ServerProcess({
      name: 's3rver',
      command: process.execPath,
      args: ['-e', SERVER_SCRIPT],
      pipeStdin: true,
      env: {
        PATH: process.env.PATH,
        S3RVER_MODULE: require.resolve('s3rver'),
        S3RVER_DIR: join(this.dir, 'data'),
        S3RVER_KEY: this.certificate.keyFile,
        S3RVER_CERT: this.certificate.certFile,
        S3RVER_BUCKET: this.bucket,
      },
    });
    this.process = child;
    let port: number | undefined;
    await child.waitUntil(() => {
      const line = child.output.find((l) => l.startsWith('LISTENING '));
      if (line) port = Number(line.slice('LISTENING '.length));
      return port !== undefined;
    });
    this.listeningPort = port;
    return this;
  }

  /** `s3:https://127.0.0.1:port/bucket/path` */
  location(path: string): string {
    return `s3:https://127.0.0.1:${this.port}/${this.bucket}/${path}`;
  }

  locationParams(): Record<string, string> {
    return {
      accessKeyId: S3RVER_ACCESS_KEY_ID,
      secretAccessKey: S3RVER_SECRET_ACCESS_KEY,
      cacert: this.caCertFile,
    };
  }

  /** Stops serving; the data stays until cleanup(), so start() serves it again on a new port. */
  async stop(): Promise<void> {
    await this.process?.stop();
  }

  /** stop() and remove everything it wrote. */
  async cleanup(): Promise<void> {
    await this.stop();
    if (this.dir) await removeDir(this.dir);
    this.dir = undefined;
    this.certificate = undefined;
  }
}
