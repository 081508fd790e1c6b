import type { ApiRole } from '../../config/config.types';

/** Who is asking: the name of the token they showed, and what it allows. */
export interface Principal {
  name: string;
  role: ApiRole;
}

const RANK: Record<ApiRole, number> = { viewer: 0, operator: 1, admin: 2 };

export const allows = (held: ApiRole, needed: ApiRole): boolean => RANK[held] >= RANK[needed];
