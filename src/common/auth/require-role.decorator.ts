import { SetMetadata } from '@nestjs/common';
import type { ApiRole } from '../../config/config.types';

export const REQUIRED_ROLE = 'hen:required-role';

/** The least role a resolver needs; without it, `viewer` (reading) is enough. */
export const RequireRole = (role: ApiRole) => SetMetadata(REQUIRED_ROLE, role);
