import { Injectable, type OnModuleInit, Optional } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { type JobHandler, JobHandlerProvider } from './job-handler';
import type { JobOperation } from './job.types';

/** The handler of each operation: the providers marked @JobHandlerProvider(), found at startup. */
@Injectable()
export class JobHandlers implements OnModuleInit {
  private readonly handlers = new Map<JobOperation, JobHandler>();

  /** Without a DiscoveryService (unit tests), handlers are registered by hand. */
  constructor(@Optional() private readonly discovery?: DiscoveryService) {}

  onModuleInit(): void {
    for (const wrapper of this.discovery?.getProviders({ metadataKey: JobHandlerProvider.KEY }) ??
      []) {
      this.register(wrapper.instance as JobHandler);
    }
  }

  register(handler: JobHandler): void {
    if (this.handlers.has(handler.operation)) {
      throw new Error(`a handler for ${handler.operation} is already registered`);
    }
    this.handlers.set(handler.operation, handler);
  }

  get(operation: JobOperation): JobHandler {
    const handler = this.handlers.get(operation);
    if (!handler) throw new Error(`no handler for ${operation} jobs`);
    return handler;
  }

  has(operation: JobOperation): boolean {
    return this.handlers.has(operation);
  }
}
