import {
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { Clock } from '../common/clock';
import { SecretScrubber } from '../common/secret-scrubber';
import { LiveConfig } from '../config/live-config';
import type { NotificationTarget } from '../config/notifications.types';
import { NotificationOutboxStore, type OutboxEntry } from '../jobs/notification-outbox-store';
import { StateDiskFullError } from '../state/state-disk-full';
import type { NotificationEvent } from './notification-event';
import { wants } from './notification-filter';
import { type DeliveryOutcome, NotificationSender } from './notification-sender';

export type DeliveryResult = 'sent' | 'failed';
type DeliveryListener = (target: string, result: DeliveryResult) => void;

/** How long shutdown waits for notifications under way (such as "stopping") to go out. */
const SHUTDOWN_GRACE_MS = 5_000;

/**
 * Notifications go through the outbox: each event is stored once per target that wants it, then
 * every target has its own delivery loop that sends its entries one at a time, oldest first,
 * retrying the head with backoff until it is sent or `retry.maxAttempts` is spent. A slow or dead
 * target only holds up its own loop; jobs never wait for any of it. Whatever is pending when the
 * daemon stops (or is killed) is sent after the next start.
 */
@Injectable()
export class NotificationOutbox implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Notifications');
  private readonly loops = new Map<string, TargetLoop>();
  private readonly listeners = new Set<DeliveryListener>();
  private readonly stop = new AbortController();
  private started = false;

  constructor(
    private readonly config: LiveConfig,
    private readonly store: NotificationOutboxStore,
    private readonly sender: NotificationSender,
    private readonly scrubber: SecretScrubber,
    private readonly clock: Clock,
  ) {}

  onApplicationBootstrap(): void {
    const keepDays = this.config.current.jobs.history.keepDays;
    try {
      this.store.forgetBefore(new Date(this.clock.now() - keepDays * 86_400_000).toISOString());
    } catch (error) {
      if (!(error instanceof StateDiskFullError)) throw error;
    }
    this.started = true;
    for (const target of this.store.targetsWithPending()) this.wake(target);
  }

  /** Gives deliveries under way a moment, then stops every loop; pending entries stay stored. */
  async beforeApplicationShutdown(): Promise<void> {
    const busy = [...this.loops.values()].map((loop) => loop.idle());
    let cancel = () => {};
    await Promise.race([
      Promise.all(busy),
      new Promise<void>((resolve) => {
        cancel = this.clock.setTimeout(resolve, SHUTDOWN_GRACE_MS);
      }),
    ]);
    cancel();
    this.stop.abort();
    await Promise.all([...this.loops.values()].map((loop) => loop.done));
  }

  onDelivery(listener: DeliveryListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Stores the event for every target whose filter wants it, then wakes their loops. Returns the
   * entries stored. The state database being full loses this one notification, loudly. While
   * shutting down (jobs being interrupted) entries are still stored, for the next start to send.
   */
  publish(event: NotificationEvent): OutboxEntry[] {
    const payload = this.scrubber.scrubDeep(event);
    const targets = Object.values(this.config.current.notifications.targets).filter((target) =>
      wants(target.filter, payload),
    );
    if (targets.length === 0) return [];
    let entries: OutboxEntry[];
    try {
      entries = this.store.add(
        targets.map((target) => ({
          target: target.name,
          event: payload.event,
          severity: payload.severity,
          payload: payload as unknown as Record<string, unknown>,
          createdAt: new Date(this.clock.now()).toISOString(),
        })),
      );
    } catch (error) {
      this.logger.error({
        msg: `notification ${payload.event} could not be stored, so it is not sent: ${String(error)}`,
        event: payload.event,
      });
      return [];
    }
    for (const target of targets) this.wake(target.name);
    return entries;
  }

  /** One attempt right now, outside the outbox (the testNotification mutation). */
  async tryNow(target: NotificationTarget, event: NotificationEvent): Promise<DeliveryOutcome> {
    const outcome = await this.sender.deliver(target, event, this.stop.signal);
    return this.scrubber.scrubDeep(outcome);
  }

  pendingByTarget(): Map<string, number> {
    return this.store.pendingByTarget();
  }

  private wake(target: string): void {
    if (!this.started || this.stop.signal.aborted) return;
    let loop = this.loops.get(target);
    if (!loop) {
      loop = new TargetLoop(
        target,
        (entry) => this.attempt(entry),
        this.store,
        this.clock,
        this.stop.signal,
      );
      this.loops.set(target, loop);
    }
    loop.wake();
  }

  /** One delivery attempt of the head of a target's queue, recorded before the next one. */
  private async attempt(entry: OutboxEntry): Promise<void> {
    const target = this.config.current.notifications.targets[entry.target];
    const now = () => new Date(this.clock.now()).toISOString();
    if (!target) {
      this.store.attemptFailed(entry.id, {
        at: now(),
        error: 'the target is no longer in the configuration',
        response: null,
        nextAttemptAt: now(),
        giveUp: true,
      });
      this.logger.warn({
        msg: `notification ${entry.id} (${entry.event}) dropped: target ${entry.target} is no longer configured`,
        target: entry.target,
        notificationId: entry.id,
      });
      this.tell(entry.target, 'failed');
      return;
    }
    const outcome = this.scrubber.scrubDeep(
      await this.sender.deliver(
        target,
        entry.payload as unknown as NotificationEvent,
        this.stop.signal,
      ),
    );
    if (this.stop.signal.aborted && !outcome.delivered) return; // stopped mid-way: stays pending
    if (outcome.delivered) {
      this.store.sent(entry.id, now(), outcome.response);
      this.tell(entry.target, 'sent');
      return;
    }
    const attempts = entry.attempts + 1;
    const { retry } = this.config.current.notifications;
    const giveUp = attempts >= retry.maxAttempts;
    const delay = Math.min(retry.maxDelayMs, retry.initialDelayMs * retry.factor ** (attempts - 1));
    this.store.attemptFailed(entry.id, {
      at: now(),
      error: outcome.error,
      response: outcome.response,
      nextAttemptAt: new Date(this.clock.now() + delay).toISOString(),
      giveUp,
    });
    this.logger.warn({
      msg:
        `notification ${entry.id} (${entry.event}) to ${entry.target} failed (attempt ${attempts}): ${outcome.error}; ` +
        (giveUp ? 'giving up' : `next attempt in ${Math.round(delay / 100) / 10} s`),
      target: entry.target,
      notificationId: entry.id,
      attempts,
      error: outcome.error,
    });
    this.tell(entry.target, 'failed');
  }

  private tell(target: string, result: DeliveryResult): void {
    for (const listener of this.listeners) listener(target, result);
  }
}

/**
 * The delivery loop of one target: takes the oldest pending entry, waits until it is due, sends
 * it, and goes on; sleeps when nothing is pending until woken. One attempt at a time, so entries
 * arrive in order.
 */
class TargetLoop {
  readonly done: Promise<void>;
  private wakeUp: (() => void) | null = null;
  private nudged = false;
  private busy: Promise<void> | null = null;
  private readonly logger = new Logger('Notifications');

  constructor(
    private readonly target: string,
    private readonly attempt: (entry: OutboxEntry) => Promise<void>,
    private readonly store: NotificationOutboxStore,
    private readonly clock: Clock,
    private readonly stop: AbortSignal,
  ) {
    stop.addEventListener('abort', () => this.wakeUp?.(), { once: true });
    this.done = this.run();
  }

  wake(): void {
    this.nudged = true;
    this.wakeUp?.();
  }

  /** Resolves when no attempt is under way and nothing is due now. */
  async idle(): Promise<void> {
    while (this.busy) await this.busy;
  }

  private async run(): Promise<void> {
    while (!this.stop.aborted) {
      this.nudged = false;
      let entry: OutboxEntry | null;
      try {
        entry = this.store.next(this.target);
      } catch (error) {
        this.logger.error({ msg: `notification outbox unreadable: ${String(error)}` });
        await this.sleep(10_000);
        continue;
      }
      if (!entry) {
        await this.sleep(null);
        continue;
      }
      const wait = Date.parse(entry.nextAttemptAt) - this.clock.now();
      if (wait > 0) {
        await this.sleep(wait);
        continue;
      }
      this.busy = this.attempt(entry).catch((error: unknown) => {
        // A store write that failed (disk full): the entry stays pending; try again later.
        this.logger.error({ msg: `recording a notification attempt failed: ${String(error)}` });
        return this.sleep(10_000);
      });
      await this.busy;
      this.busy = null;
    }
  }

  /** Until woken, stopped, or `ms` have passed (null: no limit). */
  private sleep(ms: number | null): Promise<void> {
    if (this.nudged || this.stop.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      let cancel = () => {};
      this.wakeUp = () => {
        this.wakeUp = null;
        cancel();
        resolve();
      };
      if (ms !== null) cancel = this.clock.setTimeout(() => this.wakeUp?.(), ms);
    });
  }
}
