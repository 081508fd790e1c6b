import { Global, Module } from '@nestjs/common';
import { PacedPubSub } from './paced-pub-sub';

/** The in-process event bus behind GraphQL subscriptions; domain services publish, resolvers listen. */
export const PUB_SUB = Symbol('PUB_SUB');

@Global()
@Module({
  providers: [{ provide: PUB_SUB, useFactory: () => new PacedPubSub() }],
  exports: [PUB_SUB],
})
export class PubSubModule {}
