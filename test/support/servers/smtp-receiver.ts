import { simpleParser } from 'mailparser';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { SMTPServer } from 'smtp-server';
import { makeSelfSignedCertificate } from './tls';

export interface ReceivedMail {
  from: string;
  to: string[];
  subject: string;
  text: string;
  /** the user that authenticated */
  user: string | null;
}

/**
 * A real SMTP server (the `smtp-server` package) on loopback with implicit TLS and
 * username/password auth, keeping every mail it receives, parsed.
 */
export class SmtpReceiver {
  readonly mails: ReceivedMail[] = [];
  port = 0;
  private server: SMTPServer | null = null;

  constructor(
    private readonly username: string,
    private readonly password: string,
  ) {}

  async start(dir: string): Promise<void> {
    const { certFile, keyFile } = await makeSelfSignedCertificate(dir);
    const server = new SMTPServer({
      secure: true,
      key: readFileSync(keyFile),
      cert: readFileSync(certFile),
      authMethods: ['PLAIN', 'LOGIN'],
      logger: false,
      onAuth: (auth, _session, callback) => {
        if (auth.username === this.username && auth.password === this.password) {
          callback(null, { user: auth.username });
        } else {
          callback(new Error('Invalid username or password'));
        }
      },
      onData: (stream, session, callback) => {
        simpleParser(stream)
          .then((mail) => {
            this.mails.push({
              from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
              to: session.envelope.rcptTo.map((r) => r.address),
              subject: mail.subject ?? '',
              text: mail.text ?? '',
              user: typeof session.user === 'string' ? session.user : null,
            });
            callback();
          })
          .catch((error: Error) => callback(error));
      },
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.port = (server.server.address() as AddressInfo).port;
    this.server = server;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
