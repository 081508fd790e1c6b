import { Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { Clock } from '../common/clock';
import { RuntimeInfo } from '../common/runtime-info';
import { ConfigReloader } from '../config/config-reloader.service';
import { LiveConfig } from '../config/live-config';
import type { NotificationEventName } from '../config/notifications.types';
import { blankEvent } from './notification-event';
import { NotificationOutbox } from './notification-outbox.service';

/** The daemon's own news: started, stopping, configuration reloaded or refused. */
@Injectable()
export class DaemonNotifier implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly unsubscribe: (() => void)[] = [];

  constructor(
    private readonly config: LiveConfig,
    private readonly outbox: NotificationOutbox,
    private readonly runtime: RuntimeInfo,
    private readonly clock: Clock,
    reloader: ConfigReloader,
  ) {
    this.unsubscribe.push(
      config.onChange(({ backups, repositories }) => {
        const names = (what: string, c: typeof backups) =>
          `${what} +${c.added.length} -${c.removed.length} ~${c.changed.length}`;
        this.tell(
          'config.reloaded',
          'configuration reloaded',
          `${names('backups', backups)}, ${names('repositories', repositories)}`,
        );
      }),
      reloader.onRefused((issues) =>
        this.tell(
          'config.refused',
          `configuration not reloaded: ${issues.length} problem(s); the one in force stays`,
          issues.map((issue) => `${issue.path}: ${issue.message}`).join('\n'),
        ),
      ),
    );
  }

  onApplicationBootstrap(): void {
    this.tell('daemon.started', `hen-backup ${this.runtime.version} started`, null);
  }

  /** Before the outbox's last deliveries (beforeApplicationShutdown), so that this one can go. */
  onModuleDestroy(): void {
    for (const stop of this.unsubscribe) stop();
    this.tell('daemon.stopping', 'hen-backup is stopping', null);
  }

  private tell(event: NotificationEventName, summary: string, detail: string | null): void {
    this.outbox.publish({
      ...blankEvent(
        event,
        this.config.current.hostname,
        new Date(this.clock.now()).toISOString(),
        `${summary} on ${this.config.current.hostname}`,
      ),
      detail,
    });
  }
}
