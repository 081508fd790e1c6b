import { Query, Resolver } from '@nestjs/graphql';
import { StatusModel } from './models/status.model';
import { StatusService } from './status.service';

@Resolver(() => StatusModel)
export class StatusResolver {
  constructor(private readonly service: StatusService) {}

  @Query(() => StatusModel, { nullable: true, description: 'the daemon at a glance' })
  status(): StatusModel {
    return this.service.status();
  }
}
