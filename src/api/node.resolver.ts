import { Injectable, type OnModuleInit } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { Args, Query, Resolver } from '@nestjs/graphql';
import { badUserInput, notFound } from '../common/graphql/api-errors';
import { parseGlobalId, type NodeTypeName } from '../common/graphql/global-id';
import { NodeFetcherProvider, type NodeFetcher } from '../common/graphql/node-fetcher';
import { Node } from '../common/graphql/node.interface';
import { NodeArgs, NodesArgs } from './dto/node.args';

const MAX_IDS = 100;

/** The fetchers of every node type, found at startup among the providers. */
@Injectable()
export class NodeFetchers implements OnModuleInit {
  private readonly fetchers = new Map<NodeTypeName, NodeFetcher>();

  constructor(private readonly discovery: DiscoveryService) {}

  onModuleInit(): void {
    for (const wrapper of this.discovery.getProviders({ metadataKey: NodeFetcherProvider.KEY })) {
      const fetcher = wrapper.instance as NodeFetcher;
      this.fetchers.set(fetcher.type, fetcher);
    }
  }

  /** The object of a global id, tagged with its type; throws for a malformed or unknown id. */
  async fetch(id: string): Promise<object> {
    const parsed = parseGlobalId(id);
    const fetcher = parsed && this.fetchers.get(parsed.type);
    if (!parsed || !fetcher) throw badUserInput(`"${String(id).slice(0, 80)}" is not a valid id`);
    const found = (await fetcher.fetch(parsed.key)) as object | null;
    if (!found) throw notFound(`nothing has the id "${id.slice(0, 200)}"`);
    return { ...found, __typename: parsed.type };
  }
}

@Resolver()
export class NodeResolver {
  constructor(private readonly fetchers: NodeFetchers) {}

  @Query(() => Node, {
    nullable: true,
    description: 'any object by its global id; null when unknown',
  })
  node(@Args() { id }: NodeArgs): Promise<object> {
    return this.fetchers.fetch(id);
  }

  @Query(() => [Node], {
    nullable: 'itemsAndList',
    description: `several objects by their global ids (at most ${MAX_IDS}), in the same order; null for each unknown one`,
  })
  nodes(@Args() { ids }: NodesArgs): Promise<(object | Error)[]> {
    if (ids.length > MAX_IDS) throw badUserInput(`ask for at most ${MAX_IDS} ids at once`);
    // an Error in a list becomes null at its place, with its own error entry
    return Promise.all(ids.map((id) => this.fetchers.fetch(id).catch((error: Error) => error)));
  }
}
