import { DiscoveryService } from '@nestjs/core';
import type { NodeTypeName } from './global-id';

/**
 * Finds the object of one type by the key parts of its global id, or null when it does not exist.
 * Feature modules mark theirs with @NodeFetcherProvider(); `node(id)` asks the one of the id's type.
 */
export interface NodeFetcher {
  readonly type: NodeTypeName;
  fetch(key: string[]): unknown;
}

export const NodeFetcherProvider = DiscoveryService.createDecorator<void>();
