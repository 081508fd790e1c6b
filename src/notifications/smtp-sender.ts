import { Injectable } from '@nestjs/common';
import type { EmailTarget } from '../config/notifications.types';

export interface MailMessage {
  subject: string;
  text: string;
}

/**
 * Sends one mail through the target's SMTP server with nodemailer: implicit TLS (`tls`, port 465),
 * STARTTLS required (`starttls`), or plain (`none`, for a relay on the same host). A transport per
 * mail: notifications are rare, and nothing stays connected to a server between them. Aborting
 * the signal closes the connection.
 */
@Injectable()
export class SmtpSender {
  async send(target: EmailTarget, message: MailMessage, signal: AbortSignal): Promise<string> {
    // loaded at the first mail, not at start: about 60 ms of the daemon's start on 2 cores
    const { createTransport } = await import('nodemailer');
    const transport = createTransport({
      host: target.host,
      port: target.port,
      secure: target.security === 'tls',
      requireTLS: target.security === 'starttls',
      ignoreTLS: target.security === 'none',
      auth: target.username ? { user: target.username, pass: target.password ?? '' } : undefined,
      tls: { rejectUnauthorized: !target.allowInvalidCertificate },
      connectionTimeout: target.timeoutMs,
      greetingTimeout: target.timeoutMs,
      socketTimeout: target.timeoutMs,
    });
    const abort = () => transport.close();
    signal.addEventListener('abort', abort, { once: true });
    try {
      const info = await transport.sendMail({
        from: target.from,
        to: target.to,
        subject: message.subject,
        text: message.text,
      });
      return info.response;
    } catch (error) {
      if (signal.aborted) throw new Error('no answer in time');
      throw error;
    } finally {
      signal.removeEventListener('abort', abort);
      transport.close();
    }
  }
}
