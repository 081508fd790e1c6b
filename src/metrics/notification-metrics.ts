import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { Counter, Gauge } from 'prom-client';
import { LiveConfig } from '../config/live-config';
import { NotificationOutbox } from '../notifications/notification-outbox.service';
import { METRICS_PREFIX, MetricsService } from './metrics.service';

/**
 * `hen_backup_notification_deliveries_total{target,result}` (each attempt, "sent" or "failed",
 * since the daemon started) and `hen_backup_notifications_pending{target}` (read from the outbox
 * at scrape time), so that an alert can fire when a receiver stops taking notifications.
 */
@Injectable()
export class NotificationMetrics implements OnModuleDestroy {
  private readonly stopListening: () => void;

  constructor(metrics: MetricsService, outbox: NotificationOutbox, config: LiveConfig) {
    const registers = [metrics.registry];
    const deliveries = new Counter({
      name: `${METRICS_PREFIX}notification_deliveries_total`,
      help: 'Notification delivery attempts by target and result (sent or failed), since the daemon started',
      labelNames: ['target', 'result'],
      registers,
    });
    for (const target of Object.keys(config.current.notifications.targets)) {
      deliveries.inc({ target, result: 'sent' }, 0);
      deliveries.inc({ target, result: 'failed' }, 0);
    }
    new Gauge({
      name: `${METRICS_PREFIX}notifications_pending`,
      help: 'Notifications stored and not yet delivered, by target',
      labelNames: ['target'],
      registers,
      collect() {
        this.reset();
        const pending = outbox.pendingByTarget();
        for (const target of Object.keys(config.current.notifications.targets)) {
          this.set({ target }, pending.get(target) ?? 0);
        }
        for (const [target, count] of pending) this.set({ target }, count);
      },
    });
    this.stopListening = outbox.onDelivery((target, result) => deliveries.inc({ target, result }));
  }

  onModuleDestroy(): void {
    this.stopListening();
  }
}
