import type { NotificationTarget } from '../../src/config/notifications.types';
import type { NotificationEvent } from '../../src/notifications/notification-event';
import type { DeliveryOutcome } from '../../src/notifications/notification-sender';

/**
 * A NotificationSender for unit tests: records every attempt and answers as the test says
 * (`down` targets fail; `hanging` ones never answer until released or aborted).
 */
export class FakeNotificationSender {
  readonly attempts: { target: string; event: NotificationEvent }[] = [];
  readonly down = new Set<string>();
  readonly hanging = new Set<string>();
  private readonly held: (() => void)[] = [];

  deliver(
    target: NotificationTarget,
    event: NotificationEvent,
    stop: AbortSignal,
  ): Promise<DeliveryOutcome> {
    this.attempts.push({ target: target.name, event });
    if (this.hanging.has(target.name)) {
      return new Promise((resolve) => {
        const answer = () =>
          resolve({ delivered: false, response: null, error: 'no answer in time' });
        this.held.push(answer);
        stop.addEventListener('abort', answer, { once: true });
      });
    }
    if (this.down.has(target.name)) {
      return Promise.resolve({ delivered: false, response: null, error: 'connect ECONNREFUSED' });
    }
    return Promise.resolve({ delivered: true, response: 'HTTP 200: ok' });
  }

  sentTo(target: string): string[] {
    return this.attempts.filter((a) => a.target === target).map((a) => a.event.summary);
  }
}
