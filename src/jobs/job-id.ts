import { badUserInput } from '../common/graphql/api-errors';
import { parseGlobalId } from '../common/graphql/global-id';

/** A job's number from its global id (`Job:42`), or from the bare number people type. */
export function parseJobId(id: string): number {
  const key = /^\d{1,15}$/.test(id) ? id : parseJobGlobalId(id);
  if (key === undefined) throw badUserInput(`"${id.slice(0, 60)}" is not a job id`);
  return Number(key);
}

function parseJobGlobalId(id: string): string | undefined {
  const parsed = parseGlobalId(id);
  if (parsed?.type !== 'Job' || !/^\d{1,15}$/.test(parsed.key[0])) return undefined;
  return parsed.key[0];
}
