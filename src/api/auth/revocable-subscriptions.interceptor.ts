import {
  type CallHandler,
  type ExecutionContext,
  Injectable,
  type NestInterceptor,
} from '@nestjs/common';
import { GqlExecutionContext } from '@nestjs/graphql';
import { map, type Observable } from 'rxjs';
import { apiError } from '../../common/graphql/api-errors';
import { isPullable, pullThrough, type Pullable } from '../../common/pullable';
import type { RequestContext } from './graphql-context';
import { TokenAuthenticator } from '../../common/auth/token-authenticator';

/**
 * A websocket is authenticated once, in `connection_init`, but may stay open for days; a reload
 * can revoke its token meanwhile. So every event of every subscription first checks that the
 * connection's token is still accepted, and a revoked one ends the subscription with
 * UNAUTHENTICATED instead of receiving the event.
 */
@Injectable()
export class RevocableSubscriptionsInterceptor implements NestInterceptor {
  constructor(private readonly authenticator: TokenAuthenticator) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType<string>() !== 'graphql') return next.handle();
    const gql = GqlExecutionContext.create(context);
    if (
      gql.getInfo<{ operation: { operation: string } }>().operation.operation !== 'subscription'
    ) {
      return next.handle();
    }
    const { auth } = gql.getContext<RequestContext>();
    return next
      .handle()
      .pipe(
        map((events: unknown) =>
          isAsyncIterator(events) && auth?.ok
            ? this.whileAccepted(events, () => this.authenticator.stillAccepted(auth.principal))
            : events,
        ),
      );
  }

  private whileAccepted<T>(
    events: AsyncIterator<T> & AsyncIterable<T>,
    accepted: () => boolean,
  ): AsyncIterableIterator<T> & Partial<Pullable<T>> {
    const revoked = async (): Promise<never> => {
      await events.return?.();
      throw apiError('UNAUTHENTICATED', 'the token of this connection is no longer accepted');
    };
    const checked = (result: IteratorResult<T>) =>
      !result.done && !accepted() ? revoked() : result;
    const pullChecked = isPullable(events) ? pullThrough(events, checked) : undefined;
    // plain promise chains, not async functions: this runs for every subscriber on every event
    return {
      next: () => (accepted() ? events.next().then(checked) : revoked()),
      // the same, with no promise while the token is accepted
      ...(pullChecked
        ? {
            pull: (deliver, fail) =>
              accepted() ? pullChecked(deliver, fail) : void revoked().catch(fail),
          }
        : {}),
      return: async () => (await events.return?.()) ?? { done: true, value: undefined },
      throw: async (error: unknown) => {
        if (events.throw) return events.throw(error);
        throw error;
      },
      [Symbol.asyncIterator]() {
        return this;
      },
    };
  }
}

function isAsyncIterator(value: unknown): value is AsyncIterator<unknown> & AsyncIterable<unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as AsyncIterator<unknown>).next === 'function' &&
    Symbol.asyncIterator in value
  );
}
