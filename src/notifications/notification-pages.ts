import { Injectable } from '@nestjs/common';
import {
  connectionOf,
  encodeCursor,
  intCursorDecoder,
  pageWindow,
  type ConnectionShape,
  type PageArgs,
} from '../common/graphql/connection';
import { NotificationOutboxStore } from '../jobs/notification-outbox-store';
import type { NotificationFilterInput } from './dto/notification-filter.input';
import { type NotificationModel, toNotificationModel } from './models/notification.model';

const CURSOR = 'notification';

/** Pages of the outbox, newest first, as connections. */
@Injectable()
export class NotificationPages {
  constructor(private readonly store: NotificationOutboxStore) {}

  notifications(
    page: PageArgs,
    filter: NotificationFilterInput,
  ): ConnectionShape<NotificationModel> {
    const window = pageWindow(page, intCursorDecoder(CURSOR));
    const result = this.store.page(
      { states: filter.states ?? undefined, targets: filter.targets ?? undefined },
      window,
    );
    return connectionOf(result.items.map(toNotificationModel), result, (n) =>
      encodeCursor(CURSOR, n.number),
    );
  }

  get(id: number): NotificationModel | null {
    const entry = this.store.get(id);
    return entry ? toNotificationModel(entry) : null;
  }
}
