import { Injectable, Logger } from '@nestjs/common';
import { AbstractHttpAdapter, HttpAdapterHost, ModuleRef } from '@nestjs/core';
import { GraphQLModule } from '@nestjs/graphql';
import type { ApolloServer, BaseContext } from '@apollo/server';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GRAPHQL_PATH } from './graphql-path';
import type { RequestContext } from './auth/graphql-context';
import { LoopbackRequest } from './loopback-request';
import { SnapshotIndexService } from '../snapshot-index/snapshot-index.service';

/** What a browsing client asks first: a page of a snapshot's top folder. */
const FIRST_FOLDER = `query($repository: String!, $snapshot: String!) {
  snapshot(repository: $repository, snapshot: $snapshot) {
    id time index { state }
    files(first: 100) { totalCount nodes { name type size totalSize mtime } }
  }
}`;
const WARM_UP_TIMEOUT_MS = 5000;

/**
 * Runs, once the daemon listens and before it says so, the work of a first request: a
 * `{ __typename }` POST to its own HTTP endpoint (the HTTP, body and Apollo layers; answered 401
 * when tokens are required, which runs the same layers), and in process, as a read-only caller,
 * a page of the top folder of the newest indexed snapshot (resolvers, argument pipes, the
 * index's statements and pages). Without it the first answers after a start ran cold, since V8
 * compiles each function the first time it runs: the first folder after a restart took 35–60 ms,
 * later ones 5–15 ms (2 cores, 200k to 2M files). The read counts as a use of that snapshot in
 * the index's eviction order, as a browse of the newest snapshot would. A failure only means the
 * first request runs cold.
 */
@Injectable()
export class ApiWarmUp {
  private readonly logger = new Logger('Api');

  constructor(
    private readonly moduleRef: ModuleRef,
    private readonly adapterHost: HttpAdapterHost<AbstractHttpAdapter>,
    private readonly index: SnapshotIndexService,
    private readonly loopback: LoopbackRequest,
  ) {}

  async run(): Promise<void> {
    const started = Date.now();
    const signal = AbortSignal.timeout(WARM_UP_TIMEOUT_MS);
    const listening = (
      this.adapterHost.httpAdapter.getHttpServer() as Server
    ).address() as AddressInfo | null;
    const status =
      listening &&
      (await this.loopback.post(
        listening,
        GRAPHQL_PATH,
        JSON.stringify({ query: '{ __typename }' }),
        signal,
      ));
    const newest = this.index.newestIndexed();
    const errors = newest ? await this.readFolder(newest) : [];
    this.logger.debug({
      msg: `warm-up in ${Date.now() - started} ms`,
      http: status ?? null,
      snapshot: newest?.snapshotId.slice(0, 8) ?? null,
      errors,
    });
  }

  private async readFolder(newest: { repository: string; snapshotId: string }): Promise<string[]> {
    const server = (
      this.moduleRef.get(GraphQLModule, { strict: false }).graphQlAdapter as {
        instance?: ApolloServer<BaseContext>;
      }
    ).instance;
    if (!server) return ['no GraphQL server'];
    const contextValue: RequestContext = {
      auth: { ok: true, principal: { name: 'warm-up', role: 'viewer' } },
    };
    try {
      const response = await server.executeOperation(
        {
          query: FIRST_FOLDER,
          variables: { repository: newest.repository, snapshot: newest.snapshotId },
        },
        { contextValue },
      );
      return response.body.kind === 'single'
        ? (response.body.singleResult.errors ?? []).map((e) => e.message)
        : [];
    } catch (error) {
      return [String(error)];
    }
  }
}
