import { Module } from '@nestjs/common';
import { WebSocketHeartbeat } from './websocket-heartbeat';
import { WebSocketOutboxes } from './websocket-outbox';

/**
 * What is done to each graphql-ws client's socket (GraphqlWsServer's set-ups): its outbox and
 * its heartbeat. Imported by GraphQLModule's factory, which hands them to the driver.
 */
@Module({
  providers: [WebSocketOutboxes, WebSocketHeartbeat],
  exports: [WebSocketOutboxes, WebSocketHeartbeat],
})
export class WebSocketClientsModule {}
