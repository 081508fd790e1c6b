import { Injectable } from '@nestjs/common';
import type { NotificationTarget } from '../config/notifications.types';
import { CommandRunner } from './command-runner';
import { planDelivery } from './delivery-plan';
import { HttpSender } from './http-sender';
import type { NotificationEvent } from './notification-event';
import { SmtpSender } from './smtp-sender';

/** What a target said to one attempt. */
export type DeliveryOutcome =
  | { delivered: true; response: string | null }
  | { delivered: false; response: string | null; error: string };

/** One attempt to deliver one event to one target, within the target's timeout. */
@Injectable()
export class NotificationSender {
  constructor(
    private readonly http: HttpSender,
    private readonly smtp: SmtpSender,
    private readonly commands: CommandRunner,
  ) {}

  async deliver(
    target: NotificationTarget,
    event: NotificationEvent,
    stop: AbortSignal,
  ): Promise<DeliveryOutcome> {
    const signal = AbortSignal.any([stop, AbortSignal.timeout(target.timeoutMs)]);
    try {
      const plan = planDelivery(target, event);
      switch (plan.kind) {
        case 'none':
          return { delivered: true, response: `not sent: ${plan.reason}` };
        case 'http': {
          const { status, body } = await this.http.send({ ...plan, signal });
          const response = `HTTP ${status}${body.trim() ? `: ${body.trim().slice(0, 500)}` : ''}`;
          return status >= 200 && status < 300
            ? { delivered: true, response }
            : { delivered: false, response, error: `the receiver answered HTTP ${status}` };
        }
        case 'mail':
          return { delivered: true, response: await this.smtp.send(plan.target, plan, signal) };
        case 'command':
          return {
            delivered: true,
            response: (await this.commands.run({ ...plan, signal })) || null,
          };
      }
    } catch (error) {
      const message =
        signal.aborted && !stop.aborted
          ? `no answer within ${Math.round(target.timeoutMs / 100) / 10} s`
          : error instanceof Error
            ? error.message
            : String(error);
      return { delivered: false, response: null, error: message };
    }
  }
}
