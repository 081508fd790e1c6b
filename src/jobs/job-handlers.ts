import { Injectable } from '@nestjs/common';
import type { JobHandler } from './job-handler';
import type { JobOperation } from './job.types';

@Injectable()
export class JobHandlers {
  private readonly handlers = new Map<JobOperation, JobHandler>();

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
