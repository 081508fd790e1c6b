import { Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { Clock } from '../common/clock';
import { RuntimeInfo } from '../common/runtime-info';
import { LiveConfig } from '../config/live-config';
import { isOverdue, overdueMinGraceMs } from '../config/overdue';
import { JobEvents } from '../jobs/job-events';
import { JobStore } from '../jobs/job-store';
import { scheduleKey } from '../triggers/schedule-definitions';
import { ScheduleTrigger } from '../triggers/schedule-trigger.service';
import { blankEvent } from './notification-event';
import { NotificationOutbox } from './notification-outbox.service';

const CHECK_EVERY_MS = 30_000;

/**
 * Tells when a scheduled backup becomes overdue and when it is back on time, by the rule of
 * `BackupStatus.overdue` (config/overdue.ts), both halves: a last success too long ago, or a
 * next run too far in the past. Looked at periodically and after each backup. A backup that
 * never succeeded counts from its oldest recorded job, as the status does. State is in memory: after a restart, a backup still overdue is announced again, once.
 */
@Injectable()
export class OverdueWatcher implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly overdue = new Set<string>();
  private readonly minGraceMs = overdueMinGraceMs();
  private stopTimer = () => {};
  private readonly stopListening: () => void;

  constructor(
    private readonly config: LiveConfig,
    private readonly store: JobStore,
    private readonly outbox: NotificationOutbox,
    private readonly runtime: RuntimeInfo,
    private readonly clock: Clock,
    private readonly schedules: ScheduleTrigger,
    events: JobEvents,
  ) {
    this.stopListening = events.onFinished((job) => {
      if (job.operation === 'backup' && job.backup) this.look(job.backup);
    });
  }

  onApplicationBootstrap(): void {
    const every = Math.min(CHECK_EVERY_MS, Math.max(500, this.minGraceMs / 2));
    this.stopTimer = this.clock.setInterval(() => this.lookAll(), every);
    this.lookAll();
  }

  onModuleDestroy(): void {
    this.stopTimer();
    this.stopListening();
  }

  private lookAll(): void {
    for (const name of Object.keys(this.config.current.backups)) this.look(name);
    for (const name of this.overdue) {
      if (!(name in this.config.current.backups)) this.overdue.delete(name);
    }
  }

  private look(name: string): void {
    const backup = this.config.current.backups[name];
    if (!backup) return;
    const last = this.store.lastOf({ operations: ['backup'], backup: name, states: ['succeeded'] });
    const lastSuccessAt = last?.endedAt ? Date.parse(last.endedAt) : null;
    const now = this.clock.now();
    const oldest = this.store.page(
      { backup: name, operations: ['backup'] },
      { size: 1, fromEnd: true, count: false },
    ).items[0];
    const overdue = isOverdue({
      schedules: backup.schedules,
      lastSuccessAt,
      knownSinceAt: Math.min(
        oldest ? Date.parse(oldest.queuedAt) : now,
        this.runtime.startedAt,
        now,
      ),
      nextRunAt: this.schedules.nextRunAt(scheduleKey('backup', name))?.getTime() ?? null,
      nowMs: now,
      minGraceMs: this.minGraceMs,
    });
    if (overdue === this.overdue.has(name)) return;
    if (overdue) this.overdue.add(name);
    else this.overdue.delete(name);
    const lastText = last?.endedAt ?? null;
    const summary = overdue
      ? `backup ${name} is overdue: ${lastText ? `last success ${lastText}` : 'no success yet'}`
      : `backup ${name} is on time again`;
    this.outbox.publish({
      ...blankEvent(
        overdue ? 'backup.overdue' : 'backup.on-time',
        this.config.current.hostname,
        new Date(now).toISOString(),
        summary,
      ),
      operation: 'backup',
      backup: name,
      lastSuccessAt: lastText,
      jobId: last?.id ?? null,
    });
  }
}
