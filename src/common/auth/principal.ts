import type { ApiRole } from '../../config/config.types';

/** Who is asking: the name of the token they showed, and what it allows. */
export interface Principal {
  name: string;
  role: ApiRole;
  /** sha256 (hex) of the token shown, so a long-lived connection can be checked again later */
  tokenSha256?: string;
}

const RANK: Record<ApiRole, number> = { viewer: 0, operator: 1, admin: 2 };

export const allows = (held: ApiRole, needed: ApiRole): boolean => RANK[held] >= RANK[needed];
