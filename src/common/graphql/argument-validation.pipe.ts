import {
  Injectable,
  ValidationPipe,
  type ArgumentMetadata,
  type ValidationError,
} from '@nestjs/common';
import { badUserInput } from './api-errors';

/**
 * How Nest describes a GraphQL resolver argument to pipes: @nestjs/graphql's GqlParamtype.ARGS
 * (3), which Nest's context utilities name 'body'.
 */
const isResolverArgument = (type: unknown) => type === 'body' || type === 3;

/** `filter.backup is too long: ...`, one line per broken rule, paths from the argument down. */
export function describeValidationErrors(errors: ValidationError[], parent = ''): string[] {
  return errors.flatMap((error) => {
    const path = parent ? `${parent}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) =>
      // a list's item problem starts with its index: `include[1] must not ...`
      message.startsWith('[') ? `${path}${message}` : `${path} ${message}`,
    );
    return [...own, ...describeValidationErrors(error.children ?? [], path)];
  });
}

/**
 * Every resolver's arguments are DTO classes (`dto/` of each feature) whose class-validator rules
 * this pipe applies, as one global pipe, so that no resolver checks lengths, NULs or ranges itself.
 * The arguments reach the resolver as GraphQL made them (no transformation); a broken rule is
 * BAD_USER_INPUT naming the argument's path.
 */
@Injectable()
export class ArgumentValidationPipe extends ValidationPipe {
  constructor() {
    super({
      transform: false,
      forbidUnknownValues: false,
      validationError: { target: false, value: false },
      exceptionFactory: (errors) => badUserInput(describeValidationErrors(errors).join('; ')),
    });
  }

  /** Only arguments: parents (model classes), context and info pass untouched and unpaid for. */
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (isResolverArgument(metadata.type)) await super.transform(value, metadata);
    return value;
  }
}
