import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { GqlExecutionContext } from '@nestjs/graphql';
import { LiveConfig } from '../../config/live-config';
import type { ApiRole } from '../../config/config.types';
import { apiError } from '../../common/graphql/api-errors';
import { authenticationMessage } from '../../common/auth/token-authenticator';
import type { RequestContext } from './graphql-context';
import { allows } from '../../common/auth/principal';
import { REQUIRED_ROLE } from '../../common/auth/require-role.decorator';
import {
  READ_ONLY_MESSAGE,
  WRITES_REPOSITORY,
} from '../../common/auth/writes-repository.decorator';

/**
 * Every GraphQL operation needs a known token (when tokens are configured) and a role to match;
 * on a read-only daemon, operations marked @WritesRepository() are refused whatever the role.
 */
@Injectable()
export class RoleGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly config: LiveConfig,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    if (context.getType<string>() !== 'graphql') return true;
    const { auth } = GqlExecutionContext.create(context).getContext<RequestContext>();
    if (!auth?.ok) {
      throw apiError(
        'UNAUTHENTICATED',
        authenticationMessage(auth ?? { ok: false, reason: 'missing' }),
      );
    }
    const needed =
      this.reflector.getAllAndOverride<ApiRole | undefined>(REQUIRED_ROLE, [
        context.getHandler(),
        context.getClass(),
      ]) ?? 'viewer';
    if (!allows(auth.principal.role, needed)) {
      throw apiError(
        'FORBIDDEN',
        `this needs the ${needed} role; token "${auth.principal.name}" is ${auth.principal.role}`,
      );
    }
    if (
      this.config.current.readOnly &&
      this.reflector.getAllAndOverride<boolean | undefined>(WRITES_REPOSITORY, [
        context.getHandler(),
        context.getClass(),
      ])
    ) {
      throw apiError('FORBIDDEN', READ_ONLY_MESSAGE);
    }
    return true;
  }
}
