import { Injectable } from '@nestjs/common';
import { NodeFetcherProvider, type NodeFetcher } from '../common/graphql/node-fetcher';
import type { NotificationModel } from './models/notification.model';
import { NotificationPages } from './notification-pages';

@Injectable()
@NodeFetcherProvider()
export class NotificationNodeFetcher implements NodeFetcher {
  readonly type = 'Notification';
  constructor(private readonly pages: NotificationPages) {}

  fetch([id]: string[]): NotificationModel | null {
    return /^\d{1,15}$/.test(id) ? this.pages.get(Number(id)) : null;
  }
}
